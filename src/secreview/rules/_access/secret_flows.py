"""What the rules that follow a secret into a sink (a log call, an exception message) do with each flow."""

from __future__ import annotations

from dataclasses import replace

from secreview.analysis.context import FileContext
from secreview.model import Confidence
from secreview.ruleset import Hit
from secreview.taint.secrets import long_flow, quieted_call, reported_in_helper


def reported_once(hit: Hit, sink_call: str, ctx: FileContext) -> Hit | None:
    """A helper whose parameter is named as a secret reports the flow itself, at its own sink (its callers'
    flows into it are not reported again); a long flow, or a call the code quiets, is low confidence."""
    if reported_in_helper(hit.trace):
        return None
    if long_flow(hit.trace) or quieted_call(hit.node):
        return replace(hit, confidence=Confidence.LOW)
    return hit
