"""Scopes and small AST helpers shared by the lock and resource analyses: the function holding a
node, walks that stay out of nested functions/lambdas/classes, `finally`/`except` membership,
dotted names and "does this contain a call"."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext

FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def scope_of(ctx: FileContext, node: ast.AST) -> ast.AST:
    """The function (or lambda) holding `node`; the module at module level and in class bodies."""
    for anc in ctx.ancestors(node):
        if isinstance(anc, FUNCS):
            return anc
        if isinstance(anc, ast.Lambda):
            return anc
    return ctx.tree


def walk_local(root: ast.AST) -> Iterator[ast.AST]:
    """Every node under `root` without entering nested functions, lambdas or classes."""
    stack = list(ast.iter_child_nodes(root)) if isinstance(root, (*_NESTED, ast.Module)) else [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _NESTED):
            continue
        stack.extend(ast.iter_child_nodes(node))


def walk_stmts(stmts: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a statement list, not entering nested scopes."""
    for stmt in stmts:
        if isinstance(stmt, _NESTED):
            yield stmt
        else:
            yield from walk_local(stmt)


def in_nested_scope(ctx: FileContext, node: ast.AST, scope: ast.AST) -> bool:
    """True when `node` sits in a function/lambda/class nested inside `scope`."""
    for anc in ctx.ancestors(node):
        if anc is scope:
            return False
        if isinstance(anc, _NESTED):
            return True
    return False


def _field_of(parent: ast.AST, child: ast.AST) -> str | None:
    for name, value in ast.iter_fields(parent):
        if value is child or (isinstance(value, list) and any(v is child for v in value)):
            return name
    return None


def contains(outer: ast.AST, inner: ast.AST) -> bool:
    return any(n is inner for n in ast.walk(outer))


def in_cleanup(ctx: FileContext, node: ast.AST, scope: ast.AST, since: ast.AST | None = None) -> str | None:
    """ "finally" or "except" when `node` runs in a finally block or an except handler within `scope`
    (and, with `since`, one that does not also hold the statement `since`)."""
    child = node
    for anc in ctx.ancestors(node):
        if anc is scope:
            return None
        if isinstance(anc, _TRY) and _field_of(anc, child) == "finalbody":
            if since is None or not any(contains(s, since) for s in anc.finalbody):
                return "finally"
        if isinstance(anc, ast.ExceptHandler) and (since is None or not contains(anc, since)):
            return "except"
        child = anc
    return None


_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))




def dotted(expr: ast.AST | None) -> str | None:
    """`self._lock` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def has_call(node: ast.AST, ignore: ast.AST | None = None) -> bool:
    """Does the statement/expression contain a call (or await) other than `ignore`?"""
    nodes = (
        [node, *walk_local(node)] if not isinstance(node, (*_NESTED, ast.Module)) else list(walk_local(node))
    )
    return any(isinstance(n, (ast.Call, ast.Await)) and n is not ignore for n in nodes)
