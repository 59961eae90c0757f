"""Where a crash is handled or expected: which exceptions an `except` clause catches, whether an
enclosing `try` (or `contextlib.suppress`) in the same function catches one, and whether a node is test
code (where a crash is the test failing)."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext

BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


# -- exceptions and try blocks ---------------------------------------------------------------
def handler_names(ctx: FileContext, handler: ast.ExceptHandler) -> list[str]:
    """Qualified names of the exceptions a handler catches; [] for a bare `except:`."""
    if handler.type is None:
        return []
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return [ctx.qualname(t) or "" for t in types]


def handler_catches(ctx: FileContext, handler: ast.ExceptHandler, wanted: frozenset[str]) -> bool:
    """The handler catches one of `wanted` (short names) or is bare / broad."""
    if handler.type is None:
        return True
    for name in handler_names(ctx, handler):
        short = name.rsplit(".", 1)[-1]
        if name in BROAD_EXCEPTIONS or short in {"Exception", "BaseException"} or short in wanted:
            return True
    return False


def caught_here(ctx: FileContext, node: ast.AST, wanted: frozenset[str]) -> bool:
    """An enclosing `try` body (in the same function) or `contextlib.suppress` catches `wanted`."""
    child: ast.AST = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, _NESTED_SCOPES):
            return False
        if isinstance(anc, ast.Try) and child in anc.body:
            if any(handler_catches(ctx, h, wanted) for h in anc.handlers):
                return True
        if isinstance(anc, (ast.With, ast.AsyncWith)) and child in anc.body:
            for item in anc.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and ctx.call_name(expr) == "contextlib.suppress":
                    names = {(ctx.qualname(a) or "").rsplit(".", 1)[-1] for a in expr.args}
                    if names & (wanted | {"Exception", "BaseException"}):
                        return True
        child = anc
    return False


# -- code that never runs ----------------------------------------------------------------------
_ENDS_BLOCK = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def dead_code(ctx: FileContext, node: ast.AST) -> bool:
    """In a branch that never runs: the body of `if False:` / `if 0:` / `while False:`, the `else` of
    `if True:`, or a statement after a `return`/`raise`/`continue`/`break` of its own block. A crash there
    cannot happen."""
    child: ast.AST = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, (ast.If, ast.While)) and isinstance(anc.test, ast.Constant) and child is not anc.test:
            taken = bool(anc.test.value)
            if (child in anc.body and not taken) or (child in anc.orelse and taken):
                return True
        if isinstance(child, ast.stmt):
            for field in ("body", "orelse", "finalbody"):
                block = getattr(anc, field, None)
                if isinstance(block, list) and child in block:
                    if any(isinstance(s, _ENDS_BLOCK) for s in block[: block.index(child)]):
                        return True
        if isinstance(anc, _NESTED_SCOPES):
            return False
        child = anc
    return False
