"""Recursive-descent parsers: methods of one class that call each other (`expr()` -> `term()` ->
`expr()` for every `(`) while consuming the input a token at a time. How deep they recurse is how
deeply the input nests, so the input decides whether the parser dies with RecursionError."""

from __future__ import annotations

import ast
import re
from typing import TypeGuard

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import is_literal

_DESCENT_GRAPH: MemoKey[dict[str, list[tuple[ast.Call, str]]]] = MemoKey("descent-graph")
_DESCENT_PARSER: MemoKey[bool] = MemoKey("descent-parser")
_SELF_CALLS: MemoKey[dict[int, list[ast.Call]]] = MemoKey("descent-self-calls")

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
# A depth, level or limit the class keeps (`self.depth`, `self._nesting`, a `max_depth` parameter).
_GUARD = re.compile(r"(depth|level|limit|nest|recurs|budget|height)", re.IGNORECASE)


def reentry(ctx: FileContext, func: FunctionNode) -> tuple[ast.Call, str] | None:
    """The call in `func` that re-enters a method it was reached from (`self.expr()` in `term()`), when
    the class advances a cursor over its input, keeps no depth limit and is given its input from
    outside (a constructor parameter, and no instantiation here with literals only)."""
    cls = ctx.parent(func)
    if not isinstance(cls, ast.ClassDef):
        return None
    graph = ctx.memo(_DESCENT_GRAPH, cls, lambda: _graph(ctx, cls))
    if func.name not in graph:
        return None
    order = {m.name: m.lineno for m in cls.body if isinstance(m, _DEFS)}
    for call, callee in graph[func.name]:
        # Re-entered with nothing but constants: the depth comes from the input the cursor walks, not
        # from a part of an argument (recursion over a given structure is the rule's other case).
        plain = all(is_literal(a, ctx) for a in (*call.args, *(k.value for k in call.keywords)))
        if plain and order[callee] <= func.lineno and func.name in _reachable(graph, callee):
            # what the class does with its input is asked once per class, and only of a class that
            # re-enters a method (asking it for every method walked every class once per method)
            if ctx.memo(_DESCENT_PARSER, cls, lambda: _consumes_input(ctx, cls, graph) and not _limited(ctx, cls)):
                return call, callee
            return None
    return None


def _graph(ctx: FileContext, cls: ast.ClassDef) -> dict[str, list[tuple[ast.Call, str]]]:
    """method -> [(call, method)] for its `self.method(...)` calls, in reading order (calls in nested
    functions, lambdas and classes belong to those, not to the method)."""
    methods = {m.name: m for m in cls.body if isinstance(m, _DEFS)}
    by_scope = ctx.memo(_SELF_CALLS, ctx.tree, lambda: _self_calls_by_scope(ctx))
    graph: dict[str, list[tuple[ast.Call, str]]] = {}
    for name, method in methods.items():
        calls = [(node, node.func.attr) for node in by_scope.get(id(method), ())
                 if isinstance(node.func, ast.Attribute) and node.func.attr in methods]
        graph[name] = sorted(calls, key=lambda c: (c[0].lineno, c[0].col_offset))
    return graph


def _self_calls_by_scope(ctx: FileContext) -> dict[int, list[ast.Call]]:
    """id(function) -> the `self.x(...)` calls in its own body: one pass over the file's calls instead of
    a walk of every method of every class (most classes re-enter nothing)."""
    out: dict[int, list[ast.Call]] = {}
    for node in ctx.tree_nodes():
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id == "self":
            scope = _own_scope(ctx, node)
            if scope is not None:
                out.setdefault(id(scope), []).append(node)
    return out


def _own_scope(ctx: FileContext, node: ast.AST) -> FunctionNode | None:
    """The function whose body `node` is part of, not inside a nested def, class or lambda (None: at
    module or class level, or in a function's decorators, defaults or annotations)."""
    below, current = node, ctx.parent(node)
    while current is not None and not isinstance(current, (*_DEFS, ast.ClassDef, ast.Lambda)):
        below, current = current, ctx.parent(current)
    if isinstance(current, _DEFS) and any(below is statement for statement in current.body):
        return current
    return None


def _reachable(graph: dict[str, list[tuple[ast.Call, str]]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for _, callee in graph.get(todo.pop(), ()):
            if callee not in seen:
                seen.add(callee)
                todo.append(callee)
    return seen


def _consumes_input(ctx: FileContext, cls: ast.ClassDef, graph: dict[str, list[tuple[ast.Call, str]]]) -> bool:
    """The class walks a cursor over input its constructor was given: `self.pos += 1` (or `next(self.it)`)
    in some method, and `__init__` takes a parameter that is not instantiated here as a literal only."""
    init = next((m for m in cls.body if isinstance(m, _DEFS) and m.name == "__init__"), None)
    if init is None or len(init.args.args) < 2:
        return False
    # A cursor: an attribute the class increments and indexes its input with (`self.items[self.at]`).
    indexes = {n.slice.attr for n in ast.walk(cls) if isinstance(n, ast.Subscript) and _self_attr(n.slice)}
    advances = any(
        isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) and _self_attr(node.target)
        and node.target.attr in indexes
        or isinstance(node, ast.Call) and ctx.call_name(node) == "builtins.next" and bool(node.args)
        and _self_attr(node.args[0])
        for node in ast.walk(cls)
    )
    if not advances:
        return False
    made = [n for n in ctx.tree_nodes() if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id == cls.name]
    return not made or any(not all(is_literal(a, ctx) for a in (*c.args, *(k.value for k in c.keywords)))
                           for c in made)


def _self_attr(node: ast.AST) -> TypeGuard[ast.Attribute]:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


def _limited(ctx: FileContext, cls: ast.ClassDef) -> bool:
    """A depth the class keeps or is given, or a RecursionError it expects."""
    for node in ast.walk(cls):
        if isinstance(node, ast.Attribute) and _self_attr(node) and _GUARD.search(node.attr):
            return True
        if isinstance(node, ast.arg) and _GUARD.search(node.arg):
            return True
        if isinstance(node, ast.Name) and node.id == "RecursionError":
            return True
        if isinstance(node, ast.Attribute) and node.attr in {"getrecursionlimit", "setrecursionlimit"}:
            return True
    return False
