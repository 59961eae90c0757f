"""Text, the default report: findings grouped by file (production code first, then test code when it is
shown), each a compact block — header, message, classification, code, trace, fix, suggested rewrite —
then what could not be reviewed, unused suppressions, the pillar account (only when asked for), a
summary of a few lines, and exactly one verdict sentence as the last line.

Everything fits `width` columns except the verdict sentence (never wrapped, so it can be matched
exactly); code lines too long for it are cropped and end with `…`. With `color` the same lines are
styled by rich (see terminal.py); the words never change with colour.
"""

from __future__ import annotations

from itertools import groupby

from secreview.config import Config
from secreview.model import Finding, Report
from secreview.report import llm_text, summary
from secreview.report.summary import plural
from secreview.report.terminal import (
    MIN_WIDTH,
    NBSP,
    PIPE_WIDTH,
    SEVERITY_STYLE,
    Line,
    code_lines,
    crop,
    fit,
    flow,
    paint,
    wrap,
)

BODY = "    "  # a finding's lines under its header
VERDICT_STYLE = {"defects": "bold red", "incomplete": "bold yellow", "clean": "bold green"}


def render(report: Report, show_unverified: bool = False, color: bool = False, width: int = PIPE_WIDTH,
           pillars: bool = False, config: Config | None = None) -> str:
    """The report as text `width` columns wide; `pillars` adds the CWE-1000 account, `config` (the run's)
    says which thresholds hid findings and how to show them."""
    width = max(width, MIN_WIDTH)
    lines: list[Line] = []
    production = [f for f in report.findings if not f.test_code]
    in_tests = [f for f in report.findings if f.test_code]
    lines.extend(_findings(production, width, color))
    if in_tests:
        files = len({f.path for f in in_tests})
        lines.extend(wrap(f"In test code: {plural(len(in_tests), 'finding')} in {plural(files, 'file')}", width,
                          style="bold"))
        lines.append([])
        lines.extend(_findings(in_tests, width, color))
    for text in llm_text.section(report, show_unverified):
        indent = " " * (len(text) - len(text.lstrip()))
        lines.extend(wrap(text.strip(), width, indent, indent + "    ") if text else [[]])
    lines.extend(error_lines(report, width))
    lines.extend(suppression_lines(report, width))
    if pillars:
        lines.extend(pillar_table(report, width))
    lines.extend(summary_lines(report, config, width))
    lines.append([])
    lines.append([(report.verdict_sentence, VERDICT_STYLE[report.verdict])])
    return paint(lines, color)


def summary_lines(report: Report, config: Config | None, width: int) -> list[Line]:
    """The summary wrapped to `width`; an entry's leading spaces indent all its lines."""
    lines: list[Line] = []
    for entry in summary.lines(report, config):
        first = entry[0][0] if entry else ""
        indent = first[: len(first) - len(first.lstrip(" "))]
        entry = [(first.lstrip(" "), entry[0][1]), *entry[1:]] if entry else entry
        lines.extend(flow(entry, width, indent, indent + "    "))
    return lines


def _findings(findings: list[Finding], width: int, color: bool) -> list[Line]:
    lines: list[Line] = []
    for path, group in groupby(findings, key=lambda f: f.path):
        items = list(group)
        lines.extend(flow([(path, "bold"), (f" — {plural(len(items), 'finding')}", "")], width, "", "    "))
        first_with_fix: dict[tuple[str, str], int] = {}  # a fix already given in this file is referred to
        for f in items:
            lines.extend(finding_block(f, width, color, first_with_fix.get((f.rule, f.fix))))
            lines.append([])
            first_with_fix.setdefault((f.rule, f.fix), f.line)
    return lines


def finding_block(f: Finding, width: int, color: bool, fix_given_at: int | None = None) -> list[Line]:
    """One finding; `fix_given_at`: the line of an earlier finding in the same file with the same fix."""
    severity, confidence = f.severity.value, f.confidence.value
    lines = fit([[(f.path, "bold"), (f":{f.line}:{f.column}", "")],
                 [(f.rule, "bold"), (f" {f.name}", "")],
                 [("severity ", ""), (severity, SEVERITY_STYLE[severity]), (f" · confidence {confidence}", "")]],
                width, indent="  ", hanging=BODY)
    lines.extend(wrap(f"{f.title}: {f.message}", width, BODY))
    classification = f"pillar CWE-{f.pillar} · type {f.type}".replace(" ", NBSP)  # wrapped as one piece
    lines.extend(wrap(f"CWE-{f.cwe} ({f.cwe_name}) · {classification}", width, BODY, style="dim"))
    lines.extend(_code(f.snippet, f.line, len(str(f.end_line)), width, color))
    for i, step in enumerate(f.trace):  # one step a line, under each other: trace: a.py:3 source: ...
        indent = BODY + ("" if i == 0 else " " * len("trace: "))
        label = [("trace: ", "bold")] if i == 0 else []
        lines.extend(flow([*label, (f"{step.path}:{step.line}", "bold"), (f" {step.note}", "")], width, indent,
                          BODY + " " * (len("trace: ") + 2)))
    fix = f"as for line {fix_given_at} above" if fix_given_at is not None else f.fix
    lines.extend(flow([("fix: ", "bold green"), (fix, "")], width, BODY, BODY + "     "))
    if f.suggestion:
        lines.append([(BODY, ""), ("suggested rewrite:", "bold green")])
        lines.extend(_code(f.suggestion, f.line, len(str(f.end_line)), width, color))
    return lines


def _code(code: str, first: int, digits: int, width: int, color: bool) -> list[Line]:
    """Numbered source lines; a line wider than `width` is cropped (ending in `…`), never wrapped."""
    return [crop([(f"{BODY}{str(first + i).rjust(digits)} | ", "dim"), *spans], width)
            for i, spans in enumerate(code_lines(code, color))]


def error_lines(report: Report, width: int) -> list[Line]:
    if not report.errors:
        return []
    lines: list[Line] = [[("Not reviewed:", "bold yellow")]]
    for e in report.errors:
        lines.extend(flow([(e.path, "bold"), (f" [{e.kind}] {e.message}", "")], width, "  ", "      "))
    lines.append([])
    return lines


def suppression_lines(report: Report, width: int) -> list[Line]:
    if not report.unused_suppressions:
        return []
    lines: list[Line] = [[("Unused suppressions:", "bold")]]
    for s in report.unused_suppressions:
        plural_s = "s" if len(s.unknown) > 1 else ""
        unknown = f" — unknown rule code{plural_s} {', '.join(s.unknown)}" if s.unknown else ""
        lines.extend(flow([(f"{s.path}:{s.line}", "bold"), (f": {s.text}", ""), (unknown, "yellow")], width,
                          "  ", "      "))
    lines.append([])
    return lines


def pillar_table(report: Report, width: int) -> list[Line]:
    """The ten CWE-1000 pillars: how many enabled rules check each, how many findings fell under it."""
    s = report.stats
    lines = wrap(f"Pillars (CWE-1000) checked by {plural(s.rules, 'rule')} over {plural(s.reviewed, 'reviewed file')}:",
                 width, style="bold")
    for p in report.pillars:
        rules = plural(p.rules, "rule") if p.rules else "not covered"
        counts = f"{rules:>11}  {plural(p.findings, 'finding'):>13}"
        room = width - len("  CWE-284  ") - 2 - len(counts)
        name = crop([(p.name, "")], room)
        padding = " " * (room - sum(len(text) for text, _ in name))
        lines.append([(f"  CWE-{p.pillar:<4} ", ""), *name, (padding + "  " + counts, "")])
    lines.append([])
    return lines
