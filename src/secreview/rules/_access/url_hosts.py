"""URLs: is the host part controlled? Built URLs split into literal text and interpolated values."""

from __future__ import annotations

import ast
import re
import string

from secreview.analysis.context import FileContext
from secreview.analysis.flow import Source, reaching_value
from secreview.analysis.values import is_literal
from secreview.taint.provenance import NEUTRAL_CALLS, web_source


def url_parts(ctx: FileContext, expr: ast.AST, depth: int = 2) -> list[str | ast.expr] | None:
    """A built URL as literal text and interpolated expressions, in order; None when not built."""
    if isinstance(expr, ast.Name) and depth > 0:
        value = reaching_value(ctx, expr)
        if value is not None and not is_literal(value, ctx):
            inner = url_parts(ctx, value, depth - 1)
            if inner is not None:
                return inner
        return None
    if isinstance(expr, ast.JoinedStr):
        parts: list[str | ast.expr] = []
        for value in expr.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                parts.append(value.value)
        return parts
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left = url_parts(ctx, expr.left, 0) if isinstance(expr.left, (ast.BinOp, ast.JoinedStr)) else None
        right = url_parts(ctx, expr.right, 0) if isinstance(expr.right, (ast.BinOp, ast.JoinedStr)) else None
        return [
            *(left if left is not None else [_piece(expr.left)]),
            *(right if right is not None else [_piece(expr.right)]),
        ]
    if (
        isinstance(expr, ast.BinOp)
        and isinstance(expr.op, ast.Mod)
        and isinstance(expr.left, ast.Constant)
        and isinstance(expr.left.value, str)
    ):
        return _percent_parts(expr.left.value, expr.right)
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "format"
        and isinstance(expr.func.value, ast.Constant)
        and isinstance(expr.func.value.value, str)
    ):
        return _format_parts(expr.func.value.value, expr)
    return None


def _piece(expr: ast.expr) -> str | ast.expr:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return expr


def _percent_parts(template: str, right: ast.expr) -> list[str | ast.expr] | None:
    args = right.elts if isinstance(right, ast.Tuple) else [right]
    named = {}
    if isinstance(right, ast.Dict):
        named = {
            k.value: v for k, v in zip(right.keys, right.values, strict=False) if isinstance(k, ast.Constant)
        }
    parts: list[str | ast.expr] = []
    pos, index = 0, 0
    for match in re.finditer(r"%(\((\w+)\))?[-#0 +]*\d*(\.\d+)?([sdrifxXeEgGco%])", template):
        parts.append(template[pos : match.start()])
        pos = match.end()
        if match.group(4) == "%":
            parts.append("%")
            continue
        if match.group(2):
            parts.append(named.get(match.group(2), right))
        elif index < len(args):
            parts.append(args[index])
            index += 1
        else:
            return None
    parts.append(template[pos:])
    return parts


def _format_parts(template: str, call: ast.Call) -> list[str | ast.expr] | None:
    parts: list[str | ast.expr] = []
    auto = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    for literal, field, _, _ in parsed:
        parts.append(literal)
        if field is None:
            continue
        head = re.split(r"[.\[]", field, maxsplit=1)[0]
        if head == "":
            value = call.args[auto] if auto < len(call.args) else None
            auto += 1
        elif head.isdigit():
            value = call.args[int(head)] if int(head) < len(call.args) else None
        else:
            value = keywords.get(head)
        if value is None:
            return None
        parts.append(value)
    return parts


def controls_host(prefix: str, relative_ok: bool = True) -> bool:
    """Given the literal text before an outside value, can that value decide the host?

    Yes when nothing precedes it, or only a scheme and (part of) a host (`"https://"`,
    `"http://{x}"`); with `relative_ok=False` also after a lone "/" or "\\" (a
    redirect to "/" + value gives "//evil.example"). No once a path, query or
    fragment has started after the host.
    """
    if prefix == "":
        return True
    if "://" in prefix:
        rest = prefix.split("://", 1)[1]
        return not any(c in rest for c in "/?#\\")
    return not relative_ok and prefix in ("/", "\\")


def host_source(
    ctx: FileContext, expr: ast.AST | None, neutral: frozenset[str] = NEUTRAL_CALLS, relative_ok: bool = True
) -> Source | None:
    """The outside value that decides the host (or the whole target) of a URL, or None."""
    if expr is None:
        return None
    if isinstance(expr, ast.Call) and (ctx.call_name(expr) or "").endswith("urljoin"):
        # urljoin(base, "https://evil/x") returns the second URL: either argument decides the host.
        return next(filter(None, (web_source(ctx, a, neutral) for a in expr.args[:2])), None)
    parts = url_parts(ctx, expr)
    if parts is None:
        return web_source(ctx, expr, neutral)
    prefix = ""
    for part in parts:
        if isinstance(part, str):
            prefix += part
            continue
        found = web_source(ctx, part, neutral)
        if found:
            return found if controls_host(prefix, relative_ok) else None
        prefix += "X"
    return None
