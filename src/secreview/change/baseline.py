"""Baseline files: the findings a project accepts for now, so only new ones are reported.

Format (JSON): {"secreview_baseline": 1, "tool_version": ..., "findings": [{"fingerprint", "rule",
"path", "line"}, ...]}. Only the fingerprint matches (rule, path, scope and normalised code, no line
number); rule, path and line are for people reading the file. Matching counts occurrences: a
fingerprint listed once hides one finding, never two.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

from secreview.change.select import minus_known
from secreview.model import Report

# 2: fingerprints hash code tokens (comments and spacing no longer count); version 1 fingerprints
# cannot be matched any more (their scope is not recorded), so such a file must be recreated.
FORMAT_VERSION = 2
MAX_BYTES = 50_000_000


class BaselineError(Exception):
    """A baseline file that cannot be read or is not a secreview baseline."""


def to_json(report: Report) -> str:
    items = [{"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "line": f.line}
             for f in sorted(report.findings, key=lambda f: f.sort_key)]
    data = {"secreview_baseline": FORMAT_VERSION, "tool_version": report.tool_version, "findings": items}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def load(path: str) -> Counter[str]:
    try:
        p = Path(path)
        if p.stat().st_size > MAX_BYTES:
            raise BaselineError(f"{path}: baseline file is over the {MAX_BYTES}-byte limit")
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise BaselineError(f"{path}: not a JSON baseline file: {exc}") from None
    if not isinstance(data, dict) or "secreview_baseline" not in data:
        raise BaselineError(f"{path}: not a secreview baseline (no 'secreview_baseline' version key)")
    if data["secreview_baseline"] == 1:
        raise BaselineError(f"{path}: this baseline (format 1) was written by an earlier secreview, whose "
                            "fingerprints counted comments and spacing; recreate it with `secreview baseline "
                            "create` (the findings it hid will then be recorded again)")
    if data["secreview_baseline"] != FORMAT_VERSION:
        raise BaselineError(f"{path}: baseline format version {data['secreview_baseline']!r} is not supported "
                            f"(this secreview reads version {FORMAT_VERSION})")
    items = data.get("findings")
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("fingerprint"), str)
                                              for i in items):
        raise BaselineError(f"{path}: 'findings' must be a list of objects with a 'fingerprint' string")
    return Counter(i["fingerprint"] for i in items)


def apply_file(report: Report, path: str | None) -> Report:
    """`--baseline FILE` of `scan` and `diff`: the report without the findings the file lists (raises
    BaselineError for a bad file), saying on stderr how many it hid. No file (None, ""): the report as it is."""
    if not path:
        return report
    report, hidden = apply(report, load(path))
    if hidden:
        print(f"secreview: {hidden} finding{'s' if hidden != 1 else ''} hidden by the baseline {path}",
              file=sys.stderr)
    return report


def apply(report: Report, known: Counter[str]) -> tuple[Report, int]:
    """The report without the findings the baseline accounts for, and how many were hidden."""
    kept, hidden = minus_known(report.findings, known)
    pillars = tuple(replace(p, findings=sum(1 for f in kept if f.pillar == p.pillar)) for p in report.pillars)
    return replace(report, findings=tuple(kept), pillars=pillars), hidden
