"""Taint labels: what the engine knows about one value.

A label maps an *origin key* `(kind, cleared)` to the trace that first got there:
`kind` is a source kind (`remote_input`) or a symbolic origin used while
summarising a function (`@p:name` for its parameter `name`); `cleared` is the
frozenset of sink kinds sanitizers already made the value safe for. Keeping one
trace per key keeps labels finite, so every fixpoint over them terminates.
Labels are plain dicts treated as immutable: every operation returns a new one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TypedDict

from secreview.analysis.context import FileContext
from secreview.model import TraceStep
from secreview.taint.spec import ENTROPY_SINKS, SINK_KINDS, WEAK_SOURCES

Key = tuple[str, frozenset[str]]
Label = dict[Key, tuple[TraceStep, ...]]
CLEAN: Label = {}
PARAM = "@p:"  # symbolic origin of a parameter while summarising
MAX_STEPS = 40  # a longer trace keeps its first and last steps
CONVERTED = frozenset(SINK_KINDS) - ENTROPY_SINKS  # what "*" clears for a weak value


def is_param(kind: str) -> bool:
    return kind.startswith(PARAM)


def join(a: Label, b: Label) -> Label:
    if not b or a is b:
        return a
    if not a:
        return b
    out = dict(a)
    for key, steps in b.items():
        if key not in out:
            out[key] = steps
    return out


def join_all(labels: Iterable[Label]) -> Label:
    out: Label = CLEAN
    for label in labels:
        out = join(out, label)
    return out


def extend(label: Label, steps: tuple[TraceStep, ...]) -> Label:
    if not label or not steps:
        return label
    return {key: clip(trace + steps) for key, trace in label.items()}


def clip(trace: tuple[TraceStep, ...]) -> tuple[TraceStep, ...]:
    deduped: list[TraceStep] = []
    for step in trace:
        if not deduped or deduped[-1] != step:
            deduped.append(step)
    if len(deduped) > MAX_STEPS:
        deduped = deduped[:10] + deduped[-(MAX_STEPS - 10):]
    return tuple(deduped)


def sanitize(label: Label, clears: frozenset[str]) -> Label:
    if not label:
        return label
    if "*" in clears:  # a conversion or a full check: a guessable value stays guessable (spec.ENTROPY_SINKS)
        kept = {key: trace for key, trace in label.items() if key[0] in WEAK_SOURCES}
        if not kept:
            return CLEAN
        label, clears = kept, CONVERTED
    out: Label = {}
    for (kind, cleared), trace in label.items():
        out.setdefault((kind, cleared | clears), trace)
    return out


Guard = tuple[str, frozenset[str], bool]  # (environment key, sink kinds it clears, when the test is true/false)


def narrow(env: dict[str, Label], checks: list[Guard], holds: bool) -> dict[str, Label]:
    """The environment of a branch: values the test validated (when it is `holds`) are cleared.
    An attribute path not tracked yet (`body.url` of a tainted `body`) gets its own entry, the
    object's taint cleared, so later reads of that attribute see the check."""
    for path, clears, when in checks:
        if when is not holds:
            continue
        if env.get(path):
            env[path] = sanitize(env[path], clears)
        elif path not in env and "." in path and "[" not in path:
            owner = path
            while "." in owner and not env.get(owner):
                owner = owner.rpartition(".")[0]
            if env.get(owner):
                env[path] = sanitize(env[owner], clears)
    return env


def reaching(label: Label, sink_kind: str) -> Label:
    """The origins of `label` not cleared for `sink_kind`."""
    return {key: trace for key, trace in label.items() if sink_kind not in key[1]}


def shape(label: Label) -> frozenset[Key]:
    return frozenset(label)


def step(ctx: FileContext, node: ast.AST, note: str) -> TraceStep:
    line = getattr(node, "lineno", 1)
    text = ctx.line_text(line)
    offset = getattr(node, "col_offset", 0)
    # ast columns are UTF-8 byte offsets; on an ASCII line they are the character offsets already
    column = offset + 1 if text.isascii() else ctx.char_column(line, offset)
    return TraceStep(path=ctx.path, line=line, column=column, snippet=text.strip(), note=note)


# -- JSON ----------------------------------------------------------------------------------
class StepJSON(TypedDict):
    """A `TraceStep` as summaries store it."""

    path: str
    line: int
    column: int
    snippet: str
    note: str


class LabelItemJSON(TypedDict):
    """One origin of a label as summaries store it: its key, spelled out, and its trace."""

    kind: str
    cleared: list[str]
    steps: list[StepJSON]


def step_to_dict(s: TraceStep) -> StepJSON:
    return {"path": s.path, "line": s.line, "column": s.column, "snippet": s.snippet, "note": s.note}


def step_from_dict(d: StepJSON) -> TraceStep:
    return TraceStep(path=d["path"], line=int(d["line"]), column=int(d["column"]), snippet=d["snippet"],
                     note=d["note"])


def label_to_list(label: Label) -> list[LabelItemJSON]:
    return [{"kind": kind, "cleared": sorted(cleared), "steps": [step_to_dict(s) for s in trace]}
            for (kind, cleared), trace in sorted(label.items(), key=lambda item: (item[0][0], sorted(item[0][1])))]


def label_from_list(items: list[LabelItemJSON]) -> Label:
    return {(item["kind"], frozenset(item["cleared"])): tuple(step_from_dict(s) for s in item["steps"])
            for item in items}
