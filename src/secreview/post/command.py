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
from secreview.model import Report
from secreview.post.http import DEFAULT_TIMEOUT, PostError
from secreview.report import gerrit as gerrit_format
from secreview.report import github as github_format
from secreview.report.json import ReportFormatError, load

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
MAX_REPORT_BYTES = 50_000_000


class _Usage(Exception):
    pass


def run(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    """`args` as secreview/cliargs.py defines them."""
    env = os.environ if env is None else env
    if args.timeout is None:  # the parser leaves the default to the HTTP module, which it does not import
        args.timeout = DEFAULT_TIMEOUT
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
    if not args.fail_on:
        return EXIT_OK  # posting was the job, and it was done
    # --fail-on makes this a gate, and a gate never passes a review that did not finish
    from secreview import cliopts

    config = load_config({"fail_on": args.fail_on, "allow_incomplete": args.allow_incomplete})
    return cliopts.exit_code(report, config, exit_zero=False)


def _report(args: argparse.Namespace) -> Report:
    if args.report and args.paths:
        raise _Usage("give either --report FILE or PATHs to scan, not both")
    if args.report:
        return load(_read_report(args.report))
    if not args.paths:
        raise _Usage("give --report FILE (a JSON report) or PATHs to scan")
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise _Usage(f"{missing[0]}: no such file or directory")
    from secreview.cliopts import split_globs

    config = load_config({"select": _split(args.select), "ignore": _split(args.ignore),
                          "exclude": split_globs(args.exclude), "progress": False})
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
