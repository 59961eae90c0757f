"""Taint rules meet the taint engine: one `analyze()` per file, each flow handed to
every taint rule whose (sources, sinks) it joins, as a `Hit` that carries the trace.

The engine finds flows by kind; the rules decide which flows are findings (and may
veto one whose sink the code validates in a way specs cannot express). Keeping
this glue apart lets `secreview.engine` stay ignorant of specs and summaries.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from secreview.analysis.context import FileContext
from secreview.model import Confidence
from secreview.ruleset import Hit, Rule, TaintQuery, ValidatedFn
from secreview.taint.result import Flow, TaintResult
from secreview.taint.spec import SINK_KINDS, SOURCE_KINDS, Sink

if TYPE_CHECKING:  # the engine is imported lazily: a review without taint rules never loads it
    from secreview.taint.loader import SpecIndex
    from secreview.taint.summaries import ProjectSummaries

_SOURCE_WORDS = {
    "remote_input": "data from the network client",
    "socket_input": "data read from a socket or a remote response",
    "file_input": "data read from a file",
    "cli_input": "a command-line argument or standard input",
    "env_input": "an environment variable",
    "secret": "a secret",
}


@dataclass(frozen=True)
class TaintSetup:
    """What the per-file review needs to run taint rules: the file's module name and the
    project's summaries (functions of other modules a flow may pass through)."""

    module: str
    project: ProjectSummaries
    # the file's tree, when the project phase parsed this very text already (reused, not re-parsed),
    # and what the phase's data flow found in it (valid for that tree only)
    context: FileContext | None = None
    flows: TaintResult | None = None


@cache
def spec_index() -> SpecIndex:
    """The index of every built-in spec, built once per process."""
    from secreview.taint.loader import build_index, load_builtin_specs

    return build_index(load_builtin_specs())


def single_module_setup(ctx: FileContext, module: str = "example") -> TaintSetup:
    """A project of one file: what `review_text` uses when no project phase ran (doc examples,
    `secreview diff` on in-memory blobs). No summaries: `analyze` summarises a module outside the
    project in the same run that reports its flows."""
    from secreview.taint.summaries import ProjectSummaries

    return TaintSetup(module, ProjectSummaries())


def taint_result(ctx: FileContext, setup: TaintSetup) -> TaintResult:
    """What data flow finds in this file: the project phase's answer when it analysed this very tree."""
    if setup.flows is not None and setup.context is ctx:
        return setup.flows
    from secreview.taint.engine import analyze

    return analyze(ctx, setup.module, spec_index(), setup.project)


def taint_hits(ctx: FileContext, found: TaintResult, rules: Iterable[Rule]) -> Iterator[tuple[Rule, Hit]]:
    """Every (rule, hit) for the flows of this file that a taint rule joins."""
    rules = [r for r in rules if r.taint is not None]
    for flow in found.flows:
        for rule in rules:
            query = rule.taint
            assert query is not None
            if flow.sink_kind not in query.sinks or flow.source_kind not in query.sources:
                continue
            if query.validated is not None and _validated(query.validated, flow, ctx):
                continue
            weak = Confidence.LOW if _weak_source(query, flow) else None
            hit = Hit(flow.sink_node, flow_message(flow, ctx), trace=flow.trace, confidence=weak)
            # the rule's fix for this very sink (or its veto)
            kept = query.for_sink(hit, flow.sink.call, ctx) if query.for_sink is not None else hit
            if kept is not None:
                yield rule, kept


def _weak_source(query: TaintQuery, flow: Flow) -> bool:
    """The flow starts at a source kind the rule trusts little: for `socket_input`, the reply of a remote
    service the code called (an HTTP response), not bytes a raw socket server received from its clients."""
    if flow.source_kind not in query.weak_sources:
        return False
    first = flow.trace[0].note if flow.trace else ""
    return not (flow.source_kind == "socket_input" and "`socket.socket." in first)


def _validated(validated: ValidatedFn, flow: Flow, ctx: FileContext) -> bool:
    """The rule's veto, asked at the reported call and, when the flow goes into a helper of the
    same file, at the real sink call inside it (a guard or a safe parser there counts too). A handler's
    `return` (a `returned` sink) is no call: only the sink call inside a helper can be asked."""
    if isinstance(flow.sink_node, ast.Call) and validated(flow.sink_node, flow.arg_node, ctx):
        return True
    last = flow.trace[-1] if flow.trace else None
    if last is None or last.path != ctx.path or last.line == flow.sink_node.lineno:
        return False
    method = flow.sink.call.rpartition(".")[2]
    for node in ctx.calls_on_line(last.line):
        if _called_name(node) == method:
            arg = _sink_argument(node, flow.sink)
            if arg is not None and validated(node, arg, ctx):
                return True
    return False


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _sink_argument(call: ast.Call, sink: Sink) -> ast.AST | None:
    for index in sink.args:
        if index < len(call.args):
            return call.args[index]
    return next((kw.value for kw in call.keywords if kw.arg in sink.keywords), call.args[0] if call.args else None)


def flow_message(flow: Flow, ctx: FileContext) -> str:
    source = _SOURCE_WORDS.get(flow.source_kind, SOURCE_KINDS.get(flow.source_kind, flow.source_kind))
    sink = SINK_KINDS.get(flow.sink_kind, flow.sink_kind)
    sink_call = flow.sink.call
    node = flow.sink_node
    source = source[:1].upper() + source[1:]
    if flow.sink.returned:
        return f"{source} reaches {sink}: the string a `{sink_call}` handler returns is the response body."
    if not isinstance(node, ast.Call) or sink_call.endswith(".__mod__"):  # `fmt % values` is str.__mod__
        return f"{source} reaches {sink}: the format of a `%` operation."
    called = ctx.call_name(node) or ctx.segment(node.func)
    where = _argument_words(node, flow.arg_node)
    last = flow.trace[-1] if flow.trace else None
    if last is not None and (last.path != ctx.path or last.line > (node.end_lineno or node.lineno)
                             or last.line < node.lineno):
        # reported at the call of a project helper whose code passes the value on to the sink
        return f"{source} is passed to `{called}` ({where}), which hands it to `{sink_call}`: {sink}."
    return f"{source} reaches {sink}: {where} of `{sink_call}`."


def _argument_words(call: ast.Call, arg: ast.AST) -> str:
    for index, positional in enumerate(call.args):
        if positional is arg or _contains(positional, arg):
            return f"argument {index + 1}"
    for kw in call.keywords:
        if kw.value is arg or _contains(kw.value, arg):
            return f"argument `{kw.arg}`" if kw.arg else "the keyword arguments"
    return "an argument"


def _contains(tree: ast.AST, node: ast.AST) -> bool:
    return any(child is node for child in ast.walk(tree))
