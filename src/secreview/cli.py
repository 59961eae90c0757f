"""Command line: parse arguments, call the API, render, choose the exit code.

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,
2 usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from secreview import __version__, api
from secreview.audit import command as audit_command
from secreview.bench import command as bench_command
from secreview.config import ConfigError
from secreview.config import load as load_config
from secreview.cwe import describe, load_catalog, parse_cwe_id
from secreview.model import Confidence, Severity
from secreview.output import emit
from secreview.report import FORMATS, render
from secreview.ruledocs import reference
from secreview.ruleset import RuleError, load_rules

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 already; keep the message short
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"secreview: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="secreview", description="Grounded security review of Python code.")
    parser.add_argument("--version", action="version", version=f"secreview {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = sub.add_parser("scan", help="review Python files and directories")
    scan.add_argument("paths", nargs="+", metavar="PATH")
    scan.add_argument("--format", choices=FORMATS, default="text")
    scan.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    scan.add_argument("--severity", choices=[s.value for s in Severity], help="report findings at or above")
    scan.add_argument("--confidence", choices=[c.value for c in Confidence], help="report findings at or above")
    scan.add_argument("--fail-on", choices=[s.value for s in Severity], dest="fail_on",
                      help="exit 1 when a reported finding is at or above this severity (default: low)")
    scan.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are reported")
    scan.add_argument("--select", action="append", metavar="RULES", help="only these codes, names, prefixes or types")
    scan.add_argument("--ignore", action="append", metavar="RULES", help="skip these codes, names, prefixes or types")
    scan.add_argument("--exclude", action="append", metavar="GLOB", help="skip paths matching GLOB (repeatable)")
    scan.add_argument("--no-gitignore", dest="respect_gitignore", action="store_false", default=None,
                      help="also review files that .gitignore ignores")
    scan.add_argument("--max-file-size", type=int, dest="max_file_size", metavar="BYTES")
    scan.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: all cores)")
    scan.add_argument("--no-cache", dest="cache", action="store_false", default=None,
                      help="review every file again instead of reusing results of unchanged files")
    scan.add_argument("--progress", dest="progress", action="store_true", default=None)
    scan.add_argument("--no-progress", dest="progress", action="store_false")

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    cwe = sub.add_parser("cwe", help="show a CWE's name, CWE-1000 parent chain and pillar")
    cwe.add_argument("id", metavar="ID", help="e.g. 78 or CWE-78")
    audit_command.register(sub)
    bench_command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors end here; callers get the code
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_ERROR
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "audit":
            return audit_command.run(args)
        if args.command == "bench":
            return bench_command.run(args)
        return _cwe(args)
    except (ConfigError, RuleError) as exc:
        print(f"secreview: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("secreview: interrupted", file=sys.stderr)
        return EXIT_ERROR


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _scan(args: argparse.Namespace) -> int:
    cli = {
        "severity": args.severity, "confidence": args.confidence, "fail_on": args.fail_on,
        "select": _split(args.select), "ignore": _split(args.ignore), "exclude": _split(args.exclude),
        "respect_gitignore": args.respect_gitignore, "max_file_size": args.max_file_size, "jobs": args.jobs,
        "progress": args.progress, "cache": args.cache,
    }
    config = load_config(cli)
    with _progress_bar(config.progress) as progress:
        report = api.review(args.paths, config, progress=progress)
    # SARIF carries the checkout root so code scanning can resolve relative paths.
    options = {"srcroot": str(Path.cwd())} if args.format == "sarif" else {}
    text = render(report, args.format, **options)
    if not emit(text, args.output):
        return EXIT_ERROR
    if args.output:
        print(report.verdict_sentence, file=sys.stderr)
    if args.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if api.failing(report, config) else EXIT_CLEAN


def _rules(args: argparse.Namespace) -> int:
    infos = [api.rule_info(r) for r in load_rules()]
    if args.format == "markdown":
        sys.stdout.write(reference(infos))
        return EXIT_CLEAN
    if args.format == "json":
        keys = ("code", "name", "title", "cwe", "cwe_name", "pillar", "pillar_name", "type", "severity", "confidence")
        rows = [{k: str(getattr(i, k)) if k in ("severity", "confidence") else getattr(i, k) for k in keys}
                for i in infos]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_CLEAN
    for i in infos:
        print(f"{i.code}  {i.name:<34} CWE-{i.cwe:<5} pillar {i.pillar:<4} {i.type:<9} "
              f"{i.severity.value:<8} {i.confidence.value:<6} {i.title}")
    print(f"{len(infos)} rules")
    return EXIT_CLEAN


def _cwe(args: argparse.Namespace) -> int:
    try:
        cwe_id = parse_cwe_id(args.id)
    except ValueError as exc:
        print(f"secreview: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    catalog = load_catalog()
    entry = catalog.get(cwe_id)
    if entry is None:
        print(f"secreview: error: CWE-{cwe_id} is not in the CWE {catalog.version} catalog", file=sys.stderr)
        return EXIT_ERROR
    print(describe(entry, catalog))
    return EXIT_CLEAN


def _interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


@contextmanager
def _progress_bar(wanted: bool | None):
    """A progress bar on an interactive terminal; nothing in pipes and CI."""
    if not (wanted if wanted is not None else _interactive()):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("reviewing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("review", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
