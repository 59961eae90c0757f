"""Lock acquired with `acquire()` and not released on every path.

## What it flags
A statement `lock.acquire()` (a `threading`/`multiprocessing`/eventlet/asyncio
lock or semaphore, or a receiver named like one) when the function:
- releases it outside a `finally:` block, after code that may raise or return;
- or never releases it, and no other function of the class or module does
  either (helpers such as `__enter__` or `acquire` are left alone).

`with lock:` and `lock.acquire()` followed directly by `try: ... finally:
lock.release()` are the safe forms; `if lock.acquire(blocking=False):` is not
flagged.

## Why it matters
When anything between `acquire()` and `release()` raises (a failed RPC, a
`KeyError`, a timeout) or returns early, the lock stays held for ever: every
other thread or green thread that needs it blocks, and the agent or service
hangs without an error (CWE-667). These hangs are hard to diagnose in
production because nothing is logged.

## Example
```python
import threading

_state_lock = threading.Lock()
_ports = {}

def bind_port(port_id, host):
    _state_lock.acquire()
    _ports[port_id] = lookup_host(host)
    _state_lock.release()
```

## Use instead
```python
import threading

_state_lock = threading.Lock()
_ports = {}

def bind_port(port_id, host):
    with _state_lock:
        _ports[port_id] = lookup_host(host)
```

## References
- CWE-667: Improper Locking
- Python docs, `threading` "Using locks, conditions, and semaphores in the with statement"
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.lock_factories import LOCK_HELPER_NAMES, lockish_name
from secreview.rules._lifetime.lock_identity import is_lock, lock_key
from secreview.rules._lifetime.lock_regions import lock_call
from secreview.rules._lifetime.scopes import FUNCS, dotted, has_call, in_cleanup, scope_of, walk_local
from secreview.ruleset import Hit, Meta

_SR410_RELEASED_NAMES: MemoKey[set[str | None]] = MemoKey("sr410-released-names")

META = Meta(
    code="SR410",
    name="lock-not-released-on-error",
    title="Lock acquired and not released on every path",
    cwe=667,
    type="deadlock",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Use `with lock:`; or call `lock.release()` in a `finally:` block of a `try` that starts right "
    "after `lock.acquire()`.",
)
NODES = (ast.Expr,)
_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)


def check(node: ast.Expr, ctx: FileContext) -> Iterator[Hit]:
    key = lock_call(ctx, node, "acquire")
    if key is None:
        return
    call = node.value.value if isinstance(node.value, ast.Await) else node.value
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)  # what lock_call matched
    if _non_blocking(call):
        return  # the result is ignored, but it is not the try-acquire idiom we can judge
    scope = scope_of(ctx, node)
    if isinstance(scope, FUNCS) and (scope.name in LOCK_HELPER_NAMES or lockish_name(scope.name)):
        return
    lock_text = ctx.segment(call.func.value) or key
    # (lock_call matches `lock.release()` statements only: the isinstance test is for the checker)
    releases = [n for n in walk_local(scope) if isinstance(n, ast.Expr) and lock_call(ctx, n, "release") == key]
    if _release_registered(ctx, scope, key):
        return
    if not releases:
        if _released_elsewhere(ctx, node, call.func.value) or _created_here(ctx, scope, call.func.value):
            return  # released by another method (a hand-off), or a fresh lock that starts held (a signal)
        yield Hit(call, f"`{lock_text}` is acquired and never released in this function.")
        return
    if _protected(ctx, node, key, releases, scope):
        return
    later = [r for r in releases if r.lineno > node.lineno]
    if later and all(in_cleanup(ctx, r, scope) == "except" for r in later):
        return  # released only on failure: on success the lock is handed over, held on purpose
    first = min((r for r in releases if r.lineno > node.lineno), key=lambda r: r.lineno, default=None)
    if first is None:
        return
    between = [
        s for s in walk_local(scope) if isinstance(s, ast.stmt) and node.lineno < s.lineno < first.lineno
    ]
    exits = [
        s
        for s in between
        if isinstance(s, (ast.Return, ast.Raise, ast.Break, ast.Continue))
        and not _release_before(ctx, s, key)
    ]
    if exits:
        yield Hit(
            call,
            f"`{lock_text}` stays held when the function leaves at line {exits[0].lineno} "
            f"before the release at line {first.lineno}.",
        )
        return
    risky = next((s for s in between if has_call(s) and not isinstance(s, _COMPOUND)), None)
    if risky is None:
        return
    if in_cleanup(ctx, first, scope) == "finally":
        yield Hit(
            call,
            f"`{lock_text}` is acquired before the `try` whose `finally:` releases it; line "
            f"{risky.lineno} in between can raise and leave it held.",
            confidence=Confidence.MEDIUM,
        )
    else:
        yield Hit(
            call,
            f"`{lock_text}` is released at line {first.lineno} outside `finally:`; an exception "
            f"raised in between (e.g. line {risky.lineno}) leaves it held for ever.",
        )


def _non_blocking(call: ast.Call) -> bool:
    for arg in (*call.args[:1], *(k.value for k in call.keywords if k.arg == "blocking")):
        if isinstance(arg, ast.Constant) and arg.value in (False, 0):
            return True
    return any(k.arg == "timeout" for k in call.keywords) or len(call.args) > 1


def _protected(ctx: FileContext, node: ast.Expr, key: str, releases: list[ast.Expr], scope: ast.AST) -> bool:
    """acquire(); [statements without calls]; try: ... finally: release() — or acquire() first inside
    a try whose finally releases; or a release in finally/except anywhere after it."""
    parent = ctx.parent(node)
    if (
        isinstance(parent, ast.Try)
        and any(node is s for s in parent.body)
        and _releases(ctx, parent.finalbody, key)
    ):
        return True
    siblings = _siblings(ctx, node)
    idx = next(i for i, s in enumerate(siblings) if s is node)
    for pos, stmt in enumerate(siblings[idx + 1 :], start=idx + 1):
        if isinstance(stmt, ast.Try):
            if _releases(ctx, stmt.finalbody, key):
                return True
            # released in the handler and on the normal path (in the try's else or after it)
            return any(_releases(ctx, h.body, key) for h in stmt.handlers) and (
                _releases(ctx, stmt.body + stmt.orelse, key) or _releases(ctx, siblings[pos + 1 :], key)
            )
        if lock_call(ctx, stmt, "release") == key:
            return True  # released straight away, nothing in between
        if has_call(stmt) or isinstance(stmt, (ast.Return, ast.Raise)):
            return False
    return any(in_cleanup(ctx, r, scope) == "finally" for r in releases if r.lineno > node.lineno)


def _siblings(ctx: FileContext, node: ast.stmt) -> list[ast.stmt]:
    parent = ctx.parent(node)
    for _name, value in ast.iter_fields(parent) if parent else ():
        if isinstance(value, list) and any(v is node for v in value):
            return value
    return [node]


def _releases(ctx: FileContext, stmts: list[ast.stmt], key: str) -> bool:
    return any(lock_call(ctx, n, "release") == key for s in stmts for n in ast.walk(s))


def _release_before(ctx: FileContext, exit_stmt: ast.stmt, key: str) -> bool:
    siblings = _siblings(ctx, exit_stmt)
    idx = next(i for i, s in enumerate(siblings) if s is exit_stmt)
    return _releases(ctx, siblings[:idx], key) or any(
        isinstance(a, ast.Try) and _releases(ctx, a.finalbody, key) for a in ctx.ancestors(exit_stmt)
    )


def _release_registered(ctx: FileContext, scope: ast.AST, key: str) -> bool:
    """`self.addCleanup(lock.release)`, `stack.callback(lock.release)`: released later by design."""
    for node in walk_local(scope):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "release"
            and not (isinstance(parent := ctx.parent(node), ast.Call) and parent.func is node)
            and is_lock(ctx, node.value)
            and lock_key(ctx, node.value) == key
        ):
            return True
    return False


def _released_elsewhere(ctx: FileContext, node: ast.AST, lock: ast.expr) -> bool:
    """Any `<...>.<same name>.release` in the module (`worker._lock.release()` from another class too)."""

    def compute() -> set[str | None]:
        return {
            _last_name(n.value)
            for n in ctx.tree_nodes()
            if isinstance(n, ast.Attribute) and n.attr == "release"
        }

    return _last_name(lock) in ctx.memo(_SR410_RELEASED_NAMES, ctx.tree, compute)


def _last_name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return None


def _created_here(ctx: FileContext, scope: ast.AST, lock: ast.expr) -> bool:
    """`waiter = allocate_lock(); waiter.acquire()`: a lock made in this function to start out held."""
    target = dotted(lock)
    for node in walk_local(scope):
        if (
            target
            and isinstance(node, ast.Assign)
            and any(dotted(t) == target for t in node.targets)
            and isinstance(node.value, ast.Call)
        ):
            return True
    return False
