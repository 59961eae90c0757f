"""The locks held where a node runs: lock items of enclosing `with` blocks, `acquire()`...`release()`
regions of an enclosing block, and `@synchronized`-style decorators of the function."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.rules._lifetime.lock_identity import is_lock, lock_key
from secreview.rules._lifetime.scopes import _NESTED, FUNCS, _field_of, scope_of


def with_lock_items(ctx: FileContext, node: ast.With | ast.AsyncWith) -> list[tuple[str, ast.expr]]:
    """(key, expr) for the items of a `with` that are locks, in order."""
    found = []
    for item in node.items:
        expr = item.context_expr
        key = lock_key(ctx, expr) if isinstance(expr, ast.Call) or is_lock(ctx, expr) else None
        if key:
            found.append((key, expr))
    return found


def lock_call(ctx: FileContext, stmt: ast.AST, method: str) -> str | None:
    """The lock key when `stmt` is the statement `lock.<method>()` (also `await lock.acquire()`)."""
    if not isinstance(stmt, ast.Expr):
        return None
    call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
    if (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == method
        and is_lock(ctx, call.func.value)
    ):
        return lock_key(ctx, call.func.value)
    return None


def decorator_locks(ctx: FileContext, func: ast.AST) -> list[str]:
    """Locks a function holds through `@synchronized(...)`-style decorators ("named:x" or "decorator")."""
    keys = []
    for deco in getattr(func, "decorator_list", ()):
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = (ctx.qualname(target) or "").rsplit(".", 1)[-1]
        if "synchronized" in name.lower() or name in ("locked", "with_lock", "locked_method", "serialized"):
            key = lock_key(ctx, deco) if isinstance(deco, ast.Call) else None
            if key is None and isinstance(deco, ast.Call) and deco.args and is_lock(ctx, deco.args[0]):
                key = lock_key(ctx, deco.args[0])
            keys.append(key or "decorator")
    return keys


def held_locks(ctx: FileContext, node: ast.AST, scope: ast.AST | None = None) -> list[tuple[str, ast.AST]]:
    """Locks held where `node` runs, outermost first: enclosing lock `with` items (within the
    function), `x.acquire()` statements earlier in an enclosing block not yet released, and
    `@synchronized` decorators of the function."""
    scope = scope or scope_of(ctx, node)
    held: list[tuple[str, ast.AST]] = []
    child = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, (ast.With, ast.AsyncWith)) and _field_of(anc, child) == "body":
            held[:0] = with_lock_items(ctx, anc)
        for _name, value in ast.iter_fields(anc):
            if isinstance(value, list) and any(v is child for v in value):
                idx = next(i for i, v in enumerate(value) if v is child)
                open_keys: dict[str, ast.AST] = {}
                for stmt in value[:idx]:
                    key = lock_call(ctx, stmt, "acquire")
                    if key:
                        open_keys[key] = stmt
                    key = lock_call(ctx, stmt, "release")
                    if key:
                        open_keys.pop(key, None)
                # Only a critical section counts: the block releases the lock later. A lock acquired
                # and left held (`started.acquire()` as a signal for another thread) is not one.
                rest = value[idx:]
                held[:0] = [
                    (key, stmt)
                    for key, stmt in open_keys.items()
                    if any(lock_call(ctx, n, "release") == key for s in rest for n in ast.walk(s))
                ]
        if anc is scope:
            break
        if isinstance(anc, _NESTED):
            break
        child = anc
    if isinstance(scope, FUNCS):
        held[:0] = [(k, scope) for k in decorator_locks(ctx, scope)]
    return held
