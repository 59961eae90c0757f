"""Options shared by the commands that review code (`scan`, `diff`, `baseline create`): how findings
are chosen, rendered and turned into an exit code, defined once so the commands cannot drift apart."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secreview.config import Config
from secreview.config import load as load_config
from secreview.model import Confidence, Report, Severity
from secreview.output import emit
from secreview.report import FORMATS, render
from secreview.report.sarif import uri_options as sarif_uri_options
from secreview.report.terminal import wants_color, width_for

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def add_selection(p: argparse.ArgumentParser) -> None:
    """Which rules run and which findings count."""
    p.add_argument("--severity", choices=[s.value for s in Severity], help="report findings at or above")
    p.add_argument("--confidence", choices=[c.value for c in Confidence], help="report findings at or above")
    p.add_argument("--select", action="append", metavar="RULES", help="only these codes, names, prefixes or types")
    p.add_argument("--ignore", action="append", metavar="RULES", help="skip these codes, names, prefixes or types")
    p.add_argument("--exclude", action="append", metavar="GLOB",
                   help="skip paths matching GLOB, instead of the configured excludes (repeatable; see README)")
    p.add_argument("--extend-exclude", action="append", dest="extend_exclude", metavar="GLOB",
                   help="skip paths matching GLOB, besides the configured excludes (repeatable)")
    p.add_argument("--per-file-ignores", action="append", dest="per_file_ignores", metavar="GLOB:RULES",
                   help="do not report RULES (codes, names, prefixes, types) in files matching GLOB (repeatable)")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--project", metavar="DIR",
                       help="learn from this project's modules (default: the nearest directory above the reviewed "
                            "paths holding .git, pyproject.toml, setup.cfg or setup.py)")
    scope.add_argument("--no-project", dest="project", action="store_false", default=None,
                       help="learn only from the reviewed paths")
    p.add_argument("--test-code", dest="test_code", choices=("demote", "drop", "keep"),
                   help="findings in test code: demoted to low confidence (default; hidden unless --confidence "
                        "low), dropped, or kept as they are")
    p.add_argument("--max-file-size", type=int, dest="max_file_size", metavar="BYTES")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--no-cache", dest="cache", action="store_false", default=None,
                   help="review every file again instead of reusing results of unchanged files")


def add_output(p: argparse.ArgumentParser) -> None:
    """Where the report goes, in which format, and what the exit code says."""
    p.add_argument("--format", "--output-format", choices=FORMATS, default=None, metavar="FORMAT",
                   help=f"{', '.join(FORMATS)} (default: from the extension of --output, else text)")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="write the report here instead of stdout (.sarif, .json, .html, .md, .txt choose the format)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the text report: auto (default) on a terminal only, honouring NO_COLOR and FORCE_COLOR")
    p.add_argument("--pillars", action="store_true",
                   help="text: add the account of the ten CWE-1000 pillars (JSON and SARIF always carry it)")
    p.add_argument("--fail-on", choices=[s.value for s in Severity], dest="fail_on",
                   help="exit 1 when a reported finding is at or above this severity (default: low)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are reported")
    p.add_argument("--baseline", metavar="FILE",
                   help="hide findings recorded in this baseline (see `secreview baseline create`)")
    add_allow_incomplete(p)


def add_allow_incomplete(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-incomplete", dest="allow_incomplete", action="store_true", default=None,
                   help="exit by the findings alone when part of the review did not finish (default: exit 2)")


# The format an --output file name implies when --format is not given (first match wins: .sarif.json is SARIF).
_EXTENSIONS = ((".sarif.json", "sarif"), (".sarif", "sarif"), (".json", "json"), (".html", "html"),
               (".htm", "html"), (".md", "markdown"), (".txt", "text"))


def output_format(args: argparse.Namespace) -> str:
    """--format when given; else the format the --output extension names (text for any other name)."""
    if getattr(args, "format", None):
        return str(args.format)
    name = (getattr(args, "output", None) or "").lower()
    fmt = next((fmt for ext, fmt in _EXTENSIONS if name.endswith(ext)), "text")
    return fmt if fmt in FORMATS else "text"


def _text_options(args: argparse.Namespace, fmt: str, config: Config) -> dict[str, object]:
    """Colour and width for the reports people read: decided here, from the flags, the environment and
    where the report goes, so the renderers stay pure."""
    to_file = bool(getattr(args, "output", None))
    options: dict[str, object] = {"color": wants_color(getattr(args, "color", "auto"), sys.stdout, to_file),
                                  "width": width_for(sys.stdout, to_file), "config": config}
    if fmt == "text":
        options["pillars"] = bool(getattr(args, "pillars", False))
        if getattr(args, "show_unverified", False):  # the LLM layer's --show-unverified
            options["show_unverified"] = True
    return options


def split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def split_globs(values: list[str] | None) -> list[str] | None:
    from secreview.paths import split_patterns

    return None if values is None else [p for value in values for p in split_patterns(value)]


def config_from(args: argparse.Namespace, **extra: object) -> Config:
    cli = {
        "severity": args.severity, "confidence": args.confidence, "fail_on": getattr(args, "fail_on", None),
        "select": split(args.select), "ignore": split(args.ignore), "exclude": split_globs(args.exclude),
        "extend_exclude": split_globs(getattr(args, "extend_exclude", None)),
        "per_file_ignores": getattr(args, "per_file_ignores", None), "test_code": getattr(args, "test_code", None),
        "project": getattr(args, "project", None),
        "max_file_size": args.max_file_size, "jobs": args.jobs, "cache": args.cache,
        "allow_incomplete": getattr(args, "allow_incomplete", None), **extra,
    }
    return load_config(cli)


def missing_paths(paths: list[str]) -> list[str]:
    """The given paths that do not exist: a usage error (exit 2) before any review, as a typo in a CI
    path must not pass the gate as a review of nothing."""
    return [p for p in paths if not Path(p).exists() and not Path(p).is_symlink()]


def report_missing(paths: list[str]) -> int:
    for path in paths:
        print(f"secreview: error: {path}: no such file or directory", file=sys.stderr)
    return EXIT_ERROR


def exit_code(report: Report, config: Config, exit_zero: bool) -> int:
    """2 when the review did not finish (unless allowed), else 1 for findings at or above `fail_on`
    (unless --exit-zero), else 0. An unfinished review is never a pass: what was not reviewed may
    hold the defect the gate is for."""
    if not report.complete and not config.allow_incomplete:
        parts = "; ".join(report.unfinished_parts())
        print(f"secreview: exit {EXIT_ERROR}, the review is incomplete: {parts}; --allow-incomplete exits by "
              "the findings alone", file=sys.stderr)
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    from secreview import api  # imported here: building the parser must not load the review engine

    return EXIT_FINDINGS if api.failing(report, config) else EXIT_CLEAN


def finish(report: Report, args: argparse.Namespace, config: Config) -> int:
    """Render and write the report, then choose the exit code."""
    fmt = output_format(args)
    # SARIF carries the checkout root so code scanning can resolve relative paths.
    options: dict[str, object] = {}
    if fmt == "sarif":
        options.update(sarif_uri_options(getattr(args, "srcroot", None), Path.cwd()))
    if fmt in ("text", "concise"):
        options.update(_text_options(args, fmt, config))
    text = render(report, fmt, **options)
    if not emit(text, args.output):
        return EXIT_ERROR
    if args.output:
        print(report.verdict_sentence, file=sys.stderr)
    return exit_code(report, config, args.exit_zero)
