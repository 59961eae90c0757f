"""The arguments of the subcommands that live in their own packages (audit, bench, diff, baseline,
post). They are defined here, not beside each command's run function, because defining them must
not import those packages: `secreview --version` or a warm scan of one file would pay for the audit
parser, the bench datasets or the HTTP client. `cli.py` defines the arguments of the command being
run only, and imports that command's module only when it runs; the module reads the names defined
here from `args`.
"""

from __future__ import annotations

import argparse


def audit(p: argparse.ArgumentParser) -> None:
    p.add_argument("answers", nargs="+", metavar="ANSWER", help="answer text files; - reads one from stdin")
    p.add_argument("--code", required=True, metavar="FILE", help="the file the answers review")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--allowed-cwes", dest="allowed_cwes", metavar="IDS",
                   help="comma-separated CWE ids the request allowed (default: the ten CWE-1000 pillars "
                        "284,435,664,682,691,693,697,703,707,710); 'any' turns the check off")
    p.add_argument("--truth", metavar="FILE",
                   help='JSON with the real defect(s): {"type"|"cwe": ..., "lines": [...]}; labels each answer')
    p.add_argument("--fail-on-flags", dest="fail_on_flags", metavar="FLAGS",
                   help="exit 1 when an answer has one of these flags (comma-separated, or 'all')")


def bench(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", metavar="DATASET",
                   help="JSON Lines of labels, or a directory (labels.jsonl files, or fixtures with markers)")
    p.add_argument("--sarif", action="append", default=[], metavar="NAME=FILE",
                   help="also score another tool's SARIF log (repeatable; NAME defaults to the file name)")
    p.add_argument("--no-secreview", dest="secreview", action="store_false",
                   help="score only the --sarif logs, do not run secreview")
    p.add_argument("--tolerance", "-k", type=int, default=2, metavar="K",
                   help="a finding within K lines of a labeled line matches it (default: 2)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the tables here instead of stdout")
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: all cores)")


def diff(d: argparse.ArgumentParser) -> None:
    """(secreview/change/command.py runs `diff` and `baseline create`.)"""
    from secreview import cliopts
    from secreview.llm import options as llm_options

    d.add_argument("range", nargs="?", metavar="REV_RANGE",
                   help="A..B, A...B (against the merge base) or REV (working tree against REV); "
                        "default: the working tree and index against HEAD")
    d.add_argument("--patch", metavar="FILE", help="review a unified diff instead of a git range; - reads stdin")
    d.add_argument("--root", metavar="DIR",
                   help="the repository (git) or the directory patch paths are relative to (default: .)")
    d.add_argument("--new-only", dest="new_only", action="store_true",
                   help="report only findings the base version did not already have (matched by fingerprint)")
    cliopts.add_output(d)
    cliopts.add_selection(d)
    llm_options.add_arguments(d)


def baseline(b: argparse.ArgumentParser) -> None:
    from secreview import cliopts

    actions = b.add_subparsers(dest="baseline_action", required=True, parser_class=type(b))
    create = actions.add_parser("create", help="review PATHs and write their findings as a baseline file")
    create.add_argument("paths", nargs="+", metavar="PATH")
    create.add_argument("--output", "-o", metavar="FILE", required=True, help="the baseline file to write")
    create.add_argument("--no-gitignore", dest="respect_gitignore", action="store_false", default=None,
                        help="also review files that .gitignore ignores")
    cliopts.add_selection(create)
    cliopts.add_allow_incomplete(create)


def post(p: argparse.ArgumentParser) -> None:
    from secreview.report import gerrit as gerrit_format
    from secreview.report import github as github_format

    systems = p.add_subparsers(dest="system", required=True, metavar="{github,gerrit}")
    gh = systems.add_parser("github", help="a pull-request review (POST .../pulls/{number}/reviews)")
    _post_common(gh)
    gh.add_argument("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY)")
    gh.add_argument("--pr", type=int, required=True, metavar="N", help="pull request number")
    gh.add_argument("--commit", metavar="SHA", help="the head commit reviewed (default: the report's change "
                                                    "head, else the pull request's latest commit)")
    gh.add_argument("--api-url", dest="api_url", help="default: $GITHUB_API_URL or https://api.github.com")
    gh.add_argument("--request-changes", dest="request_changes", action="store_true",
                    help='use event "REQUEST_CHANGES" when something is found (default "COMMENT")')
    gh.add_argument("--max-comments", dest="max_comments", type=int, default=github_format.DEFAULT_MAX_COMMENTS,
                    metavar="N", help="line comments at most; the rest go in the review body (default: %(default)s)")
    gr = systems.add_parser("gerrit", help="a review of a Gerrit change (POST .../revisions/{revision}/review)")
    _post_common(gr)
    gr.add_argument("--url", help="Gerrit base URL (default: $GERRIT_URL)")
    gr.add_argument("--change", required=True, metavar="ID", help="change number or project~branch~Change-Id")
    gr.add_argument("--revision", default="current", help="patch set number or commit (default: current)")
    gr.add_argument("--vote", action="store_true", help="vote Code-Review -1 when something is found (else 0)")
    gr.add_argument("--notify", choices=gerrit_format.NOTIFY, help="whom Gerrit emails (default: Gerrit's)")
    gr.add_argument("--max-comments", dest="max_comments", type=int, default=gerrit_format.DEFAULT_MAX_COMMENTS,
                    metavar="N", help="file comments at most; the rest go in the message (default: %(default)s)")


def _post_common(p: argparse.ArgumentParser) -> None:
    from secreview.model import Severity

    p.add_argument("paths", nargs="*", metavar="PATH", help="scan these instead of reading --report")
    p.add_argument("--report", metavar="FILE", help="a JSON report from `--format json` (- reads stdin)")
    p.add_argument("--dry-run", dest="dry_run", action="store_true",
                   help="print the request body instead of sending it (needs no credentials)")
    p.add_argument("--fail-on", dest="fail_on", choices=[s.value for s in Severity],
                   help="after posting, exit 1 when a finding is at or above this severity (2 when the review "
                        "did not finish, unless --allow-incomplete)")
    p.add_argument("--allow-incomplete", dest="allow_incomplete", action="store_true", default=None,
                   help="with --fail-on: exit by the findings alone when part of the review did not finish")
    # None: post/http.py's DEFAULT_TIMEOUT, applied by the command (that module loads the HTTP client)
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS")
    p.add_argument("--select", action="append", metavar="RULES", help="when scanning: only these rules")
    p.add_argument("--ignore", action="append", metavar="RULES", help="when scanning: skip these rules")
    p.add_argument("--exclude", action="append", metavar="GLOB", help="when scanning: skip matching paths")
