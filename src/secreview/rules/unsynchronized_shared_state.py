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
from dataclasses import dataclass, field

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.lock_factories import ASYNC_FACTORIES
from secreview.rules._lifetime.lock_identity import class_locks, module_locks
from secreview.rules._lifetime.lock_regions import held_locks
from secreview.rules._lifetime.scopes import FUNCS, walk_local, walk_stmts
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

_MUTATORS = {"append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "remove",
             "discard", "clear", "appendleft", "extendleft", "popleft", "sort", "reverse",
             "difference_update", "intersection_update", "symmetric_difference_update"}  # fmt: skip
_INIT_LIKE = {"__init__", "__new__", "__post_init__", "__init_subclass__", "__setstate__", "__getstate__",
              "__copy__", "__deepcopy__", "__del__", "setUp", "setUpClass", "tearDown", "__repr__",
              "__str__"}  # fmt: skip


@dataclass
class _Owner:
    """Either a class (state = `self.X`) or the module (state = global names)."""

    lock_keys: set[str]
    asyncio: bool
    functions: list[ast.AST]
    state_of: object  # callable(node, func) -> state name or None
    locks: dict[str, ast.AST]  # lock name -> its creation
    guarded: dict[str, tuple[ast.AST, bool]] = field(default_factory=dict)  # name -> (site, mutated there)
    unused: ast.AST | None = None  # the creation of a lock nothing ever takes: it guards everything

    def guard(self, name: str | None) -> tuple[ast.AST, bool] | None:
        if name in self.guarded:
            return self.guarded[name]
        return (self.unused, False) if self.unused is not None and name is not None else None

    def why(self, name: str) -> str:
        site, _ = self.guard(name)  # type: ignore[misc]
        if site is self.unused and name not in self.guarded:
            lock = next(k for k, v in self.locks.items() if v is site)
            return f"without a lock, although `{lock}` is created at line {site.lineno} and never taken"
        return f"without the lock that guards it at line {site.lineno}"


def check(node: ast.ClassDef | ast.Module, ctx: FileContext) -> Iterator[Hit]:
    owner = _class_owner(ctx, node) if isinstance(node, ast.ClassDef) else _module_owner(ctx)
    if owner is None:
        return
    _collect_guarded(ctx, owner)
    if not owner.guarded:
        owner.unused = _never_taken(ctx, owner, node)
        if owner.unused is None:
            return
    locked = _locked_functions(ctx, owner)
    for func in owner.functions:
        if func.name in _INIT_LIKE or func in locked:  # type: ignore[attr-defined]
            continue
        if owner.asyncio and not isinstance(func, ast.AsyncFunctionDef):
            continue  # a plain method runs without yielding to the event loop
        yield from _races_in(ctx, owner, func)


def _class_owner(ctx: FileContext, cls: ast.ClassDef) -> _Owner | None:
    locks = class_locks(ctx, cls)
    if not locks:
        return None
    methods = {s.name for s in cls.body if isinstance(s, FUNCS)}

    def state_of(node: ast.AST, func: ast.AST) -> str | None:
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and node.attr not in locks
            and node.attr not in methods
        ):
            return node.attr
        return None

    return _Owner(
        {f"{cls.name}.{a}" for a in locks},
        all(ctx.call_name(c) in ASYNC_FACTORIES for c in locks.values()),
        [s for s in cls.body if isinstance(s, FUNCS)],
        state_of,
        {f"self.{a}": c for a, c in locks.items()},
    )


def _module_owner(ctx: FileContext) -> _Owner | None:
    locks = module_locks(ctx)
    if not locks:
        return None
    module_names = set()
    for stmt in ctx.tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            module_names |= {t.id for t in targets if isinstance(t, ast.Name)}
    module_names -= set(locks)
    functions = [s for s in ctx.tree.body if isinstance(s, FUNCS)]

    def state_of(node: ast.AST, func: ast.AST) -> str | None:
        if isinstance(node, ast.Name) and node.id in module_names and not _local(ctx, func, node.id):
            return node.id
        return None

    return _Owner(
        set(locks),
        all(ctx.call_name(c) in ASYNC_FACTORIES for c in locks.values()),
        functions,
        state_of,
        dict(locks),
    )


