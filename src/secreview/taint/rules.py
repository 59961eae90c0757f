"""Taint rules meet the taint engine: one `analyze()` per file, each flow handed to
every taint rule whose (sources, sinks) it joins, as a `Hit` that carries the trace.

The engine finds flows by kind; the rules decide which flows are findings (and may
veto one whose sink the code validates in a way specs cannot express). Keeping
this glue apart lets `secreview.engine` stay ignorant of specs and summaries.
"""

from __future__ import annotations

import ast
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Finding
from secreview.ruleset import Hit, Rule
from secreview.taint.spec import SINK_KINDS, SOURCE_KINDS

if TYPE_CHECKING:  # the engine is imported lazily: a review without taint rules never loads it
    from secreview.taint.loader import SpecIndex

_SOURCE_WORDS = {
    "remote_input": "data from the network client",
    "socket_input": "data read from a socket or a remote response",
    "file_input": "data read from a file",
    "cli_input": "a command-line argument or standard input",
    "env_input": "an environment variable",
    "secret": "a secret",
}


# (id of a call, sink kind) of every sink some flow of this file reaches, kept on the tree's context: a
# pattern rule may tell "data flow judged this call and found nothing" from "data flow reports it"
REACHED_SINKS = "taint-reached-sinks"


@dataclass(frozen=True)
class TaintSetup:
    """What the per-file review needs to run taint rules: the file's module name and the
    project's summaries (functions of other modules a flow may pass through)."""

    module: str
    project: Any  # secreview.taint.engine.ProjectSummaries
    # the file's tree, when the project phase parsed this very text already (reused, not re-parsed),
    # and the flows the phase found in it (valid for that tree only)
    context: FileContext | None = None
    flows: list | None = None


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


def taint_hits(ctx: FileContext, setup: TaintSetup, rules: Iterable[Rule]) -> Iterator[tuple[Rule, Hit]]:
    """Every (rule, hit) for the flows of this file that a taint rule joins."""
    rules = [r for r in rules if r.taint is not None]
    if not rules:
        return
    from secreview.taint.engine import analyze

    found = setup.flows if setup.flows is not None and setup.context is ctx else \
        analyze(ctx, setup.module, spec_index(), setup.project)
    reached = ctx.memo(REACHED_SINKS, ctx.tree, set)
    for flow in found:
        reached.add((id(flow.sink_node), flow.sink_kind))
        for rule in rules:
            query = rule.taint
            assert query is not None
            if flow.sink_kind not in query.sinks or flow.source_kind not in query.sources:
                continue
            if query.validated is not None and _validated(query.validated, flow, ctx):
                continue
            weak = Confidence.LOW if _weak_source(query, flow) else None
            hit: Hit | None = Hit(flow.sink_node, flow_message(flow, ctx), trace=flow.trace, confidence=weak)
            if query.for_sink is not None:
                hit = query.for_sink(hit, flow.sink.call, ctx)  # the rule's fix for this very sink
            if hit is not None:
                yield rule, hit


def _weak_source(query: Any, flow: Any) -> bool:
    """The flow starts at a source kind the rule trusts little: for `socket_input`, the reply of a remote
    service the code called (an HTTP response), not bytes a raw socket server received from its clients."""
    if flow.source_kind not in query.weak_sources:
        return False
    first = flow.trace[0].note if flow.trace else ""
    return not (flow.source_kind == "socket_input" and "`socket.socket." in first)


def _validated(validated: Any, flow: Any, ctx: FileContext) -> bool:
    """The rule's veto, asked at the reported call and, when the flow goes into a helper of the
    same file, at the real sink call inside it (a guard or a safe parser there counts too)."""
    if validated(flow.sink_node, flow.arg_node, ctx):
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


def _sink_argument(call: ast.Call, sink: Any) -> ast.AST | None:
    for index in sink.args:
        if index < len(call.args):
            return call.args[index]
    return next((kw.value for kw in call.keywords if kw.arg in sink.keywords), call.args[0] if call.args else None)


