"""Regular-expression match calls (`re.match/search/fullmatch` or a compiled pattern's method) and
whether a literal pattern matches every probe string, so that a miss is not expected."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import AnyStr, NamedTuple

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import literal_value, module_constant
from secreview.rules._robustness.source_text import short_text

# -- regular expressions ---------------------------------------------------------------------
_RE_FUNCS = frozenset({f"{m}.{f}" for m in ("re", "regex") for f in ("match", "search", "fullmatch")})
_RE_COMPILE = frozenset({"re.compile", "regex.compile"})


def _compiled_pattern(ctx: FileContext, recv: ast.expr) -> ast.Call | None:
    """The `re.compile(...)` call a receiver refers to (inline, local, module, or class attribute)."""
    value: ast.AST | None = recv
    if isinstance(recv, ast.Name):
        value = reaching_value(ctx, recv) or module_constant(ctx, recv.id)
    elif isinstance(recv, ast.Attribute) and isinstance(recv.value, ast.Name):
        value = _class_attribute(ctx, recv)
    if isinstance(value, ast.Call) and ctx.call_name(value) in _RE_COMPILE:
        return value
    return None


def _class_attribute(ctx: FileContext, attr: ast.Attribute) -> ast.expr | None:
    """`self.X`, `cls.X` or `Klass.X` bound once in a class body of this file."""
    if not isinstance(attr.value, ast.Name):
        return None
    owner = attr.value.id
    cls = ctx.enclosing_class(attr) if owner in {"self", "cls"} else None
    classes = (
        [cls]
        if cls is not None
        else [n for n in ctx.tree.body if isinstance(n, ast.ClassDef) and n.name == owner]
    )
    for klass in classes:
        for stmt in klass.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == attr.attr
            ):
                return stmt.value
    return None


class RegexCall(NamedTuple):
    what: str
    method: str
    pattern: ast.expr | None
    flags: ast.expr | None
    subject: ast.expr | None


def regex_match(ctx: FileContext, call: ast.Call) -> RegexCall | None:
    """The parts of a `re.match/search/fullmatch` style call (module function or compiled pattern)."""
    name = ctx.call_name(call) or ""
    if name in _RE_FUNCS:
        return RegexCall(
            f"`{name}()`",
            name.rsplit(".", 1)[1],
            _arg(call, 0, "pattern"),
            _arg(call, 2, "flags"),
            _arg(call, 1, "string"),
        )
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in {"match", "search", "fullmatch"}:
        compiled = _compiled_pattern(ctx, func.value)
        if compiled is not None:
            if len(call.args) > 1 or call.keywords:
                return None  # pos/endpos: the match starts mid-string, probes say nothing
            return RegexCall(
                f"`{short_text(ctx, func)}()`",
                func.attr,
                _arg(compiled, 0, "pattern"),
                _arg(compiled, 1, "flags"),
                _arg(call, 0, "string"),
            )
    return None


def _arg(call: ast.Call, pos: int, kw: str) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == kw:
            return k.value
    if pos < len(call.args) and not isinstance(call.args[pos], ast.Starred):
        return call.args[pos]
    return None


_PROBES = ("", "a", "0", "_", " ", "a\n", "\u00e9t\u00e9", "".join(chr(c) for c in range(32, 127)))
_FLAG_NAMES = {
    "I": re.I,
    "IGNORECASE": re.I,
    "M": re.M,
    "MULTILINE": re.M,
    "S": re.S,
    "DOTALL": re.S,
    "X": re.X,
    "VERBOSE": re.X,
    "A": re.A,
    "ASCII": re.A,
    "U": re.U,
    "UNICODE": re.U,
}


def _flags(ctx: FileContext, expr: ast.expr | None) -> int | None:
    if expr is None:
        return 0
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return expr.value
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        left, right = _flags(ctx, expr.left), _flags(ctx, expr.right)
        return None if left is None or right is None else left | right
    name = ctx.qualname(expr) or ""
    module, _, flag = name.rpartition(".")
    if module in {"re", "re.RegexFlag", "regex"} and flag in _FLAG_NAMES:
        return int(_FLAG_NAMES[flag])
    return None


def always_matches(ctx: FileContext, pattern: ast.expr | None, flags: ast.expr | None, method: str) -> bool:
    """A literal pattern matching every probe string (`\\s*`, `(.*?)(\\d*)$`): a miss is not expected."""
    value = literal_value(pattern, ctx)
    flag_value = _flags(ctx, flags)
    if method == "fullmatch" or not isinstance(value, (str, bytes)) or flag_value is None:
        return False
    try:
        if isinstance(value, str):
            return _matches_every(re.compile(value, flag_value), method, _PROBES)
        return _matches_every(re.compile(value, flag_value), method, [p.encode("utf-8") for p in _PROBES])
    except (re.error, RecursionError, OverflowError, ValueError):
        return False


def _matches_every(compiled: re.Pattern[AnyStr], method: str, probes: Sequence[AnyStr]) -> bool:
    test = compiled.search if method == "search" else compiled.match
    return all(test(probe) is not None for probe in probes)