def _never_taken(ctx: FileContext, owner: _Owner, scope: ast.AST) -> ast.AST | None:
    """The creation of the owner's only lock when nothing in the module takes or passes it on
    (`self._lock` in this class, `x._lock` anywhere): the author meant to guard this state and forgot."""
    if len(owner.locks) != 1:
        return None
    name, creation = next(iter(owner.locks.items()))
    short = name.rsplit(".", 1)[-1]
    for node in ctx.tree_nodes():
        if not isinstance(getattr(node, "ctx", None), ast.Load):
            continue
        if isinstance(node, ast.Name) and node.id == short and isinstance(scope, ast.Module):
            return None
        if isinstance(node, ast.Attribute) and node.attr == short:
            own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not own or ctx.enclosing_class(node) is scope:
                return None
    return creation


def _local(ctx: FileContext, func: ast.AST, name: str) -> bool:
    """Bound in the function without a `global` declaration (then it shadows the module name)."""

    def compute() -> tuple[set[str], set[str]]:
        stores, globals_ = set(), set()
        for node in walk_local(func):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                stores.add(node.id)
            elif isinstance(node, ast.Global):
                globals_.update(node.names)
        args = func.args  # type: ignore[attr-defined]
        stores |= {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        return stores, globals_

    stores, globals_ = ctx.memo("sr403-locals", func, compute)
    return name in stores and name not in globals_


def _held(ctx: FileContext, node: ast.AST, func: ast.AST) -> set[str]:
    return {k for k, _ in held_locks(ctx, node, func)}


def _collect_guarded(ctx: FileContext, owner: _Owner) -> None:
    for func in owner.functions:
        if func.name in _INIT_LIKE:  # type: ignore[attr-defined]
            continue
        for node in walk_local(func):
            name = owner.state_of(node, func)  # type: ignore[operator]
            if name is None or not (_held(ctx, node, func) & owner.lock_keys):
                continue
            mutated = _mutation_of(ctx, node) is not None
            if name not in owner.guarded or (mutated and not owner.guarded[name][1]):
                owner.guarded[name] = (node, mutated)


def _mutation_of(ctx: FileContext, ref: ast.AST) -> ast.AST | None:
    """The statement/call that changes the state `ref` names, when `ref` is the changed object."""
    parent = ctx.parent(ref)
    if (
        isinstance(ref, ast.Name)
        and isinstance(ref.ctx, ast.Store)
        or isinstance(ref, ast.Attribute)
        and isinstance(ref.ctx, (ast.Store, ast.Del))
    ):
        return ctx.statement_of(ref)
    if (
        isinstance(parent, ast.Subscript)
        and parent.value is ref
        and isinstance(parent.ctx, (ast.Store, ast.Del))
    ):
        return ctx.statement_of(parent)
    if isinstance(parent, ast.Attribute) and parent.value is ref and parent.attr in _MUTATORS:
        grand = ctx.parent(parent)
        if isinstance(grand, ast.Call) and grand.func is parent:
            return grand
    return None


def _locked_functions(ctx: FileContext, owner: _Owner) -> set[ast.AST]:
    """Functions that run with the lock held by contract: decorated, named or documented so, or only
    ever called from inside a locked region."""
    locked: set[ast.AST] = set()
    for func in owner.functions:
        name = func.name.lower()  # type: ignore[attr-defined]
        doc = (ast.get_docstring(func) or "").lower()  # type: ignore[arg-type]
        if (
            _held(ctx, func.body[0], func)
            or "locked" in name
            or "lock_held" in name
            or ("lock" in doc and any(w in doc for w in ("held", "hold", "acquired", "must be called")))
        ):
            locked.add(func)
    by_name = {f.name: f for f in owner.functions}  # type: ignore[attr-defined]
    for _ in range(3):
        calls: dict[str, list[bool]] = {}
        for func in owner.functions:
            for node in walk_local(func):
                if isinstance(node, ast.Call):
                    callee = _callee_name(node)
                    if callee in by_name:
                        calls.setdefault(callee, []).append(func in locked or bool(_held(ctx, node, func)))
        for callee, under in calls.items():
            if under and all(under):
                locked.add(by_name[callee])
    return locked


def _callee_name(call: ast.Call) -> str | None:
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
    ):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _races_in(ctx: FileContext, owner: _Owner, func: ast.AST) -> Iterator[Hit]:
    reported: set[int] = set()  # the changes already reported (nested checks share them)
    for node in walk_local(func):
        if isinstance(node, ast.If) and not _held(ctx, node, func):
            for hit in _check_then_act(ctx, owner, func, node):
                if hit.node.lineno not in reported:
                    reported.add(hit.node.lineno)
                    yield hit
        elif isinstance(node, ast.AugAssign) and not owner.asyncio and not _held(ctx, node, func):
            target = node.target.value if isinstance(node.target, ast.Subscript) else node.target
            name = owner.state_of(target, func)  # type: ignore[operator]
            if owner.guard(name):
                reported.add(node.lineno)
                yield Hit(
                    node,
                    f"`{ctx.segment(node.target)}` is read, changed and written back {owner.why(name)}; "
                    f"concurrent updates are lost.",
                    confidence=_confidence(owner, name),
                )
    for hit in _read_then_write(ctx, owner, func):
        if hit.node.lineno not in reported:
            reported.add(hit.node.lineno)
            yield hit


