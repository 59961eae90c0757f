"""ctypes memory lifetime: call results that own memory nothing else references (freed at the end
of the expression), C functions that keep no Python reference, and whether a local may outlive its
function."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import module_constant
from secreview.rules._robustness.ctypes_types import owning_creation
from secreview.rules._robustness.source_text import short_text

_TEMP_BYTES_METHODS = frozenset({"encode", "tobytes", "to_bytes", "getvalue", "read", "join"})


def temporary_memory(ctx: FileContext, expr: ast.AST | None) -> str | None:
    """A call result that owns memory and that nothing else references: freed at the end of the expression."""
    made = owning_creation(ctx, expr)
    if made:
        return made
    if isinstance(expr, ast.Call):
        name = ctx.call_name(expr) or ""
        if name in {"builtins.bytes", "builtins.bytearray"} and expr.args:
            return f"`{short_text(ctx, expr)}`"
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in _TEMP_BYTES_METHODS:
            return f"`{short_text(ctx, expr)}`"
    return None


_KEEPS_NOTHING = frozenset(
    {
        "ctypes.addressof",
        "ctypes.sizeof",
        "ctypes.byref",
        "ctypes.memmove",
        "ctypes.memset",
        "ctypes.string_at",
        "ctypes.wstring_at",
        "ctypes.cast",
        "builtins.len",
        "builtins.bytes",
        "builtins.print",
        "builtins.id",
    }
)


_LIBRARY_LOADERS = frozenset(
    {
        "ctypes.CDLL",
        "ctypes.PyDLL",
        "ctypes.WinDLL",
        "ctypes.OleDLL",
        "ctypes.cdll.LoadLibrary",
        "ctypes.windll.LoadLibrary",
        "ctypes.pydll.LoadLibrary",
    }
)


def foreign_call(ctx: FileContext, call: ast.Call) -> bool:
    """`lib.func(...)` with `lib = ctypes.CDLL(...)`: a C function, which keeps no Python reference."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    root = func.value
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    if (ctx.qualname(func.value) or "").startswith(("ctypes.cdll.", "ctypes.windll.", "ctypes.pythonapi")):
        return True
    value = reaching_value(ctx, root) or module_constant(ctx, root.id)
    return isinstance(value, ast.Call) and ctx.call_name(value) in _LIBRARY_LOADERS


def local_escapes(ctx: FileContext, func: ast.AST, ident: str, skip: ast.AST) -> bool:
    """`ident` may outlive the function: returned, stored, captured, handed to a call that could keep it."""
    for node in ast.walk(func):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and ident in node.names:
            return True
        if not (isinstance(node, ast.Name) and node.id == ident and isinstance(node.ctx, ast.Load)):
            continue
        if any(anc is skip for anc in ctx.ancestors(node)):
            continue
        inner = ctx.enclosing_function(node)
        if inner is not func and inner is not None:
            return True  # a closure keeps it alive
        parent = ctx.parent(node)
        if isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is node:
            continue  # buf.raw, buf[0]
        if (
            isinstance(parent, ast.Call)
            and node in parent.args
            and (ctx.call_name(parent) in _KEEPS_NOTHING or foreign_call(ctx, parent))
        ):
            continue
        if isinstance(parent, ast.Compare):
            continue
        return True
    return False
