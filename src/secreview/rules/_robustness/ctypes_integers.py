"""ctypes integer truncation: integer fields of structures declared in the file, and why a value
may not fit a fixed-width integer type (outside input, arithmetic, `len()`)."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.flow import Source, reaching_value
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import is_literal
from secreview.rules._robustness.ctypes_buffers import compared_before
from secreview.rules._robustness.ctypes_types import CTYPES_INT_BITS, NUMPY_INT_BITS, _local_struct, ctypes_name
from secreview.rules._robustness.source_text import short_text
from secreview.taint.provenance import direct_input

_ROBUSTNESS_STRUCT_FIELDS: MemoKey[dict[str, dict[str, str]]] = MemoKey("robustness-struct-fields")


def struct_fields(ctx: FileContext, name: str) -> dict[str, str]:
    """field -> ctypes integer type name, for a Structure declared in this file with a literal `_fields_`."""

    def compute() -> dict[str, dict[str, str]]:
        table: dict[str, dict[str, str]] = {}
        for node in ctx.tree_nodes():
            if not isinstance(node, ast.ClassDef) or not _local_struct(ctx, node.name):
                continue
            fields: dict[str, str] = {}
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "_fields_" for t in stmt.targets
                ):
                    if isinstance(stmt.value, (ast.List, ast.Tuple)):
                        for item in stmt.value.elts:
                            if (
                                isinstance(item, ast.Tuple)
                                and len(item.elts) == 2
                                and isinstance(item.elts[0], ast.Constant)
                            ):
                                kind = ctypes_name(ctx, item.elts[1])
                                if kind in CTYPES_INT_BITS:
                                    fields[str(item.elts[0].value)] = kind
            table[node.name] = fields
        return table

    return ctx.memo(_ROBUSTNESS_STRUCT_FIELDS, ctx.tree, compute).get(name, {})


_WRAPPING_OPS = (ast.Add, ast.Sub, ast.Mult, ast.LShift, ast.Pow)


def _has_variable(ctx: FileContext, expr: ast.AST) -> bool:
    """Some operand varies at run time: a local name or attribute, not a constant, an imported name or the
    type given to `sizeof()`."""
    if isinstance(expr, ast.Constant):
        return False
    if isinstance(expr, ast.Name):
        return (
            expr.id not in ctx.imports
            and not is_literal(expr, ctx)
            and not (ctx.qualname(expr) or "").startswith("builtins.")
        )
    if isinstance(expr, ast.Attribute):
        root: ast.AST = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        return not (isinstance(root, ast.Name) and root.id in ctx.imports)
    if isinstance(expr, ast.Call):
        if (ctx.call_name(expr) or "").rsplit(".", 1)[-1] in {"sizeof", "alignment"}:
            return False
        return any(_has_variable(ctx, a) for a in (*expr.args, *(k.value for k in expr.keywords)))
    return any(_has_variable(ctx, child) for child in ast.iter_child_nodes(expr))


def wrapping_value(
    ctx: FileContext, expr: ast.expr | None, kind: str, anchor: ast.AST, depth: int = 2
) -> tuple[str, Source | None] | None:
    """Why `expr` may not fit a `kind` integer: (description, outside source or None), else None."""
    if expr is None or depth < 0:
        return None
    if isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.int" and len(expr.args) == 1:
        expr = expr.args[0]
    bits = CTYPES_INT_BITS.get(kind, NUMPY_INT_BITS.get(kind, 64))
    unsigned = kind.startswith(("c_u", "u")) or kind == "c_size_t"
    source = direct_input(ctx, expr)
    if source is not None:
        if compared_before(ctx, anchor, expr):
            return None
        return f"outside input ({source.description})", source
    if isinstance(expr, ast.Name):
        if compared_before(ctx, anchor, expr):
            return None
        return wrapping_value(ctx, reaching_value(ctx, expr), kind, anchor, depth - 1)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, _WRAPPING_OPS):
        if not _has_variable(ctx, expr):
            return None
        if bits == 64 and not (unsigned and isinstance(expr.op, ast.Sub)):
            return None
        if compared_before(ctx, anchor, expr):
            return None
        if unsigned and isinstance(expr.op, ast.Sub):
            return f"the subtraction `{short_text(ctx, expr)}` (negative results become huge)", None
        return f"the arithmetic `{short_text(ctx, expr)}`", None
    if isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.len" and bits < 64:
        if compared_before(ctx, anchor, expr):
            return None
        return f"`{short_text(ctx, expr)}`", None
    return None
