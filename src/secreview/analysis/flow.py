"""Local provenance: where a value inside one function comes from.

This is deliberately small: it follows plain assignments inside the enclosing
function (the last binding before the use, through up to a few names) and
builds traces. Which values come from outside the program (a web request, the
command line, the environment, a socket) is `secreview.taint.provenance`'s
answer, the one provenance model every rule asks.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from secreview.analysis.context import FileContext, FunctionNode, scope_nodes
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import string_building
from secreview.model import TraceStep

_ASSIGNMENTS: MemoKey[dict[str, list[tuple[int, ast.expr]]]] = MemoKey("assignments")


@dataclass(frozen=True, slots=True)
class Source:
    """An outside value found in an expression: the node and how to describe it."""

    node: ast.AST
    description: str


def assignments(ctx: FileContext, func: FunctionNode | None) -> dict[str, list[tuple[int, ast.expr]]]:
    """name -> [(line, value)] for plain bindings in a function (or the module when None)."""
    scope: ast.AST = func if func is not None else ctx.tree

    def compute() -> dict[str, list[tuple[int, ast.expr]]]:
        table: dict[str, list[tuple[int, ast.expr]]] = {}
        for node in scope_nodes(scope):
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(node, ast.Assign):
                pairs = [(t, node.value) for t in node.targets]
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                pairs = [(node.target, node.value)]
            elif isinstance(node, ast.AugAssign):
                pairs = [(node.target, ast.BinOp(left=node.target, op=node.op, right=node.value))]
            elif isinstance(node, ast.NamedExpr):
                pairs = [(node.target, node.value)]
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                pairs = [(node.target, node.iter)]
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                pairs = [(i.optional_vars, i.context_expr) for i in node.items if i.optional_vars is not None]
            for target, value in pairs:
                _bind(table, target, value, getattr(node, "lineno", 0))
        for values in table.values():
            values.sort(key=lambda item: item[0])
        return table

    return ctx.memo(_ASSIGNMENTS, scope, compute)


def _bind(table: dict[str, list[tuple[int, ast.expr]]], target: ast.expr, value: ast.expr, line: int) -> None:
    if isinstance(target, ast.Name):
        table.setdefault(target.id, []).append((line, value))
    elif isinstance(target, (ast.Tuple, ast.List)):
        elts = value.elts if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) else None
        for i, elt in enumerate(target.elts):
            _bind(table, elt, elts[i] if elts else value, line)
    elif isinstance(target, ast.Starred):
        _bind(table, target.value, value, line)


def reaching_value(ctx: FileContext, name: ast.Name) -> ast.expr | None:
    """The value of the last binding of `name` before its use in the same function."""
    func = ctx.enclosing_function(name)
    bindings = assignments(ctx, func).get(name.id, [])
    before = [value for line, value in bindings if line < name.lineno]
    if before:
        return before[-1]
    if func is not None and not any(a.arg == name.id for a in _params(func)):
        module_bindings = assignments(ctx, None).get(name.id, [])
        if len(module_bindings) == 1:
            return module_bindings[0][1]
    return None


def _params(func: FunctionNode) -> list[ast.arg]:
    args = func.args
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]


def trace_for(ctx: FileContext, source: Source, sink: ast.AST, sink_note: str) -> tuple[TraceStep, ...]:
    """A two-step trace (source, sink) for a finding built on local provenance."""

    def step(node: ast.AST, note: str) -> TraceStep:
        line = getattr(node, "lineno", 1)
        return TraceStep(
            path=ctx.path,
            line=line,
            column=ctx.char_column(line, getattr(node, "col_offset", 0)),
            snippet=ctx.line_text(line).strip(),
            note=note,
        )

    return (step(source.node, f"source: {source.description}"), step(sink, f"sink: {sink_note}"))


def built_string(ctx: FileContext, expr: ast.AST | None) -> tuple[str, ast.AST] | None:
    """How `expr` is built from non-literal parts, following one local name binding."""
    how = string_building(expr, ctx)
    if how and expr is not None:
        return how, expr
    if isinstance(expr, ast.Name):
        value = reaching_value(ctx, expr)
        if value is not None:
            how = string_building(value, ctx)
            if how:
                return how, value
    return None
