"""`secreview diff` and `secreview baseline create`: the run function the CLI dispatches to (the
arguments are in secreview/cliargs.py). Exit codes as for `scan`: 0 nothing at or above --fail-on,
1 findings, 2 usage error, a revision git cannot resolve, a patch that cannot be read or names an
unsafe path, or a review that did not finish (a changed file that could not be reviewed or rebuilt; unless
--allow-incomplete). `baseline create` exits 0, or 2 when the baseline misses files it could not review."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from secreview import api, cliopts
from secreview.change import baseline, review
from secreview.change.baseline import BaselineError
from secreview.change.git import GitError
from secreview.change.patch import PatchError
from secreview.llm import options as llm_options
from secreview.model import Confidence, Severity
from secreview.output import emit

MAX_PATCH_BYTES = 50_000_000


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
    return cliopts.finish(baseline.apply_file(report, getattr(args, "baseline", None)), args, config)


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
    # A baseline accepts what the engine found, not what this run's thresholds show: a later run at another
    # confidence or test-code setting must not see the accepted findings as new.
    everything = replace(config, severity=Severity.LOW, confidence=Confidence.LOW, test_code="keep",
                         per_file_ignores=())
    report = api.review(args.paths, everything)
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
