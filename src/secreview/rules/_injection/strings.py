"""Constant strings and string-building expressions: literal values, templates, `stringish`."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import is_literal, literal_value, module_constant


def const_str(ctx: FileContext, expr: ast.AST | None, depth: int = 4) -> object:
    """The value of a literal, also for string concatenations (`"a" "b" + "c"`) and module constants."""
    if isinstance(expr, ast.Name):
        expr = module_constant(ctx, expr.id)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add) and depth > 0:
        left, right = const_str(ctx, expr.left, depth - 1), const_str(ctx, expr.right, depth - 1)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        if isinstance(left, bytes) and isinstance(right, bytes):
            return left + right
        return None
    return literal_value(expr, ctx)


def _template_text(ctx: FileContext, expr: ast.AST, depth: int = 3) -> object:
    """A constant template, also through a local name: `query = "... %s"; query % (x,)`."""
    value = const_str(ctx, expr)
    if value is None and isinstance(expr, ast.Name) and depth > 0:
        bound = reaching_value(ctx, expr)
        if bound is not None and bound is not expr:
            return _template_text(ctx, bound, depth - 1)
    return value


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else "?"


def stringish(ctx: FileContext, expr: ast.AST, depth: int = 3) -> bool:
    """A string literal, an f-string, a string build, or a local name bound to one."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (str, bytes))
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
        return stringish(ctx, expr.left, depth) or (
            isinstance(expr.op, ast.Add) and stringish(ctx, expr.right, depth)
        )
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in ("format", "join")
    ):
        return stringish(ctx, expr.func.value, depth)
    if isinstance(expr, ast.Name) and depth > 0:
        value = const_str(ctx, expr) if is_literal(expr, ctx) else None
        if isinstance(value, (str, bytes)):
            return True
        bound = reaching_value(ctx, expr)
        return bound is not None and bound is not expr and stringish(ctx, bound, depth - 1)
    return False


def _values_of(expr: ast.expr) -> list[ast.expr]:
    if isinstance(expr, ast.Tuple):
        return list(expr.elts)
    if isinstance(expr, ast.Dict):
        return list(expr.values)
    return [expr]
