"""Digests of summaries and of the answers `ProjectSummaries` records (`summaries.py`): canonical JSON
(independent of set order, so two processes agree), a summary without its positions, the paths a
summary's or result's trace steps name, and which modules an answer depends on."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def stored_digests(summary: dict[str, Any], whole: str | None = None) -> tuple[str, str]:
    """The whole and semantic digests of a module summary's JSON, as `answer` gives them (`whole`: its
    full digest, when already made)."""
    return ((whole or hashlib.sha256(canonical_json(summary)).hexdigest())[:24],
            hashlib.sha256(canonical_json(without_positions(summary))).hexdigest()[:24])


def modules_behind(query: tuple[str, ...]) -> list[str]:
    """The modules whose summaries an answer depends on ("*": any module)."""
    kind, *args = query
    if kind in ("has", "module", "positions", "type", "secrets"):
        return [args[0]]
    if kind == "function":  # the longest prefix that is a module answers: any of them may
        parts = args[0].split(".")
        return [".".join(parts[:cut]) for cut in range(1, len(parts))]
    return ["*"]  # `name` (a table of the whole project), `top`, `anysecrets`, lookups through base classes


WHOLE = "@whole"  # in recorded answers: they were taken with their positions (a trace was clipped)


def canonical_json(value: Any) -> bytes:
    """JSON whose text does not depend on the order sets were iterated in (a process's hash seed): keys
    sorted, every list sorted by its items' canonical text, so two processes agree on an answer's digest.
    Built bottom-up, each item's text made once (sorting by `json.dumps` of each item at every level
    made a deep summary's digest quadratic in its depth, a tenth of a cold review)."""
    return _canonical_text(value).encode()


# what `json.dumps` writes for a string by default (ASCII-only, C-accelerated): called directly, a leaf
# costs a function call instead of a whole `json.dumps` (millions of leaves in a cold review)
_json_string = json.encoder.encode_basestring_ascii


def _canonical_text(item: Any) -> str:
    kind = type(item)
    if kind is str:
        return _json_string(item)
    if kind is dict or isinstance(item, dict):
        return "{" + ",".join(f"{_json_string(key) if type(key) is str else json.dumps(key)}:"
                              f"{_canonical_text(item[key])}" for key in sorted(item)) + "}"
    if kind is list or kind is tuple or isinstance(item, (list, tuple)):
        return "[" + ",".join(sorted([_canonical_text(v) for v in item])) + "]"
    if item is None:
        return "null"
    if kind is bool:
        return "true" if item else "false"
    if kind is int:
        return int.__repr__(item)
    return json.dumps(item)


def without_positions(value: Any) -> Any:
    """A summary's JSON without where things are (trace steps, lines, paths)."""
    if isinstance(value, dict):
        return {k: without_positions(v) for k, v in value.items() if k not in ("steps", "line", "path")}
    if isinstance(value, list):
        return [without_positions(v) for v in value]
    return value


def step_paths(value: Any) -> tuple[set[str], bool]:
    """The paths named by the trace steps in a JSON-ready summary or result (`steps` or `trace` lists),
    and whether one of them is as long as clipping allows (steps may have been dropped from its middle)."""
    from secreview.taint.labels import MAX_STEPS

    paths: set[str] = set()
    clipped = False
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if key in ("steps", "trace") and isinstance(inner, list):
                    clipped = clipped or len(inner) >= MAX_STEPS
                    paths.update(s["path"] for s in inner if isinstance(s, dict) and isinstance(s.get("path"), str))
                else:
                    stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)
    return paths, clipped
