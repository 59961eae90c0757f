"""Where a function's tainted values are judged: a spec sink's arguments (`check_sink`), a label
reaching a sink (a flow, or a parameter -> sink entry of the function's summary: `reach_sink`),
and a guessable value given a name that says secret (`reach_named`, `named.py`).

It writes the function's results (`FunctionState.flows`, `.sinks`) and the module's record of
judged sink calls (`ModuleFacts.judged`), and reads nothing else: no expression is evaluated here.
"""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.values import keyword_matches
from secreview.model import TraceStep
from secreview.taint.facts import Judged
from secreview.taint.labels import CLEAN, Label, clip, is_param, reaching, step
from secreview.taint.named import at_node, named_sink, names_secret, weak_part
from secreview.taint.result import SinkNode
from secreview.taint.secrets import SECRET, SECRET_SINKS
from secreview.taint.spec import Sink
from secreview.taint.state import FunctionState
from secreview.taint.written_files import config_file

Keywords = list[tuple[str | None, Label]]  # (keyword or None for `**`, its label), in call order


class Sinks:
    def __init__(self, ctx: FileContext, judged: Judged, state: FunctionState):
        self.ctx = ctx
        self.judged = judged
        self.state = state

    def check_sink(self, node: ast.Call, sink: Sink, args: list[Label], keywords: Keywords, name: str,
                   receiver: Label = CLEAN) -> None:
        ctx = self.ctx
        for key, wanted in sink.when:
            given = next((kw.value for kw in node.keywords if kw.arg == key), None)
            if given is None or not keyword_matches(given, wanted, ctx):
                return
        for key, unwanted in sink.unless:
            given = next((kw.value for kw in node.keywords if kw.arg == key), None)
            if given is not None and keyword_matches(given, unwanted, ctx):
                return
        if not receiver and not any(args) and not any(label for _, label in keywords):
            self.judged.add((id(node), sink.kind))
            return  # nothing tainted reaches this call
        if sink.kind == "config_line" and not config_file(node, ctx):
            return  # a write, but not to a file named as another program's configuration
        self.judged.add((id(node), sink.kind))
        sink_step = step(ctx, node, f"sink ({sink.kind}): `{name}()`")
        if sink.receiver and receiver and isinstance(node.func, ast.Attribute):
            self.reach_sink(node, node.func.value, sink, receiver, (sink_step,))
        for position, (arg, label) in enumerate(zip(node.args, args, strict=True)):
            starred = isinstance(arg, ast.Starred)
            if sink.all_args or position in sink.args or (starred and any(i >= position for i in sink.args)):
                self.reach_sink(node, arg, sink, label, (sink_step,))
        for (given_as, label), kw in zip(keywords, node.keywords, strict=True):
            if sink.all_args or given_as in sink.keywords or (given_as is None and (sink.keywords or sink.args)):
                self.reach_sink(node, kw.value, sink, label, (sink_step,))

    def reach_sink(self, node: SinkNode, arg: ast.AST, sink: Sink, label: Label, tail: tuple[TraceStep, ...]) -> None:
        reached = reaching(label, sink.kind)
        # a secret this function itself reads reaches the sink: it reports that flow here, so its callers
        # need no summary entry (they would report the same secret again at the call)
        own_secret = sink.kind in SECRET_SINKS and any(kind == SECRET for kind, _ in reached)
        state = self.state
        for (kind, cleared), trace in reached.items():
            full = clip(trace + tail)
            if is_param(kind):
                if own_secret:
                    continue
                state.sinks.setdefault((kind, cleared, sink), full)
            else:
                state.flows.append((kind, sink.kind, node, arg, full, sink))

    def reach_named(self, where: str, identifier: str, label: Label, value: ast.AST | None, at: ast.AST) -> None:
        """A guessable value given a name that says secret (`named.py`): a `secret_bearing` sink."""
        label = weak_part(label)
        if not label or not identifier or not names_secret(identifier):
            return
        value = value if value is not None else at
        sink = named_sink(where, identifier)
        sink_step = step(self.ctx, at, f"sink (secret_bearing): {sink.note}")
        self.reach_sink(at_node(at, value), value, sink, label, (sink_step,))
