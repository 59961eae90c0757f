"""JSON: the model itself plus a schema version (schema: `report-schema.json`)."""

from __future__ import annotations

import json
from dataclasses import asdict

from secreview.model import (
    SCHEMA_VERSION,
    Change,
    ChangedFile,
    Confidence,
    FileError,
    Finding,
    PillarAccount,
    Report,
    Severity,
    Stats,
    Suppression,
    TraceStep,
)
from secreview.report import llm_json


def to_dict(report: Report) -> dict:
    findings = []
    for f in report.findings:
        item = asdict(f)
        item["severity"] = f.severity.value
        item["confidence"] = f.confidence.value
        item["trace"] = [asdict(step) for step in f.trace]
        findings.append(item)
    data = {
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
    if report.change is not None:  # only reviews of a change (`secreview diff`) carry one
        data["change"] = asdict(report.change)
    data.update(llm_json.to_dict(report))  # only when the LLM layer ran
    return data


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"


class ReportFormatError(ValueError):
    """A JSON report that is not one `render` wrote (wrong version, missing or mistyped fields)."""


def finding_from_dict(item: dict) -> Finding:
    """The inverse of one entry of `to_dict(report)["findings"]` (also the result cache's encoding)."""
    item = dict(item)
    item["severity"] = Severity(item["severity"])
    item["confidence"] = Confidence(item["confidence"])
    item["trace"] = tuple(TraceStep(**step) for step in item.get("trace", ()))
    return Finding(**item)


def suppression_from_dict(item: dict) -> Suppression:
    """The inverse of one entry of `to_dict(report)["unused_suppressions"]` (also the result cache's)."""
    return Suppression(**{**item, "codes": tuple(item["codes"]), "unknown": tuple(item.get("unknown", ()))})


def _change_from_dict(data: dict) -> Change:
    files = tuple(
        ChangedFile(**{**f, "changed_lines": tuple(f["changed_lines"]), "diff_lines": tuple(f["diff_lines"])})
        for f in data["files"]
    )
    return Change(**{**data, "files": files, "limited_context": tuple(data.get("limited_context", ()))})


def from_dict(data: dict) -> Report:
    """Rebuild the Report a `--format json` run wrote, so other formats (and `secreview post`) can use it.
    Rule metadata is not part of the JSON: `Report.rules` comes back empty."""
    if not isinstance(data, dict) or "findings" not in data:
        raise ReportFormatError("not a secreview JSON report (no 'findings')")
    major = str(data.get("schema_version", "")).split(".")[0]
    if major != SCHEMA_VERSION.split(".")[0]:
        raise ReportFormatError(f"schema_version {data.get('schema_version')!r} is not supported "
                                f"(this secreview writes {SCHEMA_VERSION})")
    try:
        change = data.get("change")
        return Report(
            findings=tuple(finding_from_dict(f) for f in data["findings"]),
            errors=tuple(FileError(**e) for e in data.get("errors", ())),
            pillars=tuple(PillarAccount(**p) for p in data.get("pillars", ())),
            stats=Stats(**data.get("stats", {})),
            unused_suppressions=tuple(suppression_from_dict(s) for s in data.get("unused_suppressions", ())),
            tool_version=str(data.get("tool", {}).get("version", "")),
            change=_change_from_dict(change) if change else None,
            **llm_json.from_dict(data),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportFormatError(f"malformed secreview JSON report: {type(exc).__name__}: {exc}") from None


def load(text: str) -> Report:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ReportFormatError(f"not JSON: {exc}") from None
    return from_dict(data)
