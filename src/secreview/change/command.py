"""`secreview diff` and `secreview baseline create`: argument registration and the run function
the CLI dispatches to. Exit codes as for `scan`: 0 nothing at or above --fail-on, 1 findings,
2 usage error, a revision git cannot resolve, a patch that cannot be read or names an unsafe path,
or a review that did not finish (a changed file that could not be reviewed or rebuilt; unless
--allow-incomplete). `baseline create` exits 0, or 2 when the baseline misses files it could not review."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secreview import api, cliopts
from secreview.change import baseline, review
from secreview.change.baseline import BaselineError
from secreview.change.git import GitError
from secreview.change.patch import PatchError
from secreview.llm import options as llm_options
from secreview.output import emit

COMMANDS = ("diff", "baseline")
MAX_PATCH_BYTES = 50_000_000


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("diff", help="review what a code change introduces, on the lines it touches",
                       description="Review the new version of each changed Python file and report the findings on "
                                   "added or modified lines (or whose data-flow trace passes through one).")
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

    b = sub.add_parser("baseline", help="record today's findings so later runs report only new ones")
    actions = b.add_subparsers(dest="baseline_action", required=True, parser_class=type(b))
    create = actions.add_parser("create", help="review PATHs and write their findings as a baseline file")
    create.add_argument("paths", nargs="+", metavar="PATH")
    create.add_argument("--output", "-o", metavar="FILE", required=True, help="the baseline file to write")
    create.add_argument("--no-gitignore", dest="respect_gitignore", action="store_false", default=None,
                        help="also review files that .gitignore ignores")
    cliopts.add_selection(create)
    cliopts.add_allow_incomplete(create)


def run(args: argparse.Namespace) -> int:
    try:
        if args.command == "baseline":
            return _baseline_create(args)
        return _diff(args)
    except (GitError, PatchError, BaselineError) as exc:
        print(f"secreview: error: {exc}", file=sys.stderr)
        return cliopts.EXIT_ERROR


def _diff(args: argparse.Namespace) -> int:
    config = cliopts.config_from(args)
    root = Path(args.root) if args.root else Path.cwd()
    if not root.is_dir():
        raise GitError(f"--root {args.root}: not a directory")
    llm = llm_options.settings_from_args(args, cwd=root)
    if args.patch is not None:
        if args.range:
            raise PatchError("give either a REV_RANGE or --patch, not both")
        name = "from stdin" if args.patch == "-" else args.patch
        report = review.review_patch(_read_patch(args.patch), name, root, config, args.new_only, llm)
        args.srcroot = root.resolve()
    else:
        report = review.review_git(root, args.range, config, args.new_only, llm)
        args.srcroot = review.git.repository_root(root)
    return cliopts.finish(cliopts.apply_baseline(report, args), args, config)


def _read_patch(source: str) -> str:
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_PATCH_BYTES + 1)
        else:
            with open(source, "rb") as handle:
                data = handle.read(MAX_PATCH_BYTES + 1)
    except OSError as exc:
        raise PatchError(f"cannot read patch {source}: {exc.strerror or exc}") from None
    if len(data) > MAX_PATCH_BYTES:
        raise PatchError(f"patch {source} is over the {MAX_PATCH_BYTES}-byte limit")
    # Bytes that are not UTF-8 survive the round trip: file contents keep their own encoding.
    return data.decode("utf-8", "surrogateescape")


def _baseline_create(args: argparse.Namespace) -> int:
    config = cliopts.config_from(args, respect_gitignore=args.respect_gitignore)
    if missing := cliopts.missing_paths(args.paths):
        return cliopts.report_missing(missing)
    report = api.review(args.paths, config)
    if report.errors:
        shown = ", ".join(sorted({e.path for e in report.errors})[:5])
        print(f"secreview: warning: the baseline does not cover files that could not be reviewed: {shown}",
              file=sys.stderr)
    if not emit(baseline.to_json(report), args.output):
        return cliopts.EXIT_ERROR
    n = len(report.findings)
    print(f"secreview: baseline {args.output} records {n} finding{'s' if n != 1 else ''}", file=sys.stderr)
    # the file is written either way; the exit code says whether it covers everything
    return cliopts.exit_code(report, config, exit_zero=True)
