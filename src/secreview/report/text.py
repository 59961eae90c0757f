"""Text: findings grouped by file with their code and fix, the account of the
ten pillars, then exactly one verdict sentence as the last line."""

from __future__ import annotations

from itertools import groupby

from secreview.model import Change, Finding, Report
from secreview.report import llm_text


def _finding(f: Finding) -> list[str]:
    out = [
        f"  {f.path}:{f.line}:{f.column}  {f.rule} {f.name}  [{f.severity}/{f.confidence}]",
        f"    {f.title}: {f.message}",
        f"    CWE-{f.cwe} {f.cwe_name} | pillar CWE-{f.pillar} {f.pillar_name} | type {f.type}",
    ]
    width = len(str(f.end_line))
    for offset, text in enumerate(f.snippet.splitlines()):
        out.append(f"    {str(f.line + offset).rjust(width)} | {text}")
    for step in f.trace:
        out.append(f"    trace {step.path}:{step.line}: {step.note}")
    out.append(f"    fix: {f.fix}")
    if f.suggestion:
        out.append("    suggested rewrite:")
        for offset, text in enumerate(f.suggestion.splitlines()):
            out.append(f"    {str(f.line + offset).rjust(width)} | {text}")
    return out


def _change(change: Change) -> list[str]:
    """What was reviewed: the range or patch, how much it changed, and any limit on the context."""
    added = sum(len(f.changed_lines) for f in change.files)
    scope = "findings the change introduces" if change.new_only else "findings on the changed lines"
    out = [f"Change reviewed: {change.description} — {len(change.files)} file{'s' if len(change.files) != 1 else ''}"
           f", {added} added or modified line{'s' if added != 1 else ''}; reported: {scope}"]
    if change.limited_context:
        out.append("  Context was limited to the patch hunks (the files were not present) for: "
                   + ", ".join(change.limited_context))
    out.append("")
    return out


def render(report: Report, show_unverified: bool = False) -> str:
    lines: list[str] = []
    for path, group in groupby(report.findings, key=lambda f: f.path):
        items = list(group)
        lines.append(f"{path} — {len(items)} finding{'s' if len(items) != 1 else ''}")
        for f in items:
            lines.extend(_finding(f))
            lines.append("")
    lines.extend(llm_text.section(report, show_unverified))
    if report.errors:
        lines.append("Not reviewed:")
        lines.extend(f"  {e.path} [{e.kind}] {e.message}" for e in report.errors)
        lines.append("")
    if report.unused_suppressions:
        lines.append("Unused suppressions:")
        for s in report.unused_suppressions:
            plural = "s" if len(s.unknown) > 1 else ""
            unknown = f" — unknown rule code{plural} {', '.join(s.unknown)}" if s.unknown else ""
            lines.append(f"  {s.path}:{s.line}: {s.text}{unknown}")
        lines.append("")
    if report.change is not None:
        lines.extend(_change(report.change))
    s = report.stats
    lines.append(f"Pillars (CWE-1000) checked by {s.rules} rules over {s.reviewed} of {s.files} files:")
    for p in report.pillars:
        checked = f"{p.rules} rule{'s' if p.rules != 1 else ''}" if p.rules else "not covered by static rules"
        lines.append(f"  CWE-{p.pillar:<4} {p.name:<66} {checked:>28}  {p.findings} finding(s)")
    extra = []
    if s.suppressed:
        extra.append(f"{s.suppressed} suppressed")
    if s.filtered:
        extra.append(f"{s.filtered} below the severity/confidence threshold")
    if extra:
        lines.append("  (" + ", ".join(extra) + ")")
    lines.append("")
    lines.append(report.verdict_sentence)
    return "\n".join(lines) + "\n"
