"""Options shared by the commands that review code (`scan`, `diff`, `baseline create`): how findings
are chosen, rendered and turned into an exit code, defined once so the commands cannot drift apart."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from secreview.config import Config
from secreview.config import load as load_config
from secreview.model import Confidence, Report, Severity
from secreview.output import emit
from secreview.report import FORMATS, render

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def add_selection(p: argparse.ArgumentParser) -> None:
    """Which rules run and which findings count."""
    p.add_argument("--severity", choices=[s.value for s in Severity], help="report findings at or above")
    p.add_argument("--confidence", choices=[c.value for c in Confidence], help="report findings at or above")
    p.add_argument("--select", action="append", metavar="RULES", help="only these codes, names, prefixes or types")
    p.add_argument("--ignore", action="append", metavar="RULES", help="skip these codes, names, prefixes or types")
    p.add_argument("--exclude", action="append", metavar="GLOB", help="skip paths matching GLOB (repeatable)")
    p.add_argument("--max-file-size", type=int, dest="max_file_size", metavar="BYTES")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--no-cache", dest="cache", action="store_false", default=None,
                   help="review every file again instead of reusing results of unchanged files")


def add_output(p: argparse.ArgumentParser) -> None:
    """Where the report goes, in which format, and what the exit code says."""
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--fail-on", choices=[s.value for s in Severity], dest="fail_on",
                   help="exit 1 when a reported finding is at or above this severity (default: low)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are reported")
    p.add_argument("--baseline", metavar="FILE",
                   help="hide findings recorded in this baseline (see `secreview baseline create`)")


def split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def config_from(args: argparse.Namespace, **extra: Any) -> Config:
    cli = {
        "severity": args.severity, "confidence": args.confidence, "fail_on": getattr(args, "fail_on", None),
        "select": split(args.select), "ignore": split(args.ignore), "exclude": split(args.exclude),
        "max_file_size": args.max_file_size, "jobs": args.jobs, "cache": args.cache, **extra,
    }
    return load_config(cli)


def apply_baseline(report: Report, args: argparse.Namespace) -> Report:
    """Hide baselined findings (raises BaselineError for a bad file); says on stderr how many."""
    if not getattr(args, "baseline", None):
        return report
    from secreview.change import baseline

    report, hidden = baseline.apply(report, baseline.load(args.baseline))
    if hidden:
        print(f"secreview: {hidden} finding{'s' if hidden != 1 else ''} hidden by the baseline {args.baseline}",
              file=sys.stderr)
    return report


def finish(report: Report, args: argparse.Namespace, config: Config) -> int:
    """Render and write the report, then choose the exit code."""
    # SARIF carries the checkout root so code scanning can resolve relative paths.
    options = {"srcroot": str(getattr(args, "srcroot", None) or Path.cwd())} if args.format == "sarif" else {}
    if args.format == "text" and getattr(args, "show_unverified", False):  # the LLM layer's --show-unverified
        options["show_unverified"] = True
    text = render(report, args.format, **options)
    if not emit(text, args.output):
        return EXIT_ERROR
    if args.output:
        print(report.verdict_sentence, file=sys.stderr)
    if args.exit_zero:
        return EXIT_CLEAN
    from secreview import api  # imported here: building the parser must not load the review engine

    return EXIT_FINDINGS if api.failing(report, config) else EXIT_CLEAN
