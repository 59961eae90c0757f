"""Non-reentrant lock taken again by the thread that already holds it.

## What it flags
While holding a `threading.Lock()` (or `_thread.allocate_lock()`,
`multiprocessing.Lock()`, `asyncio.Lock()`, a value-1 semaphore) — not an
`RLock` — the code:
- takes the same lock again (`with self._lock:` nested in itself, or
  `self._lock.acquire()` inside the block);
- or calls a method of the same class (`self.refresh()`), or for a module-level
  lock a function of the same module, that takes the same lock, directly or
  through other methods it calls.

## Why it matters
A `Lock` does not know who holds it: the second acquire in the same thread
waits for a release that can only come from itself, so the thread hangs for
ever, and every other thread that needs the lock hangs behind it (CWE-833).
It typically appears when a public, locked method is reused from another
locked method during a refactoring.

## Example
```python
import threading

class Inventory:
    def __init__(self):
        self._lock = threading.Lock()
        self._items = {}

    def add(self, key, value):
        with self._lock:
            self._items[key] = value

    def add_many(self, pairs):
        with self._lock:
            for key, value in pairs:
                self.add(key, value)
```

## Use instead
```python
import threading

class Inventory:
    def __init__(self):
        self._lock = threading.Lock()
        self._items = {}

    def add(self, key, value):
        with self._lock:
            self._items[key] = value

    def add_many(self, pairs):
        with self._lock:
            for key, value in pairs:
                self._items[key] = value
```

## References
- CWE-833: Deadlock
- Python docs, `threading.Lock` vs `threading.RLock`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext, FunctionNode
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.lock_factories import is_reentrant
from secreview.rules._lifetime.lock_identity import lock_creation
from secreview.rules._lifetime.lock_regions import lock_call, with_lock_items
from secreview.rules._lifetime.scopes import FUNCS, walk_local, walk_stmts
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR412",
    name="non-reentrant-lock-reacquired",
    title="Non-reentrant lock acquired again by its holder",
    cwe=833,
    type="deadlock",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Do not call locked methods while holding the lock: move the body into an unlocked helper "
    "(`_add_locked`) that both callers use, or make the lock a `threading.RLock()`.",
)
NODES = (ast.With, ast.AsyncWith)


def check(node: ast.With | ast.AsyncWith, ctx: FileContext) -> Iterator[Hit]:
    for key, expr in with_lock_items(ctx, node):
        creation = lock_creation(ctx, expr)
        if creation is None or is_reentrant(ctx, creation):
            continue
        text = ctx.segment(expr) or key
        for inner in walk_stmts(node.body):
            if isinstance(inner, (ast.With, ast.AsyncWith)) and any(
                k == key for k, _ in with_lock_items(ctx, inner)
            ):
                yield Hit(
                    inner,
                    f"`{text}` is a non-reentrant lock already held since line {node.lineno}: "
                    f"taking it again here blocks this thread for ever.",
                )
                return
            if isinstance(inner, ast.Expr) and lock_call(ctx, inner, "acquire") == key:
                yield Hit(
                    inner,
                    f"`{text}.acquire()` on a non-reentrant lock already held since line "
                    f"{node.lineno} blocks this thread for ever.",
                )
                return
            if isinstance(inner, ast.Call):
                callee = _callee(ctx, inner, expr)
                if callee is None:
                    continue
                path = _takes_lock(ctx, callee, key, expr, set())
                if path:
                    via = " -> ".join(f"{p}()" for p in path)
                    yield Hit(
                        inner,
                        f"`{via}` takes `{text}` again while it is held since line {node.lineno}; "
                        f"it is a non-reentrant lock, so this thread blocks for ever.",
                    )
                    return


def _callee(ctx: FileContext, call: ast.Call, lock_expr: ast.AST) -> FunctionNode | None:
    """The method (`self.m()` for a `self.` lock) or module function (`f()` for a module lock) called."""
    func = call.func
    if (
        isinstance(lock_expr, ast.Attribute)
        and isinstance(lock_expr.value, ast.Name)
        and lock_expr.value.id == "self"
    ):
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            cls = ctx.enclosing_class(call)
            return _member(cls, func.attr) if cls else None
        return None
    if isinstance(lock_expr, ast.Name) and isinstance(func, ast.Name):
        return _member(ctx.tree, func.id)
    return None


def _member(owner: ast.AST, name: str) -> FunctionNode | None:
    found = [s for s in getattr(owner, "body", []) if isinstance(s, FUNCS) and s.name == name]
    return found[0] if len(found) == 1 else None  # redefined or absent: unknown


def _takes_lock(ctx: FileContext, func: FunctionNode, key: str, lock_expr: ast.AST, seen: set[int]) -> list[str]:
    """[func, ..., the function that takes `key`] when calling `func` takes the lock, else []."""
    if id(func) in seen:
        return []
    seen.add(id(func))
    args = func.args
    if any("lock" in a.arg.lower() for a in (*args.args, *args.kwonlyargs)):
        return []  # `def add(self, key, locked=False)`: the caller says whether to lock
    calls: list[ast.Call] = []
    for node in walk_local(func):
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(
            k == key for k, _ in with_lock_items(ctx, node)
        ):
            return [func.name]
        if isinstance(node, ast.Expr) and lock_call(ctx, node, "acquire") == key:
            return [func.name]
        if isinstance(node, ast.Call):
            calls.append(node)
    for call in calls:
        callee = _callee(ctx, call, lock_expr)
        if callee is not None:
            rest = _takes_lock(ctx, callee, key, lock_expr, seen)
            if rest:
                return [func.name, *rest]
    return []
