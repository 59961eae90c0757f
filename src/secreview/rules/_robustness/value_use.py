"""How a local value is used after it is bound: as an object (and so would fail on None) or only
tested, the first unchecked use in the rest of its block, and the test expressions that guard a node."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext, walk
from secreview.analysis.memo import MemoKey
from secreview.rules._robustness.catching import _NESTED_SCOPES, caught_here
from secreview.rules._robustness.source_text import segment

_ROBUSTNESS_TESTS: MemoKey[list[tuple[int, int, str]]] = MemoKey("robustness-tests")

# -- how a value is used ---------------------------------------------------------------------
_ITERATING_BUILTINS = frozenset(
    {
        "builtins.len",
        "builtins.iter",
        "builtins.sorted",
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.enumerate",
        "builtins.dict",
        "builtins.sum",
        "builtins.frozenset",
    }
)


def object_use(ctx: FileContext, expr: ast.AST) -> str | None:
    """How the parent of `expr` uses it as an object (and would fail on None), or None."""
    parent = ctx.parent(expr)
    if isinstance(parent, ast.Attribute) and parent.value is expr:
        if parent.attr.startswith("__"):
            return None
        grand = ctx.parent(parent)
        if isinstance(grand, ast.Call) and grand.func is parent:
            return f"`.{parent.attr}()`"
        return f"`.{parent.attr}`"
    if isinstance(parent, ast.Subscript) and parent.value is expr:
        return "subscripting"
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is expr:
        return "iteration"
    if isinstance(parent, ast.Call) and expr in parent.args:
        name = ctx.call_name(parent)
        if name in _ITERATING_BUILTINS:
            return f"`{name.split('.', 1)[1]}()`"
    if isinstance(parent, ast.Starred) and isinstance(ctx.parent(parent), ast.Call):
        return "`*` unpacking"
    if isinstance(parent, ast.keyword) and parent.arg is None:
        return "`**` unpacking"
    if isinstance(parent, ast.Assign) and parent.value is expr:
        if any(isinstance(t, (ast.Tuple, ast.List)) for t in parent.targets):
            return "tuple unpacking"
    if isinstance(parent, ast.Compare) and expr in parent.comparators:
        op = parent.ops[parent.comparators.index(expr)]
        if isinstance(op, (ast.In, ast.NotIn)):
            return "an `in` test"
    return None


_CHECK_CALLS = frozenset(
    {
        "builtins.isinstance",
        "builtins.bool",
        "builtins.callable",
        "builtins.issubclass",
        "builtins.type",
        "builtins.id",
    }
)
_CHECKING_WORDS = re.compile(r"(check|valid|require|ensure|assert|verify|expect|must|abort|raise|fail)", re.I)


def is_check(ctx: FileContext, name: ast.Name) -> bool:
    """The name is tested rather than used: `if x`, `x is None`, `x or d`, `isinstance(x, ...)`, `not x`."""
    parent = ctx.parent(name)
    if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is name:
        return True
    if isinstance(parent, (ast.BoolOp, ast.UnaryOp, ast.NamedExpr)):
        return True
    if isinstance(parent, ast.comprehension) and name in parent.ifs:
        return True
    if isinstance(parent, ast.Compare):
        if name is parent.left:
            return True
        op = parent.ops[parent.comparators.index(name)]
        return not isinstance(op, (ast.In, ast.NotIn))
    if isinstance(parent, ast.Match):
        return True
    if isinstance(parent, ast.Call) and name in parent.args:
        callee = ctx.call_name(parent) or ""
        return callee in _CHECK_CALLS or bool(_CHECKING_WORDS.search(callee.rsplit(".", 1)[-1]))
    return False


def _names_after(stmts: list[ast.stmt], ident: str) -> list[ast.Name]:
    found: list[ast.Name] = []
    stack: list[ast.AST] = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, _NESTED_SCOPES):
            continue
        if isinstance(node, ast.Name) and node.id == ident:
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return found


def block_after(ctx: FileContext, stmt: ast.stmt) -> list[ast.stmt]:
    """The statements that follow `stmt` in its own block (straight-line code and what nests in it)."""
    parent = ctx.parent(stmt)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and stmt in block:
            return block[block.index(stmt) + 1 :]
    return []


def bound_name(stmt: ast.AST | None) -> str | None:
    """The one plain name a statement binds (`m = ...`, `m: Match = ...`), or None."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id
    return None


def first_unchecked_use(
    ctx: FileContext, stmt: ast.stmt, ident: str, catches: frozenset[str]
) -> tuple[ast.Name, str] | None:
    """The first use of `ident` as an object after its binding in `stmt`, before any check or rebinding."""
    for name in _names_after(block_after(ctx, stmt), ident):
        if not isinstance(name.ctx, ast.Load):
            return None  # rebound or deleted
        if is_check(ctx, name):
            return None
        how = object_use(ctx, name)
        if how is None:
            continue
        use_stmt = ctx.statement_of(name)
        if use_stmt is not None and _checked_in(ctx, use_stmt, ident):
            return None  # `x.y if x else z`, `x and x.y`
        if caught_here(ctx, name, catches):
            return None
        return name, how
    return None


def _checked_in(ctx: FileContext, stmt: ast.stmt, ident: str) -> bool:
    header = (
        [stmt] if not hasattr(stmt, "body") else [getattr(stmt, "test", None) or getattr(stmt, "iter", None)]
    )
    for part in header:
        if part is None:
            continue
        for node in ast.walk(part):
            if isinstance(node, ast.Name) and node.id == ident and is_check(ctx, node):
                return True
    return False


def tested_texts(ctx: FileContext, node: ast.AST) -> set[str]:
    """Source text of every test expression of the function holding `node` that precedes or encloses it."""
    scope = ctx.enclosing_function(node) or ctx.tree

    def compute() -> list[tuple[int, int, str]]:
        out = []
        for sub in walk(scope):
            tests: list[ast.AST] = []
            if isinstance(sub, (ast.If, ast.While, ast.IfExp, ast.Assert)):
                tests = [sub.test]
            elif isinstance(sub, ast.BoolOp):
                tests = list(sub.values[:-1])
            elif isinstance(sub, ast.comprehension):
                tests = list(sub.ifs)
            for test in tests:
                for part in ast.walk(test):
                    if isinstance(part, (ast.Call, ast.Attribute, ast.Subscript, ast.Compare)):
                        out.append((part.lineno, getattr(sub, "end_lineno", part.lineno), segment(ctx, part)))
        return out

    line = getattr(node, "lineno", 0)
    return {text for start, end, text in ctx.memo(_ROBUSTNESS_TESTS, scope, compute) if start <= line}
