"""Markdown for a pull-request comment: the verdict, counts by severity and defect type, then each
finding with its rule, CWE and pillar, `path:line`, the code, the trace, the fix and the suggested
rewrite. Findings past the first few fold into a `<details>` block; the whole comment stays under
`max_chars` (GitHub rejects comments over 65,536 characters) and says how many findings were left out.

The helpers here (`finding_block`, `fenced`, `escape`) are shared with the GitHub review format.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from secreview.model import DEFECT_TYPES, Finding, Report, Severity

GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_MAX_CHARS = 60_000  # headroom under GitHub's limit for what a caller adds around the comment
SHOWN_OPEN = 5  # findings shown in full before the rest fold into <details>
MAX_ERRORS = 30  # files listed as not reviewed; the rest are counted
LONG_TRACE = 4  # traces with more steps fold into <details>
SEVERITY_ICON = {Severity.CRITICAL: "🟥", Severity.HIGH: "🔴", Severity.MEDIUM: "🟠", Severity.LOW: "🟡"}
_BACKTICKS = re.compile(r"`+")


def escape(text: str) -> str:
    """Rule messages quote code from the reviewed change: keep it from opening HTML or pinging people."""
    return html.escape(text, quote=False).replace("@", "@\u200b")


def fenced(text: str, lang: str = "python") -> str:
    """A code fence longer than any backtick run inside `text`, so reviewed code cannot close it early."""
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def numbered(f: Finding) -> str:
    width = len(str(f.line + len(f.snippet.splitlines()) - 1))
    return "\n".join(f"{str(f.line + i).rjust(width)}  {text}" for i, text in enumerate(f.snippet.splitlines()))


def headline(f: Finding) -> str:
    return (f"{SEVERITY_ICON[f.severity]} **{f.severity}** · `{f.rule}` {f.name} — {escape(f.title)} "
            f"({f.confidence} confidence)")


def classification(f: Finding) -> str:
    pillar = f"pillar CWE-{f.pillar} {f.pillar_name}" if f.pillar else "pillar unknown"
    return f"CWE-{f.cwe} {escape(f.cwe_name)} · {pillar} · {DEFECT_TYPES.get(f.type, f.type)}"


def trace_lines(f: Finding) -> str:
    steps = "\n".join(f"{i}. `{step.path}:{step.line}` {escape(step.note)}" for i, step in enumerate(f.trace, 1))
    if len(f.trace) > LONG_TRACE:
        return f"<details><summary>Data flow ({len(f.trace)} steps)</summary>\n\n{steps}\n\n</details>"
    return f"Data flow:\n\n{steps}"


def finding_block(f: Finding, *, with_location: bool = True, with_code: bool = True,
                  suggestion_lang: str = "python") -> str:
    """One finding as Markdown. Review comments anchored on the line omit the location and code;
    they pass suggestion_lang="suggestion" so GitHub offers the rewrite as a one-click change."""
    parts = [headline(f), classification(f)]
    if with_location:
        parts[0] = f"{parts[0]}  \n`{f.path}:{f.line}`"
    parts.append(escape(f.message))
    if with_code and f.snippet:
        parts.append(fenced(numbered(f), "python"))
    if f.trace:
        parts.append(trace_lines(f))
    parts.append(f"**Fix:** {escape(f.fix)}")
    if f.suggestion:
        label = "Suggested change:" if suggestion_lang == "suggestion" else \
            f"Suggested rewrite of line{'s' if f.end_line > f.line else ''} {_span(f)}:"
        parts.append(f"{label}\n\n{fenced(f.suggestion, suggestion_lang)}")
    return "\n\n".join(parts)


def _span(f: Finding) -> str:
    return f"{f.line}-{f.end_line}" if f.end_line > f.line else str(f.line)


def counts(findings: tuple[Finding, ...] | list[Finding]) -> str:
    by_severity = Counter(f.severity for f in findings)
    by_type = Counter(DEFECT_TYPES.get(f.type, f.type) for f in findings)
    severities = " · ".join(f"{by_severity[s]} {s}" for s in sorted(by_severity, reverse=True))
    types = " · ".join(f"{n} {name}" for name, n in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"**By severity:** {severities}  \n**By type:** {types}"


def change_line(report: Report) -> str:
    change = report.change
    if change is None:
        return f"Scanned {report.stats.reviewed} of {report.stats.files} files."
    n = len(change.files)
    text = f"Reviewed change {escape(change.description)} ({n} file{'s' if n != 1 else ''})"
    if change.new_only:
        text += "; only findings the change introduces"
    return text + "."


def errors_block(report: Report) -> str:
    if not report.errors:
        return ""
    items = "\n".join(f"- `{e.path}` ({e.kind}): {escape(e.message[:300])}" for e in report.errors[:MAX_ERRORS])
    more = len(report.errors) - MAX_ERRORS
    if more > 0:
        items += f"\n- … and {more} more (see the JSON report)"
    return f"**Not reviewed:**\n\n{items}"


def findings_section(findings: list[Finding], budget: int, open_count: int = SHOWN_OPEN) -> str:
    """Findings in full until `budget` characters are used; the rest counted in a closing note."""
    blocks: list[str] = []
    used = 0
    folded_started = False
    note_room = 200
    for index, f in enumerate(findings):
        block = finding_block(f)
        prefix = ""
        if index >= open_count and not folded_started:
            rest = len(findings) - open_count
            prefix = f"<details><summary>{rest} more finding{'s' if rest != 1 else ''}</summary>\n\n"
        cost = len(prefix) + len(block) + len("\n\n---\n\n") + len("\n\n</details>")
        if used + cost > budget - note_room:
            left = len(findings) - index
            tail = "\n\n</details>" if folded_started else ""
            return "\n\n---\n\n".join(blocks) + tail + (
                f"\n\n**{left} more finding{'s' if left != 1 else ''} not shown** (comment size limit); "
                "the full list is in the JSON or SARIF report.")
        if prefix:
            folded_started = True
            blocks.append(prefix + block)
        else:
            blocks.append(block)
        used += cost
    return "\n\n---\n\n".join(blocks) + ("\n\n</details>" if folded_started else "")


def summary(report: Report, title: str = "secreview") -> list[str]:
    """The opening paragraphs of a comment: verdict headline, what change, counts, what was not reviewed."""
    head = [f"### {escape(title)}: {escape(report.verdict_sentence)}", change_line(report)]
    if report.findings:
        head.append(counts(report.findings))
    errors = errors_block(report)
    if errors:
        head.append(errors)
    return head


def render(report: Report, max_chars: int = DEFAULT_MAX_CHARS, title: str = "secreview") -> str:
    text = "\n\n".join(summary(report, title))
    if report.findings:
        budget = max(0, max_chars - len(text) - 10)
        text += "\n\n" + findings_section(sorted(report.findings, key=_priority), budget)
    return text[:max_chars] + "\n"


def _priority(f: Finding) -> tuple:
    """Most severe first, then by location, so a truncated comment drops the least important findings."""
    return (-f.severity.rank, -f.confidence.rank, f.sort_key)