def _check_then_act(ctx: FileContext, owner: _Owner, func: ast.AST, node: ast.If) -> Iterator[Hit]:
    """The finding is on the change (where the lost update or duplicate happens); it names the check."""
    checked = {
        owner.state_of(n, func) for n in walk_local(node.test) if isinstance(n, (ast.Name, ast.Attribute))
    }  # type: ignore[operator]
    checked |= {owner.state_of(node.test, func)}  # type: ignore[operator]
    checked = {n for n in checked if owner.guard(n)}
    if not checked:
        return
    branch = node.body + node.orelse
    for inner in walk_stmts(branch):
        name = owner.state_of(inner, func)  # type: ignore[operator]
        if name not in checked:
            continue
        change = _mutation_of(ctx, inner)
        if change is None or _held(ctx, inner, func):
            continue
        if owner.asyncio and not any(
            isinstance(a, ast.Await) and a.lineno <= inner.lineno for a in walk_stmts(branch)
        ):
            continue
        shown = ctx.segment(inner) or name
        yield Hit(
            change,
            f"`{shown}` is checked at line {node.lineno} and changed here {owner.why(name)}: "
            f"two threads can both pass the check.",
            confidence=_confidence(owner, name),
        )
        return


def _read_then_write(ctx: FileContext, owner: _Owner, func: ast.AST) -> Iterator[Hit]:
    """`used = self._usage.get(k)` ... `if used + n > limit: raise` ... `self._usage[k] = used + n`, all
    without the lock: the value read is checked or written back after other threads may have changed it."""
    reads: list[tuple[str, str, ast.stmt]] = []  # (local name, state, the assignment reading it)
    for node in walk_local(func):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and not _held(ctx, node, func)
        ):
            for n in walk_local(node.value):
                name = owner.state_of(n, func)  # type: ignore[operator]
                if name is not None and isinstance(getattr(n, "ctx", None), ast.Load) and owner.guard(name):
                    reads.append((node.targets[0].id, name, node))
                    break
    if not reads:
        return
    tests = [n for n in walk_local(func) if isinstance(n, (ast.If, ast.While))]
    for node in walk_local(func):
        name = owner.state_of(node, func)  # type: ignore[operator]
        if name is None or _held(ctx, node, func):
            continue
        change = _mutation_of(ctx, node)
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
            yield Hit(
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


def _rebinds(func: ast.AST, local: str, read: ast.stmt, change: ast.AST) -> bool:
    """The local is bound again between the read and the change (then it no longer holds the read value)."""
    return any(
        isinstance(n, ast.Name) and n.id == local and isinstance(n.ctx, ast.Store)
        and read.lineno < n.lineno < change.lineno
        for n in walk_local(func)
    )


def _awaits_between(func: ast.AST, first: int, last: int) -> bool:
    return any(isinstance(n, ast.Await) and first <= n.lineno <= last for n in walk_local(func))


def _confidence(owner: _Owner, name: str) -> Confidence:
    return Confidence.HIGH if owner.guard(name)[1] else Confidence.MEDIUM  # type: ignore[index]
