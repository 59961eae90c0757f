"""The entry point: how a string was built, which values are unsafe, and whether one comes from outside."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.values import is_literal
from secreview.rules._injection.model import _STRONG, Build, Part, Verdict
from secreview.rules._injection.safety import is_safe
from secreview.rules._injection.walk import _walk
from secreview.taint.provenance import read_directly, source_of


def analyze(ctx: FileContext, expr: ast.expr | None, kind: str) -> Verdict | None:
    """How `expr` was built and which of its values are unsafe for `kind`; None when all are safe."""
    if expr is None or is_literal(expr, ctx):
        return None
    build = Build(kind)
    _walk(ctx, expr, build, 6, "")
    unsafe = tuple(p for p in build.parts if not is_safe(ctx, p, kind))
    if not unsafe:
        return None
    sources = []
    for part in unsafe:
        found = source_of(ctx, part.expr)
        if found is None and part.site is not part.expr:
            found = source_of(ctx, part.site)
        if (
            found is not None
            and not found.description.startswith(_STRONG)
            and not read_directly(part.expr, ctx)
        ):
            found = None  # argv/env/stdin naming a file or a setting, not the text itself
        if found is not None:
            if found.description.startswith(_STRONG):
                return Verdict(build.how, build.text, unsafe, found, part)
            sources.append((found, part))
    first = sources[0] if sources else (None, None)
    return Verdict(build.how, build.text, unsafe, first[0], first[1])


def describe(part: Part, ctx: FileContext) -> str:
    site = part.site
    text = ctx.segment(site) or ctx.segment(part.expr)
    if not text or len(text) > 40 or "\n" in text:
        return "a non-literal value"
    return f"`{text}`"
