"""JSON: the model itself plus a schema version (schema: `report-schema.json`)."""

from __future__ import annotations

import json
from dataclasses import asdict

from secreview.model import SCHEMA_VERSION, Report


def to_dict(report: Report) -> dict:
    findings = []
    for f in report.findings:
        item = asdict(f)
        item["severity"] = f.severity.value
        item["confidence"] = f.confidence.value
        item["trace"] = [asdict(step) for step in f.trace]
        findings.append(item)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "secreview", "version": report.tool_version},
        "verdict": report.verdict,
        "complete": report.complete,
        "summary": report.verdict_sentence,
        "findings": findings,
        "errors": [asdict(e) for e in report.errors],
        "pillars": [asdict(p) for p in report.pillars],
        "unused_suppressions": [asdict(s) for s in report.unused_suppressions],
        "stats": asdict(report.stats),
    }


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
