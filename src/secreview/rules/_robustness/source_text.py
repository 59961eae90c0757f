"""Source text of nodes: `segment` (the exact text, cut from the file's lines once split) and
`short_text` (one line, shortened for messages)."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey

_ROBUSTNESS_LINES: MemoKey[list[bytes]] = MemoKey("robustness-lines")

_LINE_BREAK = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def segment(ctx: FileContext, node: ast.AST) -> str:
    """`segment(ctx, node)` without re-splitting the whole file on every call (the same text)."""
    start: int | None = getattr(node, "lineno", None)
    end: int | None = getattr(node, "end_lineno", None)
    col: int | None = getattr(node, "col_offset", None)
    end_col: int | None = getattr(node, "end_col_offset", None)
    if start is None or end is None or col is None or end_col is None:
        return ""
    lines = ctx.memo(
        _ROBUSTNESS_LINES, ctx.tree, lambda: [m.encode("utf-8") for m in _LINE_BREAK.findall(ctx.source)]
    )
    if end > len(lines):
        return ctx.segment(node)
    if start == end:
        return lines[start - 1][col:end_col].decode("utf-8", "replace")
    parts = [lines[start - 1][col:], *lines[start : end - 1], lines[end - 1][:end_col]]
    return b"".join(parts).decode("utf-8", "replace")


def short_text(ctx: FileContext, node: ast.AST, limit: int = 60) -> str:
    text = " ".join(segment(ctx, node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
