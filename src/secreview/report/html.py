"""HTML: one self-contained page (inline CSS and JS, nothing fetched from anywhere) for people to read.

Header: the verdict sentence, the tool version, what was reviewed, counts by severity and the change
reviewed. Then the findings grouped by file, each with rule, title, labelled severity and confidence, CWE,
pillar, defect type, `path:line:column`, the numbered code, the message, the data-flow trace, the fix and
the suggested rewrite. Checkboxes filter the findings by severity, defect type and pillar (plain JS;
without JS every finding stays visible). Then the LLM layer's account, the files not reviewed, unused
suppressions and the pillar table. Every text that comes from the report is escaped: paths, code and
messages quote the reviewed code, which may hold markup.
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape

from secreview.model import DEFECT_TYPES, Change, Finding, Report, Severity
from secreview.report import html_llm
from secreview.report.html_assets import SCRIPT, STYLE

# No resource may come from anywhere but this file, even if markup ever slipped past the escaping.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
SEVERITIES = tuple(reversed(Severity))  # most severe first
_BACKTICKED = re.compile(r"`([^`\n]+)`")


def e(value: object) -> str:
    return escape(str(value), quote=True)


def prose(text: str) -> str:
    """Escaped text whose `backticked` parts (rule messages quote code that way) become <code>."""
    return _BACKTICKED.sub(r"<code>\1</code>", e(text))


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def numbered_code(text: str, first_line: int) -> str:
    rows = "".join(f'<span class="line"><span class="ln">{first_line + i}</span>{e(line) or " "}</span>'
                   for i, line in enumerate(text.splitlines()))
    return f'<pre class="code">{rows}</pre>'


def _pillar(f: Finding) -> str:
    return f"CWE-{f.pillar} {f.pillar_name}" if f.pillar else "unknown"


def _meta(label: str, value: str) -> str:
    return f"<div><dt>{label}</dt><dd>{value}</dd></div>"


def _finding(f: Finding, number: int) -> str:
    tags = [f'<span class="badge sev-{e(f.severity)}">{e(f.severity)}</span>']
    if f.test_code:
        tags.append('<span class="tag">test code</span>')
    if f.origin == "llm":
        tags.append('<span class="tag">LLM review, verified against the code</span>')
    meta = "".join([
        _meta("Location", f"<code>{e(f.path)}:{f.line}:{f.column}</code>"),
        _meta("Severity", e(f.severity)),
        _meta("Confidence", e(f.confidence)),
        _meta("Type", e(DEFECT_TYPES.get(f.type, f.type))),
        _meta("CWE", f"CWE-{e(f.cwe)} {e(f.cwe_name)}"),
        _meta("Pillar", e(_pillar(f))),
    ])
    parts = [
        f'<article class="finding sev-{e(f.severity)}" id="finding-{number}" data-rule="{e(f.rule)}" '
        f'data-line="{f.line}" data-severity="{e(f.severity)}" data-type="{e(f.type)}" data-pillar="{f.pillar}">',
        f'<header class="finding-head">{tags[0]}<h3><code class="rule">{e(f.rule)}</code> '
        f'<span class="rule-name">{e(f.name)}</span></h3>{"".join(tags[1:])}'
        f'<a class="anchor" href="#finding-{number}" aria-label="link to this finding">#</a></header>',
        f'<p class="title">{prose(f.title)}</p>',
        f'<dl class="meta">{meta}</dl>',
    ]
    if f.snippet:
        parts.append(numbered_code(f.snippet, f.line))
    parts.append(f'<p class="message">{prose(f.message)}</p>')
    if f.trace:
        steps = "".join(
            f'<li><code class="where">{e(s.path)}:{s.line}</code> <span class="note">{prose(s.note)}</span>'
            + (f'<code class="step-code">{e(s.snippet.strip())}</code>' if s.snippet.strip() else "") + "</li>"
            for s in f.trace)
        parts.append(f'<div class="trace"><h4>Data flow ({plural(len(f.trace), "step")})</h4><ol>{steps}</ol></div>')
    parts.append(f'<div class="fix"><h4>Fix</h4><p>{prose(f.fix)}</p></div>')
    if f.suggestion:
        span = f"lines {f.line}-{f.end_line}" if f.end_line > f.line else f"line {f.line}"
        parts.append(f'<div class="suggestion"><h4>Suggested rewrite of {span}</h4>'
                     f"{numbered_code(f.suggestion, f.line)}</div>")
    parts.append("</article>")
    return "\n".join(parts)


def _by_file(findings: tuple[Finding, ...]) -> dict[str, list[Finding]]:
    files: dict[str, list[Finding]] = {}
    for f in findings:
        files.setdefault(f.path, []).append(f)
    return files


def _checkbox(name: str, value: object, label: str, count: int, css: str = "", title: str = "") -> str:
    hint = f' title="{e(title)}"' if title else ""
    return (f'<label class="choice {css}"{hint}><input type="checkbox" name="{name}" value="{e(value)}" checked> '
            f'{e(label)} <span class="n">{count}</span></label>')


def _filters(findings: tuple[Finding, ...]) -> str:
    severities = Counter(str(f.severity) for f in findings)
    types = Counter(f.type for f in findings)
    pillars = Counter(f.pillar for f in findings)
    names = {f.pillar: f.pillar_name for f in findings}
    groups = [
        ("Severity", "severity", [_checkbox("severity", s, str(s), severities[str(s)], f"sev-{s}")
                                  for s in SEVERITIES if severities[str(s)]]),
        ("Defect type", "type", [_checkbox("type", t, DEFECT_TYPES.get(t, t), n)
                                 for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))]),
        ("Pillar", "pillar", [_checkbox("pillar", p, f"CWE-{p}" if p else "unknown", n, title=names[p])
                              for p, n in sorted(pillars.items())]),
    ]
    fieldsets = "".join(f'<fieldset data-filter="{key}"><legend>{legend}</legend>{"".join(boxes)}</fieldset>'
                        for legend, key, boxes in groups)
    total = len(findings)
    return (f'<form class="filters" id="filters" aria-label="Filter the findings">{fieldsets}'
            f'<div class="filter-status"><p class="shown" aria-live="polite">Showing '
            f'<strong id="shown-count">{total}</strong> of {plural(total, "finding")}</p>'
            '<button type="button" id="show-all">Show all</button></div></form>')


def _findings(report: Report) -> str:
    if not report.findings:
        return ""
    sections = []
    number = 0
    for path, items in _by_file(report.findings).items():
        articles = []
        for f in items:
            number += 1
            articles.append(_finding(f, number))
        sections.append(
            f'<section class="file" data-path="{e(path)}"><h2 class="file-head"><span class="path">{e(path)}</span>'
            f' <span class="file-count" data-total="{len(items)}">{plural(len(items), "finding")}</span></h2>\n'
            + "\n".join(articles) + "\n</section>")
    return (f'<section id="findings" aria-label="Findings">{_filters(report.findings)}\n'
            + "\n".join(sections)
            + '\n<p id="none-shown" class="empty" hidden>No finding matches the filters.</p></section>')


def _severity_summary(report: Report) -> str:
    counts = Counter(f.severity for f in report.findings)
    items = "".join(f'<li class="sev-{s}{" zero" if not counts[s] else ""}"><span class="n">{counts[s]}</span> '
                    f"{s}</li>" for s in SEVERITIES)
    return f'<ul class="severity-summary" aria-label="Findings by severity">{items}</ul>'


def _filtered_note(report: Report) -> str:
    s = report.stats
    if not s.filtered:
        return ""
    in_tests = f" ({s.filtered_test_code} of them in test code)" if s.filtered_test_code else ""
    return (f'<p class="note" id="filtered">{plural(s.filtered, "finding")} below the severity/confidence '
            f"thresholds {'is' if s.filtered == 1 else 'are'} not shown{in_tests}: <code>--confidence low</code> "
            "shows them (and <code>--severity low</code> those under a severity threshold).</p>")


def _change(change: Change) -> str:
    added = sum(len(f.changed_lines) for f in change.files)
    scope = "findings the change introduces" if change.new_only else "findings on the changed lines"
    commits = ""
    if change.base or change.head:
        commits = (f'<p class="commits">base <code>{e(change.base or "–")}</code> → head '
                   f'<code>{e(change.head or "working tree")}</code></p>')
    rows = "".join(f"<tr><td><code>{e(f.path)}</code>"
                   + (f" (from <code>{e(f.old_path)}</code>)" if f.old_path and f.old_path != f.path else "")
                   + f"</td><td>{e(f.status)}{' (binary)' if f.binary else ''}</td>"
                   f'<td class="num">{len(f.changed_lines)}</td></tr>' for f in change.files)
    limited = ""
    if change.limited_context:
        paths = ", ".join(f"<code>{e(p)}</code>" for p in change.limited_context)
        limited = ('<p class="note">Context was limited to the patch hunks (the files were absent or did not '
                   f"match the patch) for: {paths}</p>")
    return (f'<section class="change" id="change"><h2>Change reviewed</h2><p><strong>{e(change.description)}</strong>'
            f" — {plural(len(change.files), 'file')}, {plural(added, 'added or modified line')}; reported: {scope}."
            f"</p>{commits}{limited}"
            f'<details><summary>Changed files</summary><table><thead><tr><th>File</th><th>Status</th>'
            f'<th class="num">Changed lines</th></tr></thead><tbody>{rows}</tbody></table></details></section>')


def _header(report: Report) -> str:
    s = report.stats
    facts = [_meta("Files reviewed", f"{s.reviewed} of {s.files}" + (f" ({plural(s.lines, 'line')})" if s.lines
                                                                      else "")),
             _meta("Rules", str(s.rules))]
    if s.suppressed:
        facts.append(_meta("Suppressed", str(s.suppressed)))
    if s.seconds:
        facts.append(_meta("Time", f"{s.seconds:.1f} s"))
    facts.append(_meta("Tool", f"secreview {e(report.tool_version or 'unknown version')}"))
    change = _change(report.change) if report.change is not None else ""
    return (f'<header class="top verdict-{report.verdict}"><div class="wrap"><p class="brand">secreview '
            f'<span class="verdict-label">verdict: {e(report.verdict)}</span></p>'
            f'<h1 id="verdict">{e(report.verdict_sentence)}</h1>'
            f'<dl class="facts">{"".join(facts)}</dl>{_severity_summary(report)}{_filtered_note(report)}'
            f"{change}</div></header>")


def _errors(report: Report) -> str:
    if not report.errors:
        return ""
    rows = "".join(f"<tr><td><code>{e(x.path)}</code></td><td>{e(x.kind)}</td>"
                   f'<td class="num">{x.line or ""}</td><td>{prose(x.message)}</td></tr>' for x in report.errors)
    return (f'<section id="errors"><h2>Not reviewed ({plural(len(report.errors), "problem")})</h2>'
            "<p>These files, or parts of the review, did not finish; the verdict says so.</p>"
            '<table><thead><tr><th>File</th><th>Kind</th><th class="num">Line</th><th>Why</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></section>")


def _unused(report: Report) -> str:
    if not report.unused_suppressions:
        return ""
    rows = []
    for s in report.unused_suppressions:
        note = "silences no finding; remove it"
        if s.unknown:
            note += "; names no secreview rule: " + ", ".join(f"<code>{e(c)}</code>" for c in s.unknown)
        rows.append(f"<tr><td><code>{e(s.path)}:{s.line}</code></td><td>{e(s.kind)}</td>"
                    f"<td><code>{e(s.text)}</code></td><td>{note}</td></tr>")
    return (f'<section id="unused"><h2>Unused suppressions ({len(rows)})</h2><table><thead><tr><th>Where</th>'
            f'<th>Kind</th><th>Comment</th><th>Note</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _pillars(report: Report) -> str:
    if not report.pillars:
        return ""
    rows = "".join(
        f'<tr class="{"" if p.findings else "zero"}"><td><code>CWE-{p.pillar}</code></td><td>{e(p.name)}</td>'
        f'<td class="num">{plural(p.rules, "rule") if p.rules else "not covered by static rules"}</td>'
        f'<td class="num">{p.findings}</td></tr>' for p in report.pillars)
    s = report.stats
    return (f'<section id="pillars"><h2>Pillars (CWE-1000)</h2><p>Checked by {plural(s.rules, "rule")} over '
            f"{s.reviewed} of {plural(s.files, 'file')}.</p><table><thead><tr><th>Pillar</th><th>Name</th>"
            f'<th class="num">Rules</th><th class="num">Findings</th></tr></thead><tbody>{rows}</tbody></table>'
            "</section>")


def render(report: Report, title: str = "secreview report") -> str:
    body = "\n".join(part for part in (
        _findings(report) or '<p class="empty-report">No findings.</p>',
        html_llm.section(report), _errors(report), _unused(report), _pillars(report),
    ) if part)
    version = e(report.tool_version or "unknown version")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="secreview {version}">
<title>{e(title)}: {e(report.verdict_sentence)}</title>
<style>{STYLE}</style>
</head>
<body>
{_header(report)}
<main class="wrap">
{body}
</main>
<footer class="wrap"><p>{e(report.verdict_sentence)}</p><p>Written by secreview {version}. This page is one
self-contained file: it loads nothing from the network.</p></footer>
<script>{SCRIPT}</script>
</body>
</html>
"""
