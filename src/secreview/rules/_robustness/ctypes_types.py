"""ctypes types: integer widths (ctypes and numpy), which calls create a ctypes object that owns its
memory, and structures declared in the file."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.rules._robustness.source_text import short_text

_ROBUSTNESS_STRUCTS: MemoKey[frozenset[str]] = MemoKey("robustness-structs")

# -- ctypes ------------------------------------------------------------------------------------------
# Bits kept by each fixed-width integer type (c_long / c_ulong are 32 bits on Windows).
CTYPES_INT_BITS = {
    "c_byte": 8,
    "c_ubyte": 8,
    "c_int8": 8,
    "c_uint8": 8,
    "c_short": 16,
    "c_ushort": 16,
    "c_int16": 16,
    "c_uint16": 16,
    "c_int": 32,
    "c_uint": 32,
    "c_int32": 32,
    "c_uint32": 32,
    "c_long": 32,
    "c_ulong": 32,
    "c_int64": 64,
    "c_uint64": 64,
    "c_longlong": 64,
    "c_ulonglong": 64,
    "c_size_t": 64,
    "c_ssize_t": 64,
}
NUMPY_INT_BITS = {
    "int8": 8,
    "uint8": 8,
    "int16": 16,
    "uint16": 16,
    "int32": 32,
    "uint32": 32,
    "intc": 32,
    "uintc": 32,
    "short": 16,
    "ushort": 16,
    "byte": 8,
    "ubyte": 8,
    "int64": 64,
    "uint64": 64,
}
_OWNING_CTYPES = frozenset(
    {
        "create_string_buffer",
        "create_unicode_buffer",
        "c_char",
        "c_wchar",
        "c_char_p",
        "c_wchar_p",
        "c_void_p",
        "c_bool",
        "c_float",
        "c_double",
        "c_longdouble",
        *CTYPES_INT_BITS,
    }
)
_BYTE_TYPES = frozenset({"c_char", "c_byte", "c_ubyte", "c_int8", "c_uint8"})
_STRUCT_BASES = frozenset(
    {
        "ctypes.Structure",
        "ctypes.Union",
        "ctypes.BigEndianStructure",
        "ctypes.LittleEndianStructure",
        "ctypes.BigEndianUnion",
        "ctypes.LittleEndianUnion",
    }
)


def ctypes_name(ctx: FileContext, expr: ast.AST | None) -> str | None:
    """`c_int` for `ctypes.c_int` / `from ctypes import c_int` / `ct.c_int`, else None."""
    name = ctx.qualname(expr) or ""
    if name.startswith("ctypes.") and name.count(".") == 1:
        return name.split(".", 1)[1]
    return None


def _local_struct(ctx: FileContext, name: str) -> bool:
    def compute() -> frozenset[str]:
        found: set[str] = set()
        for node in ctx.tree_nodes():
            if isinstance(node, ast.ClassDef):
                bases = {ctx.qualname(b) or "" for b in node.bases}
                if bases & _STRUCT_BASES or bases & found:
                    found.add(node.name)
        return frozenset(found)

    return name in ctx.memo(_ROBUSTNESS_STRUCTS, ctx.tree, compute)


def owning_creation(ctx: FileContext, expr: ast.AST | None) -> str | None:
    """A call that creates a ctypes object owning its memory: a description, else None."""
    if not isinstance(expr, ast.Call):
        return None
    kind = ctypes_name(ctx, expr.func)
    if kind in _OWNING_CTYPES:
        return f"`ctypes.{kind}(...)`"
    func = expr.func
    if isinstance(func, ast.BinOp) and isinstance(func.op, ast.Mult):
        if ctypes_name(ctx, func.left) or (
            isinstance(func.left, ast.Name) and _local_struct(ctx, func.left.id)
        ):
            return f"the array `{short_text(ctx, expr)}`"
    if isinstance(func, ast.Attribute) and func.attr == "from_buffer_copy":
        return f"`{short_text(ctx, expr)}`"
    if isinstance(func, ast.Name) and _local_struct(ctx, func.id):
        return f"the structure `{func.id}()`"
    return None