def pattern_hits_kept(ctx: FileContext, rule: Rule, hits: list[Hit], setup: TaintSetup | None = None) -> list[Hit]:
    """A hybrid rule's pattern hits, minus those that claim a *source* (they carry a trace) where
    data flow can judge better: at a call the specs name as a sink of the rule's kinds, or where the
    value passes through a project function (whose summary data flow knows). There a pattern hit
    the taint part did not confirm is the false alarm taint exists to remove (a dead branch,
    another dict key, a helper that returns a constant). Source-less hits ("built from
    non-literal values") are a different claim and stay."""
    if rule.taint is None or not hits:
        return hits
    from secreview.taint.engine import ModuleNames
    from secreview.taint.module import JUDGED_SINKS

    sinks = spec_index().sinks_by_call
    kinds = rule.taint.sinks
    judged = ctx.memo(JUDGED_SINKS, ctx.tree, set)
    local_functions = {n.name for n in ctx.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    project_modules: Container[str] = ModuleNames(setup.project) if setup is not None else frozenset()
    kept = []
    for hit in hits:
        if hit.trace and isinstance(hit.node, ast.Call):
            if any((id(hit.node), kind) in judged for kind in kinds):
                continue  # data flow typed this call as a sink of the rule's kinds and judged it
            name = ctx.call_name(hit.node) or ""
            if any(sink.kind in kinds for sink in sinks.get(name, ()) + sinks.get(name.removeprefix("builtins."), ())):
                continue
            if _through_project_function(ctx, hit.node, local_functions, project_modules):
                continue
        kept.append(hit)
    return kept


def _through_project_function(ctx: FileContext, call: ast.Call, local: set[str], modules: Container[str]) -> bool:
    for node in ast.walk(call):
        # a call that takes something (`pick(template)`) and may turn it into something else
        if node is call or not isinstance(node, ast.Call) or not (node.args or node.keywords):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in local:
            return True
        name = ctx.call_name(node) or ""
        if name.rpartition(".")[0] in modules:
            return True
    return False


def flow_message(flow: Any, ctx: FileContext) -> str:
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


# Pattern rules' CWEs that a taint rule's CWE restates (eval injection is code injection).
_SAME_WEAKNESS = {95: 94}


def drop_restated(findings: list[Finding], rules: Iterable[Rule]) -> list[Finding]:
    """One finding per defect: where a taint rule reports a flow on a line, a pattern rule's finding
    of the same weakness on that line (SR110 sql-string-built beside SR113 sql-injection) says the
    same with less evidence and is dropped; the taint finding carries the trace."""
    taint_codes = {r.meta.code for r in rules if r.taint is not None}
    traced = {(f.path, f.line, _SAME_WEAKNESS.get(f.cwe, f.cwe)) for f in findings
              if f.rule in taint_codes and f.trace}
    if not traced:
        return findings
    return [f for f in findings
            if f.rule in taint_codes or (f.path, f.line, _SAME_WEAKNESS.get(f.cwe, f.cwe)) not in traced]


def drop_silenced(findings: list[Finding], silenced: set[tuple[int, int]], rules: Iterable[Rule]) -> int:
    """Remove (in place) taint findings where a finding of the same weakness on the same line was
    suppressed: `# nosec B602` or `ignore[SR101]` written before SR104's taint part existed keeps
    silencing that defect. Returns how many were removed."""
    if not silenced:
        return 0
    taint_codes = {r.meta.code for r in rules if r.taint is not None}
    places = {(_SAME_WEAKNESS.get(cwe, cwe), line) for cwe, line in silenced}
    kept = [f for f in findings
            if f.rule not in taint_codes or (_SAME_WEAKNESS.get(f.cwe, f.cwe), f.line) not in places]
    removed = len(findings) - len(kept)
    findings[:] = kept
    return removed
