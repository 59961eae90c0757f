"""Objects: the constructor call that made a value, constant strings, decorator names."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import literal_value, module_constant


def created_by(
    ctx: FileContext, expr: ast.AST | None, constructors: set[str] | frozenset[str]
) -> ast.Call | None:
    """The constructor call that made `expr` (`app` bound to `Flask(__name__)`), through names."""
    for _ in range(3):
        if isinstance(expr, ast.Call):
            name = ctx.call_name(expr) or ""
            return expr if name in constructors else None
        if isinstance(expr, ast.Name):
            value = reaching_value(ctx, expr)
            if value is None and ctx.enclosing_function(expr) is not None:
                value = module_constant(ctx, expr.id)
            expr = value
            continue
        return None
    return None


def constant_str(expr: ast.AST | None, ctx: FileContext | None = None) -> str | None:
    value = literal_value(expr, ctx)
    return value if isinstance(value, str) else None


def decorator_names(ctx: FileContext, func: FunctionNode | ast.ClassDef) -> list[str]:
    names = []
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        names.append(ctx.qualname(target) or "")
    return names
