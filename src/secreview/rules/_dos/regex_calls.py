"""Regex calls in source: which `re`/`regex` function is called, its flags, and literal pattern text."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.flow import assignments, reaching_value
from secreview.analysis.values import module_constant
from secreview.rules._dos.sre_alphabet import _sre

REGEX_MODULES = ("re", "regex")
# function -> position of the `flags` argument (the pattern is always first)
REGEX_FUNCS = {
    "compile": 1,
    "match": 2,
    "search": 2,
    "fullmatch": 2,
    "findall": 2,
    "finditer": 2,
    "sub": 4,
    "subn": 4,
    "split": 3,
}
UNANCHORED_METHODS = frozenset({"match", "search", "findall", "finditer", "sub", "subn", "split"})


def regex_call(ctx: FileContext, call: ast.Call) -> tuple[str, str] | None:
    """("re", "search") for a module-level regex function call, else None."""
    name = ctx.call_name(call) or ""
    module, _, func = name.rpartition(".")
    if module in REGEX_MODULES and func in REGEX_FUNCS and _imported(ctx, call.func):
        return module, func
    return None


def _imported(ctx: FileContext, func: ast.expr) -> bool:
    """The call's first name is an import: a local `regex = re.compile(...)` (a compiled pattern named
    like the `regex` module) makes `regex.match(text)` a match of that pattern, whose argument is the
    subject, not a pattern."""
    while isinstance(func, ast.Attribute):
        func = func.value
    if not (isinstance(func, ast.Name) and func.id in ctx.imports):
        return False
    scope = ctx.enclosing_function(func)  # a binding in the function (or a comprehension in it) shadows
    return scope is None or func.id not in assignments(ctx, scope)


def regex_flags(ctx: FileContext, expr: ast.AST | None, _depth: int = 0) -> int | None:
    """The value of a flags expression built from `re.X` constants and `|`; None if unknown."""
    if expr is None:
        return 0
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return expr.value
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.BitOr, ast.Add)):
        left, right = regex_flags(ctx, expr.left, _depth), regex_flags(ctx, expr.right, _depth)
        return None if left is None or right is None else left | right
    if isinstance(expr, ast.Name) and _depth < 4:
        value = module_constant(ctx, expr.id)
        if value is not None:
            return regex_flags(ctx, value, _depth + 1)
    name = ctx.qualname(expr) or ""
    module, _, flag = name.rpartition(".")
    if module in REGEX_MODULES or module in {"re.RegexFlag", "regex.RegexFlag"}:
        value = _FLAG_NAMES.get(flag)
        return value if value is not None else None
    return None


_FLAG_NAMES = {
    "I": _sre.SRE_FLAG_IGNORECASE,
    "IGNORECASE": _sre.SRE_FLAG_IGNORECASE,
    "M": _sre.SRE_FLAG_MULTILINE,
    "MULTILINE": _sre.SRE_FLAG_MULTILINE,
    "S": _sre.SRE_FLAG_DOTALL,
    "DOTALL": _sre.SRE_FLAG_DOTALL,
    "X": _sre.SRE_FLAG_VERBOSE,
    "VERBOSE": _sre.SRE_FLAG_VERBOSE,
    "A": _sre.SRE_FLAG_ASCII,
    "ASCII": _sre.SRE_FLAG_ASCII,
    "U": _sre.SRE_FLAG_UNICODE,
    "UNICODE": _sre.SRE_FLAG_UNICODE,
    "L": 0,
    "LOCALE": 0,
    "DEBUG": 0,
    "T": 0,
    "TEMPLATE": 0,
    "NOFLAG": 0,
    "V0": 0,
    "VERSION0": 0,
    "V1": 0,
    "VERSION1": 0,
    "B": 0,
    "BESTMATCH": 0,
    "E": 0,
    "ENHANCEMATCH": 0,
    "F": 0,
    "FULLCASE": 0,
    "P": 0,
    "POSIX": 0,
    "R": 0,
    "REVERSE": 0,
    "W": 0,
    "WORD": 0,
}


def literal_string(ctx: FileContext, expr: ast.AST | None, _depth: int = 0) -> str | bytes | None:
    """The text of a string built only from literals (concatenation, module constants, local names)."""
    if expr is None or _depth > 6:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (str, bytes)):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        constants = [v for v in expr.values if isinstance(v, ast.Constant)]
        if len(constants) == len(expr.values):
            return "".join(str(v.value) for v in constants)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = literal_string(ctx, expr.left, _depth + 1), literal_string(ctx, expr.right, _depth + 1)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        if isinstance(left, bytes) and isinstance(right, bytes):
            return left + right
        return None
    if isinstance(expr, ast.Name):
        value = reaching_value(ctx, expr)
        if value is None and ctx.enclosing_function(expr) is None:
            value = module_constant(ctx, expr.id)
        if value is not None and value is not expr:
            return literal_string(ctx, value, _depth + 1)
    return None
