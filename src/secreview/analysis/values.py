"""What a rule can tell about a value without running anything: is it a literal,
is it a string built from non-literal parts, and which calls/keywords it has."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey

_MODULE_CONSTANTS: MemoKey[dict[str, ast.expr]] = MemoKey("module-constants")


def is_literal(expr: ast.AST | None, ctx: FileContext | None = None, _depth: int = 0) -> bool:
    """True when the value is fixed in the source: constants, containers of
    constants, f-strings without placeholders, operations on literals, and names
    bound once at module level to such a value (UPPER_CASE constants)."""
    if expr is None or _depth > 8:
        return False
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in expr.values)
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        return all(is_literal(e, ctx, _depth + 1) for e in expr.elts)
    if isinstance(expr, ast.BinOp):
        return is_literal(expr.left, ctx, _depth + 1) and is_literal(expr.right, ctx, _depth + 1)
    if isinstance(expr, ast.UnaryOp):
        return is_literal(expr.operand, ctx, _depth + 1)
    if isinstance(expr, ast.Name) and ctx is not None:
        value = module_constant(ctx, expr.id)
        return value is not None and is_literal(value, ctx, _depth + 1)
    return False


def module_constant(ctx: FileContext, name: str) -> ast.expr | None:
    """The value of a module-level name bound exactly once by a plain assignment."""

    def compute() -> dict[str, ast.expr]:
        seen: dict[str, ast.expr | None] = {}
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                key = stmt.targets[0].id
                seen[key] = None if key in seen else stmt.value
            elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) and isinstance(stmt.target, ast.Name):
                seen[stmt.target.id] = None
        return {k: v for k, v in seen.items() if v is not None}

    table = ctx.memo(_MODULE_CONSTANTS, ctx.tree, compute)
    return table.get(name)


def literal_value(expr: ast.AST | None, ctx: FileContext | None = None) -> object:
    """The Python value of a literal expression, or None when it is not one."""
    if isinstance(expr, ast.Name) and ctx is not None:
        expr = module_constant(ctx, expr.id)
    if expr is None:
        return None
    # The common cases answered directly: `ast.literal_eval` builds closures that refer to each
    # other on every call, garbage only the cycle collector frees.
    if isinstance(expr, ast.Constant):
        return expr.value
    if isinstance(expr, (ast.Name, ast.Attribute)):
        return None
    try:
        return ast.literal_eval(expr)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def keyword_matches(given: ast.expr, wanted: object, ctx: FileContext) -> bool:
    """A keyword's value matches a spec's `when`/`unless` literal (a tuple: any one of them); a
    string also matches a name with that qualified name (`Loader=yaml.SafeLoader`)."""
    options = wanted if isinstance(wanted, tuple) else (wanted,)
    value = literal_value(given, ctx)
    name = ctx.qualname(given) if isinstance(given, (ast.Name, ast.Attribute)) else None
    return any((type(value) is type(option) and value == option) or (isinstance(option, str) and name == option)
               for option in options)


def string_building(expr: ast.AST | None, ctx: FileContext | None = None) -> str | None:
    """How a string is built from non-literal parts, or None.

    Returns "f-string", "%-formatting", "str.format()", "concatenation" or
    "str.join()" when the expression interpolates a value that is not a literal.
    """
    if isinstance(expr, ast.JoinedStr):
        if any(isinstance(v, ast.FormattedValue) and not is_literal(v.value, ctx) for v in expr.values):
            return "f-string"
        return None
    if isinstance(expr, ast.BinOp):
        if isinstance(expr.op, ast.Mod) and _is_stringish(expr.left) and not is_literal(expr.right, ctx):
            return "%-formatting"
        if isinstance(expr.op, ast.Add) and (_is_stringish(expr.left) or _is_stringish(expr.right)):
            if not (is_literal(expr.left, ctx) and is_literal(expr.right, ctx)):
                return "concatenation"
        if isinstance(expr.op, ast.Add):
            return string_building(expr.left, ctx) or string_building(expr.right, ctx)
        return None
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        if expr.func.attr == "format" and _is_stringish(expr.func.value):
            args = [*expr.args, *(k.value for k in expr.keywords)]
            if any(not is_literal(a, ctx) for a in args):
                return "str.format()"
        if expr.func.attr == "join" and isinstance(expr.func.value, ast.Constant) and expr.args:
            if not is_literal(expr.args[0], ctx):
                return "str.join()"
    return None


def _is_stringish(expr: ast.AST) -> bool:
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (str, bytes))
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
        return _is_stringish(expr.left)
    return False


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def argument(call: ast.Call, position: int | None, name: str | None = None) -> ast.expr | None:
    """The argument passed by position or by keyword, or None."""
    if name is not None:
        kw = keyword(call, name)
        if kw is not None:
            return kw.value
    if position is not None and position < len(call.args):
        arg = call.args[position]
        return None if isinstance(arg, ast.Starred) else arg
    return None


def is_true(expr: ast.AST | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True


def is_false(expr: ast.AST | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is False


def is_none(expr: ast.AST | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


_SQL_START = re.compile(
    r"^\s*(select|insert|update|delete|replace|merge|create|drop|alter|truncate|grant|revoke|with|exec|call|pragma)\b",
    re.IGNORECASE,
)
_SQL_BODY = re.compile(r"\b(from|into|set|where|values|table|order\s+by|group\s+by|join|limit)\b", re.IGNORECASE)


def looks_like_sql(text: str) -> bool:
    """A literal fragment that starts like an SQL statement ("SELECT ... FROM")."""
    return bool(_SQL_START.search(text)) and (bool(_SQL_BODY.search(text)) or len(text.split()) <= 3)


def literal_prefix(expr: ast.AST | None) -> str:
    """The leading literal text of a built string ("SELECT * FROM t WHERE id=" for an f-string)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        text = []
        for value in expr.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                text.append(value.value)
            else:
                text.append("?")
        return "".join(text)
    if isinstance(expr, ast.BinOp):
        return literal_prefix(expr.left)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        return literal_prefix(expr.func.value)
    return ""


def opens_for_writing(ctx: FileContext, call: ast.Call, index: int) -> bool:
    """The open-style call's mode (argument `index` or `mode=`) writes, appends or updates,
    and is not 'x' (exclusive creation, which is atomic). No mode means "r"."""
    mode = argument(call, index, "mode")
    value = literal_value(mode, ctx) if mode is not None else "r"
    return isinstance(value, str) and "x" not in value and any(c in value for c in "wa+")
