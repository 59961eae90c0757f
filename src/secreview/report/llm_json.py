"""The LLM part of the JSON report (`llm` and `unverified`, present only when the LLM layer ran), and its
inverse for `json.from_dict`. Field meanings: docs/json-format.md; schema: report-schema.json."""

from __future__ import annotations

import json
from dataclasses import asdict

from secreview.model import CandidateReview, LLMAnswer, LLMRun, Report, UnverifiedClaim


def to_dict(report: Report) -> dict:
    if report.llm is None:
        return {}
    # a JSON round trip turns the dataclasses' tuples into lists, as the schema describes them
    return json.loads(json.dumps({"llm": asdict(report.llm), "unverified": [asdict(c) for c in report.unverified]}))


def from_dict(data: dict) -> dict:
    """Report keyword arguments (`llm`, `unverified`) from a JSON report; {} when the LLM layer did not run."""
    run = data.get("llm")
    if not run:
        return {}
    llm = LLMRun(**{**run, "models": tuple(run["models"]),
                    "answers": tuple(LLMAnswer(**a) for a in run.get("answers", ())),
                    "reviews": tuple(CandidateReview(**r) for r in run.get("reviews", ()))})
    unverified = tuple(UnverifiedClaim(**{**c, "models": tuple(c["models"]), "reasons": tuple(c["reasons"])})
                       for c in data.get("unverified", ()))
    return {"llm": llm, "unverified": unverified}
