"""Command line: parse arguments, call the API, render, choose the exit code.

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,
2 usage, configuration or internal error.

Start-up time is part of the interface (a pre-commit hook runs this once per commit): the parser
defines the arguments of the command being run only (their definitions import what their choices
need), and each command imports what it needs when it runs. tests/test_startup.py checks what
`--version` and a warm scan import.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

from secreview import __version__, cliargs

if TYPE_CHECKING:
    from secreview.ruleset import Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
CHANGE_COMMANDS = ("diff", "baseline")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 already; keep the message short
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"secreview: error: {message}\n")


def _scan_arguments(scan: argparse.ArgumentParser) -> None:
    from secreview import cliopts
    from secreview.llm import options as llm_options

    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="default: the current directory")
    cliopts.add_output(scan)
    cliopts.add_selection(scan)
    scan.add_argument("--no-gitignore", dest="respect_gitignore", action="store_false", default=None,
                      help="also review files that .gitignore ignores")
    scan.add_argument("--progress", dest="progress", action="store_true", default=None)
    scan.add_argument("--no-progress", dest="progress", action="store_false")
    llm_options.add_arguments(scan)


def _rules_arguments(rules: argparse.ArgumentParser) -> None:
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")


def _rule_arguments(rule: argparse.ArgumentParser) -> None:
    rule.add_argument("rule", metavar="CODE", help="a rule code or name, e.g. SR101 or shell-command-injection")
    rule.add_argument("--format", choices=("text", "json"), default="text")


def _cwe_arguments(cwe: argparse.ArgumentParser) -> None:
    cwe.add_argument("id", metavar="ID", help="e.g. 78 or CWE-78")


# name -> (help, description, the function that defines its arguments)
_COMMANDS: dict[str, tuple[str, str | None, Callable[[argparse.ArgumentParser], None]]] = {
    "scan": ("review Python files and directories", None, _scan_arguments),
    "rules": ("list the rules", None, _rules_arguments),
    "rule": ("explain one rule: what it flags, why, an example, the fix", None, _rule_arguments),
    "cwe": ("show a CWE's name, CWE-1000 parent chain and pillar", None, _cwe_arguments),
    "audit": ("check free-text review answers (e.g. an LLM's) against the code they review",
              "Parse each answer's verdict and claims, check every name, line and CWE it cites against the code, "
              "raise quality flags, and find the consensus.", cliargs.audit),
    "bench": ("score secreview (or another tool's SARIF) against labeled data",
              "Precision, recall and F1 at line and file level, paired TPR/FPR/Youden and top-k detection rates, "
              "for secreview and any SARIF logs, side by side.", cliargs.bench),
    "diff": ("review what a code change introduces, on the lines it touches",
             "Review the new version of each changed Python file and report the findings on added or modified "
             "lines (or whose data-flow trace passes through one).", cliargs.diff),
    "baseline": ("record today's findings so later runs report only new ones", None, cliargs.baseline),
    "post": ("post a review to a GitHub pull request or a Gerrit change",
             "Post secreview's findings as a review: line comments with fixes and suggested rewrites, and a summary.",
             cliargs.post),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; `command`: define the arguments of that command only (what `main` does: the others
    are listed by `--help` but not defined), None: of every command."""
    parser = _Parser(prog="secreview", description="Grounded security review of Python code.")
    parser.add_argument("-V", "--version", action="version", version=f"secreview {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (summary, description, define) in _COMMANDS.items():
        command_parser = sub.add_parser(name, help=summary, description=description)
        if command is None or command == name:
            define(command_parser)
    return parser


def _command_in(argv: Sequence[str]) -> str:
    """The command `argv` names: its first word that is not an option (the top level has no option
    that takes a value); "" when there is none (`--help`, `--version`)."""
    return next((word for word in argv if not word.startswith("-")), "")


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser(_command_in(argv)).parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors end here; callers get the code
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_ERROR
    try:
        return _run(args)
    except BrokenPipeError:
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("secreview: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        if not isinstance(exc, _usage_errors()):
            raise
        print(f"secreview: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _usage_errors() -> tuple[type[Exception], ...]:
    """Errors that mean "fix your configuration, rules selection or baseline" (exit 2, one line);
    their modules are imported only once something has gone wrong."""
    from secreview.change.baseline import BaselineError
    from secreview.config import ConfigError
    from secreview.ruleset import RuleError

    return ConfigError, RuleError, BaselineError


def _run(args: argparse.Namespace) -> int:
    if args.command == "scan":
        return _scan(args)
    if args.command == "rules":
        return _rules(args)
    if args.command == "rule":
        return _rule(args)
    if args.command == "cwe":
        return _cwe(args)
    if args.command == "audit":
        from secreview.audit import command as audit_command

        return audit_command.run(args)
    if args.command == "bench":
        from secreview.bench import command as bench_command

        return bench_command.run(args)
    if args.command == "post":
        from secreview.post import command as post_command

        return post_command.run(args)
    assert args.command in CHANGE_COMMANDS, args.command
    from secreview.change import command as change_command

    return change_command.run(args)


def _scan(args: argparse.Namespace) -> int:
    from secreview import api, cliopts
    from secreview.llm import options as llm_options

    if missing := cliopts.missing_paths(args.paths):
        return cliopts.report_missing(missing)
    config = cliopts.config_from(args, respect_gitignore=args.respect_gitignore, progress=args.progress)
    with _progress_bar(config.progress) as progress:
        report = api.review(args.paths, config, progress=progress, llm=llm_options.settings_from_args(args))
    if getattr(args, "baseline", None):
        from secreview.change.baseline import apply_file  # loaded only when a baseline is given

        report = apply_file(report, args.baseline)
    return cliopts.finish(report, args, config)


def _all_rules() -> tuple[Rule, ...]:
    """Every rule, from the rule index in the default cache directory (no rule module is imported)."""
    from secreview.cache import code_signature, default_dir
    from secreview.ruleindex import indexed_rules

    return indexed_rules(default_dir(), code_signature())


def _rules(args: argparse.Namespace) -> int:
    rules = _all_rules()
    if args.format == "markdown":
        from secreview.ruledocs import reference
        from secreview.ruleset import rule_info

        sys.stdout.write(reference([rule_info(r) for r in rules]))
        return EXIT_CLEAN
    if args.format == "json":
        from secreview.explain import fields

        keys = ("code", "name", "title", "cwe", "cwe_name", "pillar", "pillar_name", "type", "severity", "confidence")
        sys.stdout.write(json.dumps([{k: f[k] for k in keys} for f in map(fields, rules)], indent=2) + "\n")
        return EXIT_CLEAN
    from secreview.explain import table

    print("\n".join(table(rules, _width())))
    return EXIT_CLEAN


def _rule(args: argparse.Namespace) -> int:
    from secreview.explain import close_matches, explain, fields, find

    rules = _all_rules()
    rule = find(rules, args.rule)
    if rule is None:
        print(f"secreview: error: unknown rule {args.rule!r}; `secreview rules` lists them", file=sys.stderr)
        near = close_matches(rules, args.rule)
        if near:
            print(f"did you mean: {', '.join(near)}", file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        sys.stdout.write(json.dumps(fields(rule), indent=2) + "\n")
    else:
        sys.stdout.write(explain(rule, _width()))
    return EXIT_CLEAN


def _width() -> int:
    """The terminal's width (COLUMNS when set); 100 when the output is not a terminal."""
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def _cwe(args: argparse.Namespace) -> int:
    from secreview.cwe import describe, load_catalog, parse_cwe_id

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
    """A progress bar on an interactive terminal; nothing in pipes and CI. It names the stage: the
    project phase ("summarising modules", taint summaries of the modules other modules import), then
    "reviewing" the files."""
    if not (wanted if wanted is not None else _interactive()):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("preparing", total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        yield update
