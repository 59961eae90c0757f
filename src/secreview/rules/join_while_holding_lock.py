"""Waiting for a thread while holding a lock that thread needs.

## What it flags
`thread.join()` (also with a timeout) called while a lock is held (`with
self._lock:`, `lock.acquire()` ... `release()`, `@synchronized`), when the
thread was created in the same class or function with
`threading.Thread(target=...)` and its target — a method of the class or a
function of the module — takes that same lock.

## Why it matters
The joining thread waits for the worker to finish while keeping the lock; the
worker, at its next `with self._lock:`, waits for the lock. Neither moves
(CWE-833): `stop()` hangs and with it the service's shutdown, a reload or a
failover. A timeout on `join()` only hides it: the worker is still stuck and
the lock still taken.

## Example
```python
import threading

class Poller:
    def __init__(self):
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop)

    def _loop(self):
        while not self._stop.is_set():
            with self._lock:
                self.poll_once()

    def poll_once(self):
        pass

    def stop(self):
        with self._lock:
            self._stop.set()
            self._thread.join()
```

## Use instead
```python
import threading

class Poller:
    def __init__(self):
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop)

    def _loop(self):
        while not self._stop.is_set():
            with self._lock:
                self.poll_once()

    def poll_once(self):
        pass

    def stop(self):
        self._stop.set()
        self._thread.join()
```

## References
- CWE-833: Deadlock
- Python docs, `threading.Thread.join`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.lock_regions import held_locks, lock_call, with_lock_items
from secreview.rules._lifetime.scopes import FUNCS, walk_local
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR413",
    name="join-while-holding-lock",
    title="Thread joined while holding a lock its target takes",
    cwe=833,
    type="deadlock",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Release the lock before `join()`: signal the thread under the lock if you must, then leave the "
    "`with` block and join.",
)
NODES = (ast.Call,)
# Every hit joins a `threading.Thread`.
NEEDS = ("Thread",)
_THREADS = {"threading.Thread"}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    if not isinstance(node.func, ast.Attribute) or node.func.attr != "join" or len(node.args) > 1:
        return
    held = held_locks(ctx, node)
    if not held:
        return
    target = _thread_target(ctx, node.func.value)
    if target is None:
        return
    keys = {k for k, _ in held}
    taken = _takes(ctx, target, keys)
    if taken is None:
        return
    thread = ctx.segment(node.func.value) or "the thread"
    yield Hit(
        node,
        f"`{thread}.join()` waits, with `{taken[0]}` held, for a thread whose target `{target.name}` takes "
        f"`{taken[0]}` at line {taken[1]}: neither can go on.",
    )


def _thread_target(ctx: FileContext, expr: ast.expr) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The function a `threading.Thread(target=...)` bound to `expr` (a local or `self.x`) runs."""
    creation: ast.AST | None = None
    if isinstance(expr, ast.Name):
        creation = reaching_value(ctx, expr)
    elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        cls = ctx.enclosing_class(expr)
        for n in ast.walk(cls) if cls is not None else ():
            if (
                isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Attribute) and t.attr == expr.attr for t in n.targets)
                and isinstance(n.value, ast.Call)
                and ctx.call_name(n.value) in _THREADS
            ):
                creation = n.value
    if not isinstance(creation, ast.Call) or ctx.call_name(creation) not in _THREADS:
        return None
    target = next((k.value for k in creation.keywords if k.arg == "target"), None)
    if target is None and len(creation.args) > 1:
        target = creation.args[1]
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
        cls = ctx.enclosing_class(creation)
        return next((s for s in cls.body if isinstance(s, FUNCS) and s.name == target.attr), None) if cls else None
    if isinstance(target, ast.Name):
        return next((s for s in ctx.tree.body if isinstance(s, FUNCS) and s.name == target.id), None)
    return None


def _takes(ctx: FileContext, func: ast.AST, keys: set[str]) -> tuple[str, int] | None:
    """(lock text, line) where `func` takes one of the locks."""
    for n in walk_local(func):
        if isinstance(n, (ast.With, ast.AsyncWith)):
            for key, expr in with_lock_items(ctx, n):
                if key in keys:
                    return ctx.segment(expr) or key, n.lineno
        elif isinstance(n, ast.Expr):
            acquired = lock_call(ctx, n, "acquire")
            if acquired is not None and acquired in keys:
                return acquired, n.lineno
    return None
