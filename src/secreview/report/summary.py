"""The summary that ends the `text` and `concise` reports, a handful of lines whatever the size of
the review: findings by severity and confidence, files reviewed and not, suppressions, what the
thresholds hid (and the flag that shows it), and the code change a diff review was about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from secreview.config import Config
from secreview.model import Change, Confidence, Report, Severity
from secreview.report.terminal import NBSP, SEVERITY_STYLE, Line, Span


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else words or word + 's'}"


def counts(values: Iterable[str], order: Iterable[str], styled: bool = False) -> list[Span]:
    """`3 high · 2 medium · 1 low`, highest first, levels with no finding left out. Each count stays on
    one line with the `·` after it when the line is wrapped (no-break spaces, see terminal.flow)."""
    tally = Counter(values)
    spans: list[Span] = []
    for level in order:
        if tally[level]:
            if spans:
                spans.append((f"{NBSP}· ", ""))
            spans.append((f"{tally[level]:,}{NBSP}{level}", SEVERITY_STYLE.get(level, "") if styled else ""))
    return spans


def lines(report: Report, config: Config | None = None) -> list[Line]:
    """The summary, one entry per line (the caller wraps them to its width)."""
    config = config or Config()
    out: list[Line] = []
    if report.change is not None:
        out.extend([(text, "")] for text in change(report.change))
    if report.findings:
        out.extend(_findings(report))
    out.append([(_files(report), "")])
    suppressions = _suppressions(report)
    if suppressions:
        out.append([(suppressions, "")])
    out.extend([(text, "")] for text in hidden(report, config))
    return out


def _findings(report: Report) -> list[Line]:
    found = report.findings
    in_tests = sum(f.test_code for f in found)
    where = f" ({in_tests:,} in test code)" if in_tests else ""
    severities = [s.value for s in reversed(Severity)]
    confidences = [c.value for c in reversed(Confidence)]
    return [[(plural(len(found), "finding"), "bold"), (" by severity: ", ""),
             *counts((f.severity.value for f in found), severities, styled=True), (where, "")],
            [("  by confidence: ", ""), *counts((f.confidence.value for f in found), confidences)]]


def _files(report: Report) -> str:
    """Files reviewed, then what was not, in the verdict sentence's own words and counts."""
    s = report.stats
    text = f"{plural(s.reviewed, 'file')} reviewed ({plural(s.lines, 'line')}, {plural(s.rules, 'rule')})"
    return "; ".join([text, *report.unfinished_parts()])


def _suppressions(report: Report) -> str:
    parts = []
    if report.stats.suppressed:
        parts.append(f"{plural(report.stats.suppressed, 'finding')} suppressed by comments or per-file-ignores")
    unused = report.unused_suppressions
    if unused:
        unknown = sum(1 for s in unused if s.unknown)
        naming = f" ({unknown:,} with an unknown rule code)" if unknown else ""
        parts.append(f"{plural(len(unused), 'unused suppression')}{naming} listed above")
    return "; ".join(parts)


def hidden(report: Report, config: Config) -> list[str]:
    """What the thresholds (and the test-code policy) kept out of the report, and how to see it (the flags
    joined by no-break spaces, so that wrapping never splits them; terminal.flow prints plain spaces)."""
    s = report.stats
    in_tests, other = s.filtered_test_code, s.filtered - s.filtered_test_code
    out = []
    if s.skipped_test_code:  # not reviewed at all: every finding there would have been hidden (policy.py)
        files = f"{plural(s.skipped_test_code, 'file')} in test directories not reviewed"
        if config.test_code == "drop":
            out.append(f"{files} (test-code = \"drop\")")
        else:
            confidence = config.confidence_threshold(test_code=True)
            flag = "--confidence low".replace(" ", NBSP)
            out.append(f"{files}: findings in test code are hidden below {confidence} confidence; "
                       f"{flag}{NBSP}reviews{NBSP}them")
    if in_tests and config.test_code == "drop":
        out.append(f"{plural(in_tests, 'finding')} in test code dropped (test-code = \"drop\"; "
                   "test-code = \"demote\" keeps them at low confidence)")
    elif in_tests:
        confidence = config.confidence_threshold(test_code=True)
        below, flags = [], []
        if config.severity >= Severity.MEDIUM:
            below.append(f"{config.severity} severity")
            flags.append("--severity low".replace(" ", NBSP))
        if confidence >= Confidence.MEDIUM:
            below.append(f"{confidence} confidence")
            flags.append("--confidence low".replace(" ", NBSP))
        reason = f" below {' or '.join(below)}" if below else " below the thresholds"
        pronoun = "it" if in_tests == 1 else "them"
        hint = f"; {NBSP.join([*flags, 'shows', pronoun])}" if flags else ""  # the hint is not split
        out.append(f"{plural(in_tests, 'finding')} in test code hidden{reason}{hint}")
    if other > 0:
        out.append(f"{plural(other, 'finding')} below the severity/confidence threshold hidden")
    return out


def change(change: Change) -> list[str]:
    """What was reviewed: the range or patch, how much it changed, and any limit on the context."""
    added = sum(len(f.changed_lines) for f in change.files)
    scope = "findings the change introduces" if change.new_only else "findings on the changed lines"
    out = [f"Change reviewed: {change.description} — {plural(len(change.files), 'file')}, "
           f"{plural(added, 'added or modified line')}; reported: {scope}"]
    if change.limited_context:
        out.append("  Context was limited to the patch hunks (the files were absent or did not match the patch) "
                   "for: " + ", ".join(change.limited_context))
    return out
