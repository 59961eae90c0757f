"""File modes: the integer value of a literal mode, and what a function does to the mode of the files it
creates (a restrictive `os.open` mode, `chmod`, `umask`, a private temporary file)."""

from __future__ import annotations

import ast
import stat

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import module_constant

STAT_CONSTANTS = {
    name: value for name in dir(stat) if name.startswith("S_I") and type(value := getattr(stat, name)) is int
}
_MODE_CALLS = {"os.chmod": 1, "os.lchmod": 1, "os.fchmod": 1, "os.open": 2, "os.mkdir": 1, "os.makedirs": 1}
_PRIVATE_FILES = {"tempfile.mkstemp", "tempfile.NamedTemporaryFile", "tempfile.TemporaryFile",
                  "tempfile.SpooledTemporaryFile"}


def literal_mode(expr: ast.AST | None, ctx: FileContext, depth: int = 0) -> int | None:
    """The integer value of a literal mode built from ints and `stat.S_I*` constants (through names)."""
    if expr is None or depth > 6:
        return None
    if isinstance(expr, ast.Constant) and type(expr.value) is int:
        return expr.value
    if isinstance(expr, (ast.Attribute, ast.Name)):
        qual = ctx.qualname(expr) or ""
        if qual.startswith("stat.") and qual[5:] in STAT_CONSTANTS:
            return STAT_CONSTANTS[qual[5:]]
        if isinstance(expr, ast.Name):
            value = reaching_value(ctx, expr) if ctx.enclosing_function(expr) else module_constant(ctx, expr.id)
            return literal_mode(value, ctx, depth + 1) if value is not None else None
        return None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.BitOr, ast.Add, ast.BitAnd)):
        left, right = literal_mode(expr.left, ctx, depth + 1), literal_mode(expr.right, ctx, depth + 1)
        if left is None or right is None:
            return None
        return left & right if isinstance(expr.op, ast.BitAnd) else left | right
    return None


def mode_argument(call: ast.Call, ctx: FileContext) -> tuple[str, ast.AST | None] | None:
    """(callee, mode expression) of a call that sets or creates with a mode: `os.chmod(p, m)`,
    `Path.chmod(m)`, `os.open(p, flags, m)` (None when the mode is left out), `os.umask(m)`."""
    name = ctx.call_name(call) or ""
    if name in _MODE_CALLS:
        index = _MODE_CALLS[name]
        mode = call.args[index] if len(call.args) > index else next(
            (k.value for k in call.keywords if k.arg == "mode"), None)
        return name, mode
    if name == "os.umask":
        return name, call.args[0] if call.args else None
    if name.endswith(".chmod") and isinstance(call.func, ast.Attribute) and len(call.args) == 1:
        return name, call.args[0]
    return None


def private_file_scope(ctx: FileContext, node: ast.AST) -> str | None:
    """The enclosing function (or module) makes the files it writes private to their owner (or group):
    a `chmod`/`os.open` mode without read for others, a umask that masks it, a private temporary file,
    an `opener=`; a mode that is not a literal counts as deliberate. Returns what it does, or None."""
    scope = ctx.enclosing_function(node) or ctx.tree
    for sub in ast.walk(scope):
        if not isinstance(sub, ast.Call):
            continue
        if any(k.arg == "opener" for k in sub.keywords):
            return "an `opener=`"
        name = ctx.call_name(sub) or ""
        if name in _PRIVATE_FILES:
            return f"`{name}` (mode 0o600)"
        found = mode_argument(sub, ctx)
        if found is None or found[0] in ("os.mkdir", "os.makedirs"):
            continue
        callee, expr = found
        if expr is None:
            continue
        mode = literal_mode(expr, ctx)
        if mode is None:
            return f"`{callee}` with a computed mode"
        if callee == "os.umask":
            if mode & stat.S_IROTH:
                return f"`os.umask({mode:#o})`"
        elif not mode & stat.S_IROTH:
            return f"`{callee}` with mode {mode:#o}"
    return None


def describe(mode: int) -> str:
    """`0o520` -> "r-x for the owner, -w- for the group, --- for others"."""
    parts = []
    for who, shift in (("the owner", 6), ("the group", 3), ("others", 0)):
        bits = (mode >> shift) & 7
        letters = "".join(letter if bits & bit else "-" for letter, bit in (("r", 4), ("w", 2), ("x", 1)))
        parts.append(f"{letters} for {who}")
    return ", ".join(parts)
