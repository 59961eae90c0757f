"""Function-level facts: the calls, comparisons, allowlist tests and data flow of a function (or module)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from secreview.analysis.context import FileContext, walk
from secreview.analysis.flow import reaching_value
from secreview.analysis.memo import MemoKey
from secreview.taint.provenance import web_source

_ACCESS_CALLS: MemoKey[list[tuple[str, ast.Call]]] = MemoKey("access-calls")


def function_calls(ctx: FileContext, func: ast.AST) -> list[tuple[str, ast.Call]]:
    """(last segment of the call name, call) for every call in the function or module."""

    def compute() -> list[tuple[str, ast.Call]]:
        found = []
        for node in walk(func):
            if isinstance(node, ast.Call):
                name = ctx.call_name(node) or (node.func.attr if isinstance(node.func, ast.Attribute) else "")
                found.append((name.rsplit(".", 1)[-1].rstrip("()"), node))
        return found

    return ctx.memo(_ACCESS_CALLS, func, compute)


def calls_any(ctx: FileContext, func: ast.AST | None, names: Iterable[str]) -> bool:
    wanted = set(names)
    return func is not None and any(last in wanted for last, _ in function_calls(ctx, func))


def calls_matching(ctx: FileContext, func: ast.AST | None, pattern: re.Pattern[str]) -> bool:
    return func is not None and any(pattern.search(last) for last, _ in function_calls(ctx, func))


def compares_attribute(func: ast.AST | None, attrs: set[str]) -> bool:
    """A comparison in the function that reads one of these attributes/names (`parsed.netloc != ...`)."""
    if func is None:
        return False
    for node in ast.walk(func):
        if isinstance(node, ast.Compare):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Attribute) and sub.attr in attrs:
                    return True
                if isinstance(sub, ast.Name) and sub.id in attrs:
                    return True
    return False


def allowlist_test(ctx: FileContext, func: ast.AST | None, names: set[str] | None = None) -> bool:
    """`if name in ALLOWED` / `if x not in allowed_files`: membership of one of `names` (any name when
    None) in a collection that is not itself request data."""
    if func is None:
        return False
    for node in ast.walk(func):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            right, left = node.comparators[-1], node.left
            if names is not None and not (isinstance(left, ast.Name) and left.id in names):
                continue
            if isinstance(left, (ast.Name, ast.Attribute)) and not (
                isinstance(right, ast.Constant) or web_source(ctx, right)
            ):
                return True
    return False


def names_feeding(ctx: FileContext, expr: ast.AST, depth: int = 3) -> set[str]:
    """Local names that flow into `expr` (through plain assignments)."""
    found: set[str] = set()
    stack: list[tuple[ast.AST, int]] = [(expr, depth)]
    while stack:
        node, left = stack.pop()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in found:
                found.add(sub.id)
                value = reaching_value(ctx, sub)
                if value is not None and left > 0:
                    stack.append((value, left - 1))
    return found


def scope_of(ctx: FileContext, node: ast.AST) -> ast.AST:
    return ctx.enclosing_function(node) or ctx.tree
