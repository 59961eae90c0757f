"""Which findings a change is answerable for: those whose lines, or any step of whose data-flow
trace, touch a line the change added or modified; and, with `--new-only`, minus those already
present in the base version (matched by fingerprint, with counts)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from secreview.model import ChangedFile, Finding


def on_changed_lines(findings: Iterable[Finding], files: Iterable[ChangedFile]) -> list[Finding]:
    changed = {f.path: set(f.changed_lines) for f in files}
    kept = []
    for finding in findings:
        lines = changed.get(finding.path, set())
        own = any(n in lines for n in range(finding.line, finding.end_line + 1))
        traced = any(step.line in changed.get(step.path, ()) for step in finding.trace)
        if own or traced:
            kept.append(finding)
    return kept


def minus_known(findings: Iterable[Finding], known: Counter[str]) -> tuple[list[Finding], int]:
    """Drop each finding whose fingerprint is still unmatched in `known`, one match per occurrence,
    so one known finding never hides two new ones. Returns the rest and how many were dropped."""
    remaining = Counter(known)
    kept, dropped = [], 0
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            dropped += 1
        else:
            kept.append(finding)
    return kept, dropped
