"""`secreview rules` and `secreview rule CODE`: the rule table and one rule explained, from the rules'
data alone (a rule read from the rule index explains itself without importing its module)."""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Sequence
from typing import Any

from secreview.model import DEFECT_TYPES
from secreview.ruleset import Rule, rule_info
from secreview.taint_kinds import SINK_KINDS, SOURCE_KINDS

TABLE_COLUMNS = ("CODE", "NAME", "CWE", "PILLAR", "TYPE", "SEVERITY", "CONFIDENCE", "TITLE")
FIELD_WIDTH = 13  # "Confidence:  " — the labels of `rule CODE` line up their values


def table(rules: Sequence[Rule], width: int) -> list[str]:
    """A header row, one aligned row per rule, and the count; a title that would pass `width`
    columns is cut with an ellipsis (at least one character of it stays)."""
    rows = [(i.code, i.name, str(i.cwe), str(i.pillar), i.type, i.severity.value, i.confidence.value, i.title)
            for i in map(rule_info, rules)]
    widths = [max(len(row[c]) for row in [TABLE_COLUMNS, *rows]) for c in range(len(TABLE_COLUMNS) - 1)]
    lines = []
    for row in [TABLE_COLUMNS, *rows]:
        start = " ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + " "
        lines.append(start + _cut(row[-1], max(width - len(start), 2)))
    lines.append(f"{len(rows)} rules")
    return lines


def _cut(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


def find(rules: Sequence[Rule], token: str) -> Rule | None:
    """The rule whose code or name is `token`, in any case."""
    wanted = token.strip().casefold()
    return next((r for r in rules if wanted in (r.meta.code.casefold(), r.meta.name.casefold())), None)


def close_matches(rules: Sequence[Rule], token: str) -> list[str]:
    """Codes and names that look like `token` (a typo), best first."""
    spellings = {s.casefold(): s for r in rules for s in (r.meta.code, r.meta.name)}
    return [spellings[m] for m in difflib.get_close_matches(token.strip().casefold(), list(spellings), n=3)]


def fields(rule: Rule) -> dict[str, Any]:
    """`secreview rule CODE --format json`."""
    info = rule_info(rule)
    summary, sections = _documentation(rule)
    return {
        "code": info.code, "name": info.name, "title": info.title, "cwe": info.cwe, "cwe_name": info.cwe_name,
        "pillar": info.pillar, "pillar_name": info.pillar_name, "type": info.type,
        "type_name": DEFECT_TYPES.get(info.type, info.type), "severity": info.severity.value,
        "confidence": info.confidence.value, "fix": info.fix, "bandit": list(rule.meta.bandit),
        "taint": None if rule.taint is None else {"sources": sorted(rule.taint.sources),
                                                  "sinks": sorted(rule.taint.sinks)},
        "summary": summary, "sections": sections,
    }


def explain(rule: Rule, width: int = 100) -> str:
    """`secreview rule CODE`: plain text."""
    data = fields(rule)
    lines = [f"{data['code']} {data['name']}", data["title"], ""]

    def field(label: str, value: str) -> None:  # label "": one more value of the field above
        head = f"{label + ':':<{FIELD_WIDTH}}" if label else " " * FIELD_WIDTH
        lines.extend(textwrap.wrap(value, width, initial_indent=head, subsequent_indent=" " * FIELD_WIDTH,
                                   break_on_hyphens=False))

    field("CWE", f"CWE-{data['cwe']} {data['cwe_name']}".rstrip())
    field("Pillar", f"CWE-{data['pillar']} {data['pillar_name']}" if data["pillar"] else "none")
    field("Type", f"{data['type']} ({data['type_name']})")
    field("Severity", f"{data['severity']} (default)")
    field("Confidence", f"{data['confidence']} (default)")
    field("Bandit", ", ".join(data["bandit"]) or "none")
    if data["taint"] is not None:
        for label, kinds, words in (("Sources", data["taint"]["sources"], SOURCE_KINDS),
                                    ("Sinks", data["taint"]["sinks"], SINK_KINDS)):
            for index, kind in enumerate(kinds):
                field(label if index == 0 else "", f"{kind}: {words.get(kind, kind)}")
    field("Fix", data["fix"])
    if data["summary"]:
        lines += ["", *data["summary"].splitlines()]
    for heading, text in data["sections"].items():
        lines += ["", heading, *_indented(text)]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _documentation(rule: Rule) -> tuple[str, dict[str, str]]:
    """The docstring's text before its first heading, and its sections in their order."""
    summary = rule.doc.split("\n## ", 1)[0].strip() if not rule.doc.lstrip().startswith("## ") else ""
    return summary, dict(rule.sections)


def _indented(text: str) -> list[str]:
    """A section as plain text: prose indented by two spaces, code blocks by four, without fences."""
    out, in_code = [], False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
            continue
        out.append(("    " if in_code else "  ") + line if line.strip() else "")
    return out
