"""Shared state guarded by a lock in one place and changed without it in another.

## What it flags
In a class that creates a lock (`self._lock = threading.Lock()`, `RLock`,
`Condition`, `Semaphore`, eventlet/gevent semaphores, `asyncio.Lock`) and
guards an attribute with it (`with self._lock: self._cache[k] = v`), a method
other than `__init__` that, without holding any lock:
- checks and then changes that attribute (`if k not in self._cache:
  self._cache[k] = ...`, `if self._conn is None: self._conn = ...`);
- or reads-modifies-writes it (`self._count += 1`, `self._seen[k] += 1`).

The same for a module that guards a global (`_CACHE`) with a module-level lock
in one function and checks-then-changes it unlocked in another; and, with
medium confidence, for a class or module whose only lock is created but never
taken or handed to anyone. For asyncio locks only an `await` between the
check and the change is a race. Methods named `*_locked`, documented as
"called with the lock held", decorated with `@synchronized`, or only ever
called under the lock are left alone.

## Why it matters
The lock shows the author expects several threads (or green threads) here;
the unguarded path lets two of them pass the check together. The result is a
lost update, a duplicate connection or worker, a cache entry overwritten by a
stale one, or a `RuntimeError: dictionary changed size during iteration` in
the guarded path (CWE-362). Such races surface under load as rare, unreproducible
failures in agents and services.

## Example
```python
import threading

class TokenCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._tokens = {}

    def invalidate(self, user):
        with self._lock:
            self._tokens.pop(user, None)

    def get(self, user):
        if user not in self._tokens:
            self._tokens[user] = fetch_token(user)
        return self._tokens[user]
```

## Use instead
```python
import threading

class TokenCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._tokens = {}

    def invalidate(self, user):
        with self._lock:
            self._tokens.pop(user, None)

    def get(self, user):
        with self._lock:
            if user not in self._tokens:
                self._tokens[user] = fetch_token(user)
            return self._tokens[user]
```

## References
- CWE-362: Concurrent Execution using Shared Resource with Improper Synchronization ('Race Condition')
- CWE-367: Time-of-check Time-of-use (TOCTOU) Race Condition
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext, FunctionNode
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.scopes import walk_local, walk_stmts
from secreview.rules._lifetime.shared_state import (
    INIT_LIKE,
    Owner,
    class_owner,
    collect_guarded,
    held,
    locked_functions,
    module_owner,
    mutation_of,
    never_taken,
)
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR403",
    name="unsynchronized-shared-state",
    title="Lock-guarded state changed without the lock",
    cwe=362,
    type="race",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Hold the same lock around the whole check-and-update (`with self._lock:`), or use an atomic "
    "operation (`dict.setdefault`, `itertools.count`, `queue.Queue`).",
)
NODES = (ast.ClassDef, ast.Module)
# An owner needs a lock made by a known factory (lock_factories.LOCK_FACTORIES): these are their modules.
NEEDS = ("thread", "multiprocessing", "eventlet", "gevent", "asyncio", "anyio", "trio")


def check(node: ast.ClassDef | ast.Module, ctx: FileContext) -> Iterator[Hit]:
    owner = class_owner(ctx, node) if isinstance(node, ast.ClassDef) else module_owner(ctx)
    if owner is None:
        return
    collect_guarded(ctx, owner)
    if not owner.guarded:
        owner.unused = never_taken(ctx, owner, node)
        if owner.unused is None:
            return
    locked = locked_functions(ctx, owner)
    for func in owner.functions:
        if func.name in INIT_LIKE or func in locked:
            continue
        if owner.asyncio and not isinstance(func, ast.AsyncFunctionDef):
            continue  # a plain method runs without yielding to the event loop
        yield from _races_in(ctx, owner, func)


def _races_in(ctx: FileContext, owner: Owner, func: FunctionNode) -> Iterator[Hit]:
    reported: set[int] = set()  # the changes already reported (nested checks share them)
    for node in walk_local(func):
        if isinstance(node, ast.If) and not held(ctx, node, func):
            for change, hit in _check_then_act(ctx, owner, func, node):
                if change.lineno not in reported:
                    reported.add(change.lineno)
                    yield hit
        elif isinstance(node, ast.AugAssign) and not owner.asyncio and not held(ctx, node, func):
            target = node.target.value if isinstance(node.target, ast.Subscript) else node.target
            name = owner.state_of(target, func)
            if name is not None and owner.guard(name):
                reported.add(node.lineno)
                yield Hit(
                    node,
                    f"`{ctx.segment(node.target)}` is read, changed and written back {owner.why(name)}; "
                    f"concurrent updates are lost.",
                    confidence=_confidence(owner, name),
                )
    for change, hit in _read_then_write(ctx, owner, func):
        if change.lineno not in reported:
            reported.add(change.lineno)
            yield hit


# Each finding comes with the change it is on (the node its Hit reports), so that nested checks can share it.
Found = tuple[ast.stmt | ast.Call, Hit]


def _check_then_act(ctx: FileContext, owner: Owner, func: FunctionNode, node: ast.If) -> Iterator[Found]:
    """The finding is on the change (where the lost update or duplicate happens); it names the check."""
    named = {owner.state_of(n, func) for n in walk_local(node.test) if isinstance(n, (ast.Name, ast.Attribute))}
    named.add(owner.state_of(node.test, func))
    checked = {n for n in named if n is not None and owner.guard(n)}
    if not checked:
        return
    branch = node.body + node.orelse
    for inner in walk_stmts(branch):
        name = owner.state_of(inner, func)
        if name is None or name not in checked or not isinstance(inner, ast.expr):  # (a state is an expr)
            continue
        change = mutation_of(ctx, inner)
        if change is None or held(ctx, inner, func):
            continue
        if owner.asyncio and not any(
            isinstance(a, ast.Await) and a.lineno <= inner.lineno for a in walk_stmts(branch)
        ):
            continue
        shown = ctx.segment(inner) or name
        yield change, Hit(
            change,
            f"`{shown}` is checked at line {node.lineno} and changed here {owner.why(name)}: "
            f"two threads can both pass the check.",
            confidence=_confidence(owner, name),
        )
        return


def _read_then_write(ctx: FileContext, owner: Owner, func: FunctionNode) -> Iterator[Found]:
    """`used = self._usage.get(k)` ... `if used + n > limit: raise` ... `self._usage[k] = used + n`, all
    without the lock: the value read is checked or written back after other threads may have changed it."""
    reads: list[tuple[str, str, ast.stmt]] = []  # (local name, state, the assignment reading it)
    for node in walk_local(func):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and not held(ctx, node, func)
        ):
            for n in walk_local(node.value):
                name = owner.state_of(n, func)
                if name is not None and isinstance(getattr(n, "ctx", None), ast.Load) and owner.guard(name):
                    reads.append((node.targets[0].id, name, node))
                    break
    if not reads:
        return
    tests = [n for n in walk_local(func) if isinstance(n, (ast.If, ast.While))]
    for node in walk_local(func):
        name = owner.state_of(node, func)
        if name is None or held(ctx, node, func):
            continue
        change = mutation_of(ctx, node)
        if change is None:
            continue
        for local, state, read in reads:
            if state != name or not read.lineno < change.lineno or _rebinds(func, local, read, change):
                continue
            if owner.asyncio and not _awaits_between(func, read.lineno, change.lineno):
                continue
            if _uses(change, local, ref=node):
                how = f"is read into `{local}` at line {read.lineno} and written back here from it"
            else:
                test = next((t for t in tests if read.lineno < t.lineno <= change.lineno
                             and _uses(t.test, local)), None)
                if test is None:
                    continue
                how = f"is read into `{local}` at line {read.lineno}, checked at line {test.lineno} and changed here"
            yield change, Hit(
                change,
                f"`{ctx.segment(node) or name}` {how} {owner.why(name)}: another thread can change it "
                f"in between, and its update is lost.",
                confidence=_confidence(owner, name),
            )
            break


def _uses(node: ast.AST, local: str, ref: ast.AST | None = None) -> bool:
    """`node` reads the local name (for a change, in what it stores, not in the state it names)."""
    return any(
        isinstance(n, ast.Name) and n.id == local and isinstance(n.ctx, ast.Load) and n is not ref
        for n in ast.walk(node)
    )


def _rebinds(func: FunctionNode, local: str, read: ast.stmt, change: ast.stmt | ast.Call) -> bool:
    """The local is bound again between the read and the change (then it no longer holds the read value)."""
    return any(
        isinstance(n, ast.Name) and n.id == local and isinstance(n.ctx, ast.Store)
        and read.lineno < n.lineno < change.lineno
        for n in walk_local(func)
    )


def _awaits_between(func: FunctionNode, first: int, last: int) -> bool:
    return any(isinstance(n, ast.Await) and first <= n.lineno <= last for n in walk_local(func))


def _confidence(owner: Owner, name: str) -> Confidence:
    guard = owner.guard(name)
    return Confidence.HIGH if guard is not None and guard[1] else Confidence.MEDIUM
