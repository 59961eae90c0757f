"""A ctypes view of C memory used after the memory is freed.

## What it flags
A ctypes object that reads C memory in place — `T.from_address(ptr)`,
`ctypes.cast(ptr, ctypes.POINTER(T))` (and its `.contents`) — used after a
statement of the same block hands `ptr` to a freeing function of a library
loaded with ctypes (`lib.xxx_free(ptr)`, `free`, `*_release`, `*_destroy`,
`*_unref`, `*_dealloc`, `*_delete`, `*_dispose`). The finding is on the first
use after the free and names both.

## Why it matters
`from_address()` and `cast()` copy nothing: every attribute read goes to the
address the C library returned. Once the library frees that block, the reads
see whatever the allocator puts there next (CWE-416): wrong values in the best
case, another object's data, or a crash when a pointer field is followed. The
bug hides in tests because freed memory usually still holds the old bytes.

## Example
```python
import ctypes

lib = ctypes.CDLL("libstats.so")

class Stats(ctypes.Structure):
    _fields_ = [("rx", ctypes.c_uint64), ("tx", ctypes.c_uint64)]

def read_stats(dev):
    ptr = lib.stats_get(dev)
    stats = Stats.from_address(ptr)
    lib.stats_free(ptr)
    return stats.rx, stats.tx
```

## Use instead
```python
import ctypes

lib = ctypes.CDLL("libstats.so")

class Stats(ctypes.Structure):
    _fields_ = [("rx", ctypes.c_uint64), ("tx", ctypes.c_uint64)]

def read_stats(dev):
    ptr = lib.stats_get(dev)
    try:
        stats = Stats.from_address(ptr)
        return stats.rx, stats.tx
    finally:
        lib.stats_free(ptr)
```

## References
- CWE-416: Use After Free
- Python docs, `ctypes` "_CData.from_address" (the object shares the memory, it is not copied)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._robustness.ctypes_lifetime import foreign_call
from secreview.rules._robustness.ctypes_types import ctypes_name
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR806",
    name="ctypes-use-after-free",
    title="ctypes view of C memory used after the memory is freed",
    cwe=416,
    type="uaf",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Read everything you need from the view before freeing (copy it into Python values), and free in a "
    "`finally:` after the last use.",
)
NODES = (ast.Assign,)
# Every view is made by `from_address` or `ctypes.cast`.
NEEDS = ("from_address", "cast")
_FREES = re.compile(r"(^|_)(free|release|destroy|unref|dealloc|delete|dispose)($|_)", re.I)


def check(node: ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        return
    view, ptr = node.targets[0].id, _viewed_pointer(ctx, node.value)
    if ptr is None:
        return
    block = _block_of(ctx, node)
    rest = block[block.index(node) + 1:]
    for pos, stmt in enumerate(rest):
        if _binds(stmt, view) or _binds(stmt, ptr):
            return
        free = _free_of(ctx, stmt, ptr)
        if free is None:
            continue
        use = None
        for later in rest[pos + 1:]:
            use = next((n for n in ast.walk(later)
                        if isinstance(n, ast.Name) and n.id == view and isinstance(n.ctx, ast.Load)), None)
            if use is not None or _binds(later, view):
                break
        if use is not None:
            yield Hit(
                use,
                f"`{view}` reads the memory at `{ptr}` in place (line {node.lineno}), which "
                f"`{ctx.segment(free.func) or ast.unparse(free.func)}()` freed at line {free.lineno}.",
            )
        return


def _viewed_pointer(ctx: FileContext, value: ast.expr) -> str | None:
    """`ptr` of `T.from_address(ptr)`, `ctypes.cast(ptr, POINTER(T))`, `cast(...).contents`."""
    if isinstance(value, ast.Attribute) and value.attr == "contents":
        value = value.value
    if not isinstance(value, ast.Call) or not value.args or not isinstance(value.args[0], ast.Name):
        return None
    func = value.func
    if isinstance(func, ast.Attribute) and func.attr == "from_address" and len(value.args) == 1:
        return value.args[0].id
    if ctypes_name(ctx, func) == "cast" and len(value.args) == 2:
        return value.args[0].id
    return None


def _block_of(ctx: FileContext, stmt: ast.stmt) -> list[ast.stmt]:
    parent = ctx.parent(stmt)
    for _field, value in ast.iter_fields(parent) if parent is not None else ():
        if isinstance(value, list) and any(v is stmt for v in value):
            return value
    return [stmt]


def _binds(stmt: ast.stmt, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) for n in ast.walk(stmt))


def _free_of(ctx: FileContext, stmt: ast.stmt, ptr: str) -> ast.Call | None:
    """The statement `lib.xxx_free(ptr)` (a foreign call whose name says it frees, `ptr` its argument)."""
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    if (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and _FREES.search(call.func.attr)
        and any(isinstance(a, ast.Name) and a.id == ptr for a in call.args)
        and foreign_call(ctx, call)
    ):
        return call
    return None
