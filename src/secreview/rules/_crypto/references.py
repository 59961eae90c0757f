"""Local references (`s`, `self.smtp`): the name a call's result is bound to and the methods called on it."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.rules._crypto.scopes import calls_in_function


def reference(node: ast.AST | None) -> str:
    """`s` -> "s", `self.smtp` -> "self.smtp"; "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = reference(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def same_target(a: ast.AST, b: ast.AST) -> bool:
    """`s` and `s`, `self.smtp` and `self.smtp`: the same local reference (load or store)."""
    key = reference(a)
    return bool(key) and key == reference(b)


def bound_name(ctx: FileContext, call: ast.Call) -> ast.Name | None:
    """The local name a call's result is assigned to (`h = hashlib.md5()` -> `h`)."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        return parent.targets[0] if isinstance(parent.targets[0], ast.Name) else None
    if isinstance(parent, ast.withitem) and isinstance(parent.optional_vars, ast.Name):
        return parent.optional_vars
    return None


def method_calls(ctx: FileContext, target: ast.expr, methods: set[str] | frozenset[str]) -> list[ast.Call]:
    """Calls `<target>.m(...)` for m in `methods` in the function that binds `target`."""
    return [
        c for c in calls_in_function(ctx, target)
        if isinstance(c.func, ast.Attribute) and c.func.attr in methods and same_target(c.func.value, target)
        and c.lineno >= target.lineno
    ]
