"""The literal text a string expression is known to start with.

Taint says *that* client data reaches a URL or a redirect target; where it lands
decides the harm. `f"https://api.example.com/users/{uid}"` keeps the host fixed (no
SSRF), `f"/users/{uid}"` stays on this site (no open redirect). The taint rules use
this to veto such flows; specs cannot express it (it is about the argument's shape).
"""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value

_FIXED_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://[^/?#\\@]+[/?#]")
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")


def leading_text(ctx: FileContext, expr: ast.AST, depth: int = 3) -> tuple[str, bool]:
    """(known prefix, whether the prefix is the whole value)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value, True
    if isinstance(expr, ast.Name) and depth > 0:
        # the last local binding before this use, else the module's single binding
        value = reaching_value(ctx, expr) if ctx.parent(expr) is not None else None
        if value is None:
            value = module_constant(ctx, expr.id)
        return leading_text(ctx, value, depth - 1) if value is not None else ("", False)
    if isinstance(expr, ast.JoinedStr):
        return _concat(ctx, [v.value if isinstance(v, ast.FormattedValue) else v for v in expr.values], depth)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _concat(ctx, [expr.left, expr.right], depth)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and isinstance(expr.left, ast.Constant) \
            and isinstance(expr.left.value, str):
        return _percent(ctx, expr.left.value, expr.right, depth)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format" \
            and isinstance(expr.func.value, ast.Constant) and isinstance(expr.func.value.value, str):
        text = expr.func.value.value
        cut = text.find("{")
        return (text, True) if cut < 0 else (text[:cut], False)
    return "", False


def _concat(ctx: FileContext, parts: list[ast.AST], depth: int) -> tuple[str, bool]:
    out = ""
    for part in parts:
        text, whole = leading_text(ctx, part, depth)
        out += text
        if not whole:
            return out, False
    return out, True


def _percent(ctx: FileContext, template: str, args: ast.AST, depth: int) -> tuple[str, bool]:
    values = list(args.elts) if isinstance(args, ast.Tuple) else [args]
    out, position = "", 0
    for match in _PERCENT.finditer(template):
        out += template[position:match.start()]
        position = match.end()
        if match.group() == "%%":
            out += "%"
            continue
        if not values or not match.group().endswith("s"):
            return out, False
        text, whole = leading_text(ctx, values.pop(0), depth)
        out += text
        if not whole:
            return out, False
    return out + template[position:], True


def module_constant(ctx: FileContext, name: str) -> ast.expr | None:
    """The value of a module-level name bound exactly once, by a plain assignment."""
    found: list[ast.expr] = []
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    found.append(stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
            if stmt.value is None:
                return None
            found.append(stmt.value)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
            return None
    return found[0] if len(found) == 1 else None


def host_is_fixed(ctx: FileContext, expr: ast.AST) -> bool:
    """The URL starts with `scheme://host/` written in the code."""
    text, whole = leading_text(ctx, expr)
    return bool(_FIXED_HOST.match(text)) or (whole and bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://", text)))


def stays_on_site(ctx: FileContext, expr: ast.AST) -> bool:
    """A redirect target that starts with one `/` and a path character: relative to this site."""
    text, whole = leading_text(ctx, expr)
    if whole:
        return True
    return len(text) >= 2 and text[0] == "/" and text[1] not in "/\\"
