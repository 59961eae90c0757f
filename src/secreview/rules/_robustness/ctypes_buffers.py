"""ctypes buffer sizes: the buffer a pointer expression refers to, how big it was made, whether a
byte count is visibly bounded by it, and why a copy may run past it."""

from __future__ import annotations

import ast
from typing import NamedTuple

from secreview.analysis.context import FileContext
from secreview.analysis.flow import Source, reaching_value
from secreview.analysis.values import literal_value
from secreview.rules._robustness.ctypes_types import _BYTE_TYPES, ctypes_name, owning_creation
from secreview.rules._robustness.source_text import segment, short_text
from secreview.taint.provenance import OUTSIDE, source_of


def buffer_base(ctx: FileContext, expr: ast.expr) -> ast.expr:
    """`addressof(buf) + 4`, `byref(buf, 4)`, `cast(buf, T)`, `pointer(buf)` -> `buf`."""
    for _ in range(4):
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Sub)):
            expr = expr.left
        elif (
            isinstance(expr, ast.Call)
            and ctypes_name(ctx, expr.func)
            in {"addressof", "byref", "cast", "pointer", "c_void_p", "c_char_p"}
            and expr.args
        ):
            expr = expr.args[0]
        else:
            break
    return expr


class BufferSize(NamedTuple):
    size: ast.expr | None  # the element count / byte size expression
    init: ast.expr | None  # `create_string_buffer(init)`: size is len(init) + 1
    byte_elements: bool  # each element is one byte
    type_text: str  # the type `sizeof()` may be given for it ("Header", "c_char * 16")
    described: str  # how the buffer was made


def buffer_size(ctx: FileContext, buf: ast.expr) -> BufferSize | None:
    """How big a ctypes object made in this function (or module) is, from its creation."""
    value: ast.AST | None = buf
    if isinstance(buf, ast.Name):
        value = reaching_value(ctx, buf)
    if not isinstance(value, ast.Call):
        return None
    kind = ctypes_name(ctx, value.func)
    made = short_text(ctx, value)
    if kind == "create_string_buffer" and value.args:
        first = value.args[0]
        size = value.args[1] if len(value.args) > 1 else None
        if size is not None:
            return BufferSize(size, None, True, "", made)
        if (
            isinstance(first, ast.Constant)
            and isinstance(first.value, int)
            or isinstance(first, ast.BinOp)
            or isinstance(first, ast.Call)
            and ctx.call_name(first) in {"builtins.len", "builtins.int"}
        ):
            return BufferSize(first, None, True, "", made)
        if isinstance(first, ast.Constant) and isinstance(first.value, bytes):
            return BufferSize(ast.Constant(len(first.value) + 1), None, True, "", made)
        return BufferSize(None, first, True, "", made)
    func = value.func
    if isinstance(func, ast.BinOp) and isinstance(func.op, ast.Mult) and ctypes_name(ctx, func.left):
        return BufferSize(
            func.right, None, ctypes_name(ctx, func.left) in _BYTE_TYPES, segment(ctx, func), made
        )
    if owning_creation(ctx, value) and kind != "create_unicode_buffer":
        return BufferSize(None, None, False, segment(ctx, func), made)
    return None


def _int(ctx: FileContext, expr: ast.AST | None) -> int | None:
    value = literal_value(expr, ctx)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def size_fits(ctx: FileContext, count: ast.expr, buf: ast.expr, size: BufferSize | None) -> bool:
    """The byte count is visibly bounded by the buffer: sizeof/len of it, min(), the size it was made with."""
    buf_text = segment(ctx, buf)
    for node in ast.walk(count):
        if isinstance(node, ast.Call):
            name = ctx.call_name(node) or ""
            if name.rsplit(".", 1)[-1] == "min" and name in {"builtins.min", "min"}:
                return True
            if name in {"ctypes.sizeof", "builtins.len"} and node.args:
                arg_text = segment(ctx, node.args[0])
                if arg_text == buf_text or (
                    size is not None and size.type_text and arg_text == size.type_text
                ):
                    return True
        if isinstance(node, ast.Attribute) and node.attr == "_length_":
            return True
    if size is None:
        return False
    count_text = segment(ctx, count)
    if size.size is not None:
        if size.byte_elements and segment(ctx, size.size) == count_text:
            return True
        grown = size.size
        if (
            size.byte_elements
            and isinstance(grown, ast.BinOp)
            and isinstance(grown.op, ast.Add)
            and segment(ctx, grown.left) == count_text
            and (_int(ctx, grown.right) or 0) >= 0
        ):
            return True  # create_string_buffer(len(data) + 1) for len(data) bytes
        n, limit = _int(ctx, count), _int(ctx, size.size)
        if n is not None and limit is not None and size.byte_elements:
            return n <= limit
    return (
        size.init is not None
        and isinstance(count, ast.Call)
        and ctx.call_name(count) == "builtins.len"
        and bool(count.args)
        and segment(ctx, count.args[0]) == segment(ctx, size.init)
    )


def compared_before(ctx: FileContext, node: ast.AST, expr: ast.AST) -> bool:
    """A comparison before `node` in its function mentions one of the names used in `expr` (a bound check)."""
    names = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)} - {"len", "ctypes", "min", "max"}
    if not names:
        return False
    scope = ctx.enclosing_function(node) or ctx.tree
    line = getattr(node, "lineno", 0)
    for sub in ast.walk(scope):
        if isinstance(sub, ast.Compare) and sub.lineno <= line:
            if any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(sub)):
                return True
    return False


def count_source(ctx: FileContext, count: ast.expr) -> Source | None:
    """Outside data the byte count comes from (`len(sock.recv(...))`, `int(request.args[...])`)."""
    return source_of(ctx, count, OUTSIDE, through_conversions=True)  # a count is still the sender's number


def overflow_reason(
    ctx: FileContext, call: ast.Call, target: ast.expr, count: ast.expr
) -> tuple[str, Source | None] | None:
    """Why copying `count` bytes to/from `target` may run past the buffer, else None."""
    base = buffer_base(ctx, target)
    size = buffer_size(ctx, base)
    if size_fits(ctx, count, base, size) or compared_before(ctx, call, count):
        return None
    source = count_source(ctx, count)
    count_text = short_text(ctx, count)
    if size is not None:
        limit = _int(ctx, size.size) if size.byte_elements else None
        n = _int(ctx, count)
        if n is not None and limit is not None:
            return f"{n} bytes but `{segment(ctx, base)}` holds only {limit}", source
        if n is not None and source is None and limit is None:
            return None  # a constant count against a structure: sizes unknown here
        return (
            f"`{count_text}` bytes, which nothing bounds by the size of `{segment(ctx, base)}` "
            f"(made by `{size.described}`)",
            source,
        )
    if source is not None:
        return f"`{count_text}` bytes taken from {source.description} into memory of unknown size", source
    return None
