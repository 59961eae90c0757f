"""`secreview post github|gerrit`: send a review to a pull request or a Gerrit change.

The review comes from a JSON report written earlier (`--report FILE`, e.g. by `secreview diff
--format json`, which carries the diff so comments land on changed lines) or from a scan of PATHs
run here. Settings come from flags, else the environment; secrets only from the environment
(a token on the command line would show in the process list and shell history), and never printed.

Exit codes: 0 posted (or printed with --dry-run); 1 posted, and --fail-on was given and a finding is
at or above it; 2 usage error, unreadable report, or the review system refused or could not be reached.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from secreview import api
from secreview.config import ConfigError
from secreview.config import load as load_config
from secreview.model import Report, Severity
from secreview.post.http import DEFAULT_TIMEOUT, PostError
from secreview.report import gerrit as gerrit_format
from secreview.report import github as github_format
from secreview.report.json import ReportFormatError, load

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
MAX_REPORT_BYTES = 50_000_000


class _Usage(Exception):
    pass


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("post", help="post a review to a GitHub pull request or a Gerrit change",
                       description="Post secreview's findings as a review: line comments with fixes and "
                                   "suggested rewrites, and a summary.")
    systems = p.add_subparsers(dest="system", required=True, metavar="{github,gerrit}")
    gh = systems.add_parser("github", help="a pull-request review (POST .../pulls/{number}/reviews)")
    _common(gh)
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
    _common(gr)
    gr.add_argument("--url", help="Gerrit base URL (default: $GERRIT_URL)")
    gr.add_argument("--change", required=True, metavar="ID", help="change number or project~branch~Change-Id")
    gr.add_argument("--revision", default="current", help="patch set number or commit (default: current)")
    gr.add_argument("--vote", action="store_true", help="vote Code-Review -1 when something is found (else 0)")
    gr.add_argument("--notify", choices=gerrit_format.NOTIFY, help="whom Gerrit emails (default: Gerrit's)")
    gr.add_argument("--max-comments", dest="max_comments", type=int, default=gerrit_format.DEFAULT_MAX_COMMENTS,
                    metavar="N", help="file comments at most; the rest go in the message (default: %(default)s)")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="scan these instead of reading --report")
    p.add_argument("--report", metavar="FILE", help="a JSON report from `--format json` (- reads stdin)")
    p.add_argument("--dry-run", dest="dry_run", action="store_true",
                   help="print the request body instead of sending it (needs no credentials)")
    p.add_argument("--fail-on", dest="fail_on", choices=[s.value for s in Severity],
                   help="after posting, exit 1 when a finding is at or above this severity")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS")
    p.add_argument("--select", action="append", metavar="RULES", help="when scanning: only these rules")
    p.add_argument("--ignore", action="append", metavar="RULES", help="when scanning: skip these rules")
    p.add_argument("--exclude", action="append", metavar="GLOB", help="when scanning: skip matching paths")


def run(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    try:
        report = _report(args)
        if args.system == "github":
            summary = _github(args, report, env)
        else:
            summary = _gerrit(args, report, env)
    except (_Usage, PostError, ReportFormatError, ConfigError, ValueError) as exc:
        print(f"secreview: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if summary:
        print(summary, file=sys.stderr)
    print(report.verdict_sentence, file=sys.stderr)
    if args.fail_on and any(f.severity >= Severity(args.fail_on) for f in report.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def _report(args: argparse.Namespace) -> Report:
    if args.report and args.paths:
        raise _Usage("give either --report FILE or PATHs to scan, not both")
    if args.report:
        return load(_read_report(args.report))
    if not args.paths:
        raise _Usage("give --report FILE (a JSON report) or PATHs to scan")
    config = load_config({"select": _split(args.select), "ignore": _split(args.ignore),
                          "exclude": _split(args.exclude), "progress": False})
    return api.review(args.paths, config)


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _read_report(path: str) -> str:
    try:
        data = sys.stdin.buffer.read(MAX_REPORT_BYTES + 1) if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise _Usage(f"cannot read report {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_REPORT_BYTES:
        raise _Usage(f"report {path} is larger than {MAX_REPORT_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Usage(f"report {path} is not UTF-8 text") from None


def _github(args: argparse.Namespace, report: Report, env: Mapping[str, str]) -> str:
    from secreview.post import github

    if args.max_comments < 0:
        raise _Usage("--max-comments must not be negative")
    event = "REQUEST_CHANGES" if args.request_changes else "COMMENT"
    payload = github_format.review(report, commit_id=args.commit, event=event, max_comments=args.max_comments)
    if args.dry_run:
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return ""
    repo = args.repo or env.get("GITHUB_REPOSITORY", "")
    if not repo:
        raise _Usage("--repo OWNER/NAME is required (or set GITHUB_REPOSITORY)")
    api_url = args.api_url or env.get("GITHUB_API_URL") or github.DEFAULT_API_URL
    answer = github.post_review(payload, repo=repo, pr=args.pr, token=env.get("GITHUB_TOKEN", ""),
                                api_url=api_url, timeout=args.timeout)
    where = answer.get("html_url") or f"review {answer.get('id', '?')}"
    n = len(payload["comments"])
    return f"posted {where} ({payload['event']}, {n} line comment{'s' if n != 1 else ''})"


def _gerrit(args: argparse.Namespace, report: Report, env: Mapping[str, str]) -> str:
    from secreview.post import gerrit

    if args.max_comments < 0:
        raise _Usage("--max-comments must not be negative")
    payload = gerrit_format.review_input(report, vote=args.vote, notify=args.notify, max_comments=args.max_comments)
    if args.dry_run:
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return ""
    base_url = args.url or env.get("GERRIT_URL", "")
    if not base_url:
        raise _Usage("--url is required (or set GERRIT_URL)")
    answer = gerrit.post_review(payload, base_url=base_url, change=args.change, revision=args.revision,
                                user=env.get("GERRIT_USER", ""), password=env.get("GERRIT_HTTP_PASSWORD", ""),
                                timeout=args.timeout)
    n = sum(len(items) for items in payload["comments"].values())
    labels = answer.get("labels") if isinstance(answer, dict) else None
    voted = f", labels {json.dumps(labels)}" if labels else ""
    return f"posted review to change {args.change} revision {args.revision} ({n} comment{'s' if n != 1 else ''}{voted})"
