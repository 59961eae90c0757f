"""Two locks taken in opposite orders on different code paths.

## What it flags
Within one module (locks are told apart by their expression: `self._a` in a
class, a module-level `A_LOCK`, or a named lock such as `lockutils.lock("a")`),
one code path that holds lock A while taking lock B, and another that holds B
while taking A — through nested `with` blocks, `with a, b:` items,
`acquire()` calls or `@synchronized` decorators. The finding is reported at
the later of the two nestings and names both.

## Why it matters
If two threads run the two paths at the same time, each takes its first lock
and waits for the other's: both block for ever (CWE-833). In agents and
conductors this shows up as a service that stops processing without any error,
typically only under load.

## Example
```python
import threading

class PortCache:
    def __init__(self):
        self._ports_lock = threading.Lock()
        self._hosts_lock = threading.Lock()

    def add_port(self, port, host):
        with self._ports_lock:
            with self._hosts_lock:
                self._link(port, host)

    def drop_host(self, host):
        with self._hosts_lock:
            with self._ports_lock:
                self._unlink(host)
```

## Use instead
```python
import threading

class PortCache:
    def __init__(self):
        self._ports_lock = threading.Lock()
        self._hosts_lock = threading.Lock()

    def add_port(self, port, host):
        with self._ports_lock:
            with self._hosts_lock:
                self._link(port, host)

    def drop_host(self, host):
        with self._ports_lock:
            with self._hosts_lock:
                self._unlink(host)
```

## References
- CWE-833: Deadlock
- CWE-667: Improper Locking
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.lock_regions import held_locks, lock_call, with_lock_items
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR411",
    name="lock-order-inversion",
    title="Locks acquired in opposite orders",
    cwe=833,
    type="deadlock",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Pick one global order for these locks and take them in that order everywhere (or merge them "
    "into one lock).",
)
NODES = (ast.Module,)
# A lock is known by its factory's module, a lock-like name (lock_factories._LOCK_WORDS) or a named-lock
# call (lock_identity._NAMED_LOCK_CALLS): a file spelling none of these, in any case, takes no lock.
_LOCK_SIGNS = ("lock", "mutex", "mtx", "sem", "cond", "cv", "lck", "guard", "synchronized", "thread",
               "multiprocessing", "eventlet", "gevent", "asyncio", "anyio", "trio")


def prefilter(ctx: FileContext) -> bool:
    return ctx.mentions(_LOCK_SIGNS, fold_case=True)


def _nestings(ctx: FileContext, tree: ast.Module) -> list[tuple[str, str, ast.stmt]]:
    """(outer key, inner key, node taking the inner lock) for every lock taken while another is held."""
    found: list[tuple[str, str, ast.stmt]] = []
    for node in ctx.tree_nodes() if tree is ctx.tree else ast.walk(tree):
        taken: list[tuple[str, str]] = []  # (held, taken)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            items = with_lock_items(ctx, node)
            if not items:
                continue  # takes no lock: nothing is taken while another is held
            outer = [k for k, _ in held_locks(ctx, node)]
            for i, (key, _expr) in enumerate(items):
                for held in outer + [k for k, _ in items[:i]]:
                    taken.append((held, key))
        elif isinstance(node, ast.Expr):
            acquired = lock_call(ctx, node, "acquire")
            if acquired:
                taken = [(held, acquired) for held, _ in held_locks(ctx, node)]
        else:
            continue
        for held, key in taken:
            # Locks local to one function are signals between threads, not shared critical sections.
            if held != key and "decorator" not in (held, key) and "():" not in held + key:
                found.append((held, key, node))
    return found


def check(node: ast.Module, ctx: FileContext) -> Iterator[Hit]:
    nestings = _nestings(ctx, node)
    first: dict[tuple[str, str], ast.stmt] = {}
    for outer, inner, site in nestings:
        first.setdefault((outer, inner), site)
    reported: set[frozenset[str]] = set()
    for (outer, inner), site in sorted(first.items(), key=lambda kv: kv[1].lineno):
        other = first.get((inner, outer))
        pair = frozenset((outer, inner))
        if other is None or pair in reported:
            continue
        reported.add(pair)
        later, earlier = (site, other) if site.lineno >= other.lineno else (other, site)
        a, b = (outer, inner) if later is site else (inner, outer)
        yield Hit(
            later,
            f"takes `{_show(b)}` while holding `{_show(a)}`, but line {earlier.lineno} "
            f"takes `{_show(a)}` while holding `{_show(b)}`: two threads can deadlock.",
        )


def _show(key: str) -> str:
    return key.removeprefix("named:")
