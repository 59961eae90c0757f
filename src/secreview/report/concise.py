"""Concise: one line per finding, as compilers and Ruff print them, so editors and `grep` can jump to
them — `path:line:col: CODE [sev S, conf C] title: message` — production code first, then test code;
then the summary of the text report and the verdict sentence as the last line.

Finding lines are never wrapped or cropped (one finding, one line, whatever the width); the summary is
wrapped to `width`. Test-code findings are marked `(test code)` after the labels.
"""

from __future__ import annotations

from secreview.config import Config
from secreview.model import Finding, Report
from secreview.report.terminal import MIN_WIDTH, PIPE_WIDTH, SEVERITY_STYLE, Line, paint, printable
from secreview.report.text import VERDICT_STYLE, error_lines, summary_lines, suppression_lines


def render(report: Report, color: bool = False, width: int = PIPE_WIDTH, config: Config | None = None,
           **_ignored: object) -> str:
    """`_ignored`: options of the text format that mean nothing here (--pillars, --show-unverified)."""
    width = max(width, MIN_WIDTH)
    ordered = sorted(report.findings, key=lambda f: f.test_code)  # stable: by path and line within each part
    lines: list[Line] = [finding_line(f) for f in ordered]
    if lines:
        lines.append([])
    lines.extend(error_lines(report, width))
    lines.extend(suppression_lines(report, width))
    lines.extend(summary_lines(report, config, width))
    lines.append([])
    lines.append([(report.verdict_sentence, VERDICT_STYLE[report.verdict])])
    return paint(lines, color)


def finding_line(f: Finding) -> Line:
    severity = f.severity.value
    where = " (test code)" if f.test_code else ""
    return [(printable(f.path), "bold"), (f":{f.line}:{f.column}: ", ""), (f.rule, "bold"), (" [sev ", ""),
            (severity, SEVERITY_STYLE[severity]), (f", conf {f.confidence.value}]{where} ", ""),
            (printable(" ".join(f"{f.title}: {f.message}".split())), "")]
