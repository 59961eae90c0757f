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

from secreview import __version__, api, cliopts
from secreview.audit import command as audit_command
from secreview.bench import command as bench_command
from secreview.change import command as change_command
from secreview.change.baseline import BaselineError
from secreview.config import ConfigError
from secreview.cwe import describe, load_catalog, parse_cwe_id
from secreview.llm import options as llm_options
from secreview.post import command as post_command
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
    cliopts.add_output(scan)
    cliopts.add_selection(scan)
    scan.add_argument("--no-gitignore", dest="respect_gitignore", action="store_false", default=None,
                      help="also review files that .gitignore ignores")
    scan.add_argument("--progress", dest="progress", action="store_true", default=None)
    scan.add_argument("--no-progress", dest="progress", action="store_false")
    llm_options.add_arguments(scan)

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    cwe = sub.add_parser("cwe", help="show a CWE's name, CWE-1000 parent chain and pillar")
    cwe.add_argument("id", metavar="ID", help="e.g. 78 or CWE-78")
    audit_command.register(sub)
    bench_command.register(sub)
    change_command.register(sub)
    post_command.register(sub)
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
        if args.command == "post":
            return post_command.run(args)
        if args.command in change_command.COMMANDS:
            return change_command.run(args)
        return _cwe(args)
    except (ConfigError, RuleError, BaselineError) as exc:
        print(f"secreview: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("secreview: interrupted", file=sys.stderr)
        return EXIT_ERROR


def _scan(args: argparse.Namespace) -> int:
    if missing := cliopts.missing_paths(args.paths):
        return cliopts.report_missing(missing)
    config = cliopts.config_from(args, respect_gitignore=args.respect_gitignore, progress=args.progress)
    with _progress_bar(config.progress) as progress:
        report = api.review(args.paths, config, progress=progress, llm=llm_options.settings_from_args(args))
    return cliopts.finish(cliopts.apply_baseline(report, args), args, config)


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
