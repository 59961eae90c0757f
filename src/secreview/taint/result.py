"""What the taint engine answers for one file: the flows it found and the sink calls it judged.

A leaf: it imports only the model and the spec vocabulary, so the glue between rules and engine
(`taint/rules.py`), the overlap decision (`secreview/overlap.py`) and the engine itself all name
these types without loading the engine or each other.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property

from secreview.model import TraceStep
from secreview.taint.spec import Sink

# (id of a sink call in the analysed tree, sink kind): valid for that very tree only
SinkCall = tuple[int, str]
# Where a sink is reached: a call, or the `return` of a handler whose returned value is the response
# body (a spec sink with `returned = true`)
SinkNode = ast.Call | ast.Return


@dataclass(frozen=True)
class Flow:
    """Tainted data of `source_kind` reaching an argument of a `sink_kind` sink.
    `sink_node` is where the finding is reported: the sink call itself, or the call
    of the project helper (in the analysed file) whose parameter reaches the sink; for a handler's
    `returned` sink, the `return` statement."""

    source_kind: str
    sink_kind: str
    sink_node: SinkNode
    arg_node: ast.AST
    trace: tuple[TraceStep, ...]
    sink: Sink


@dataclass(frozen=True)
class TaintResult:
    """One file's taint analysis. `judged`: every call the engine typed as a sink of some kind and
    weighed what reaches it, with or without finding a flow; where it judged, its verdict outweighs
    a pattern rule's guess about the same call (`secreview.overlap`)."""

    flows: list[Flow] = field(default_factory=list)
    judged: frozenset[SinkCall] = frozenset()

    @cached_property
    def reached(self) -> frozenset[SinkCall]:
        """The sink calls some flow of this file reaches (whichever rule reports it, if any)."""
        return frozenset((id(flow.sink_node), flow.sink_kind) for flow in self.flows)

    def judged_clean(self, call: ast.AST, kinds: frozenset[str]) -> bool:
        """Data flow judged this call as a sink of one of `kinds` and no flow of that kind reaches it."""
        key = id(call)
        reached = self.reached
        return any((key, kind) in self.judged and (key, kind) not in reached for kind in kinds)

    def judged_as(self, call: ast.AST, kinds: frozenset[str]) -> bool:
        """Data flow judged this call as a sink of one of `kinds` (whatever it found)."""
        return any((id(call), kind) in self.judged for kind in kinds)
