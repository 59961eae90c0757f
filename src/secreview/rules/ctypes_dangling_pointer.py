"""A raw address of a ctypes object that is freed while the address is still in use.

## What it flags
- `ctypes.addressof(...)` applied to a temporary that owns memory
  (`create_string_buffer(...)`, `c_int(...)`, `(c_char * n)()`, a
  `Structure()` declared in the file, `T.from_buffer_copy(...)`): the object
  is freed as soon as `addressof` returns, so the integer is dangling wherever
  it goes — even straight into a foreign call.
- `ctypes.cast(tmp, c_void_p).value` on such a temporary or on temporary bytes
  (`s.encode()`, `bytes(...)`): the plain integer keeps nothing alive
  (`cast(..., c_char_p).value` copies the bytes and is fine).
- The address of a local buffer (`addressof(buf)`, `cast(buf, c_void_p).value`)
  returned or stored on an object/structure/container while `buf` itself is
  not kept anywhere: the buffer dies when the function returns.

`byref(tmp)`, `pointer(tmp)` and `cast(tmp, T)` kept as objects are not
flagged: ctypes stores a reference to `tmp` inside the result.

## Why it matters
An integer address does not keep a Python object alive. Once the buffer's
reference count drops to zero its memory goes back to the allocator and is
reused; the C library then reads another object's data or writes into it
(CWE-416, use after free) — silent corruption that shows up far from the bug.

## Example
```python
import ctypes

class Request(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("size", ctypes.c_size_t)]

def make_request(name):
    req = Request()
    req.name = ctypes.addressof(ctypes.create_string_buffer(name))
    req.size = len(name)
    return req
```

## Use instead
```python
import ctypes

class Request(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("size", ctypes.c_size_t)]

def make_request(name):
    buf = ctypes.create_string_buffer(name)
    req = Request()
    req.name = ctypes.addressof(buf)
    req.size = len(name)
    req._keepalive = buf
    return req
```

## References
- CWE-416: Use After Free
- Python docs, `ctypes` "Keeping objects alive" / `_objects`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.model import Confidence, Severity
from secreview.rules._robustness.ctypes_lifetime import local_escapes, temporary_memory
from secreview.rules._robustness.ctypes_types import ctypes_name, owning_creation
from secreview.rules._robustness.source_text import segment
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR803",
    name="ctypes-dangling-pointer",
    title="Raw address of a ctypes object that is freed while still in use",
    cwe=416,
    type="uaf",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Bind the buffer to a name that lives as long as the address is used (an attribute of the owning "
    "object, a `_keepalive` list), or pass `byref(buf)` / `buf` itself instead of a raw integer address.",
)
NODES = (ast.Call,)
# ctypes_name() only answers for names resolved through a `ctypes` import.
NEEDS = ("ctypes",)
_WRAPPERS = frozenset({"c_void_p", "c_size_t", "c_ulong", "c_ulonglong", "c_char_p"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    kind = ctypes_name(ctx, node.func)
    if kind == "addressof" and len(node.args) == 1:
        target = node.args[0]
        temp = owning_creation(ctx, target)
        if temp:
            yield Hit(
                node,
                f"`ctypes.addressof` takes the address of {temp}, a temporary freed as soon as "
                "the call returns; the address dangles.",
            )
            return
        yield from _escaping_local(node, target, ctx)
    elif (
        kind == "cast"
        and len(node.args) == 2
        and ctypes_name(ctx, node.args[1]) == "c_void_p"
        and _value_read(ctx, node)
    ):
        target = node.args[0]
        pointer_to = _char_pointer_argument(ctx, target)
        temp = temporary_memory(ctx, target if pointer_to is None else pointer_to)
        if temp:
            yield Hit(
                node,
                f"`ctypes.cast(...).value` turns {temp} into a bare integer address; the "
                "temporary is freed right away and the address dangles.",
            )
            return
        yield from _escaping_local(node, target, ctx)


def _char_pointer_argument(ctx: FileContext, expr: ast.expr) -> ast.expr | None:
    """`c_char_p(data)` points into `data`: what matters is whether `data` is a temporary."""
    if isinstance(expr, ast.Call) and ctypes_name(ctx, expr.func) in {"c_char_p", "c_wchar_p"} and expr.args:
        return expr.args[0]
    return None


def _value_read(ctx: FileContext, call: ast.Call) -> bool:
    parent = ctx.parent(call)
    return isinstance(parent, ast.Attribute) and parent.value is call and parent.attr == "value"


def _escaping_local(node: ast.Call, target: ast.expr, ctx: FileContext) -> Iterator[Hit]:
    """`return ctypes.addressof(buf)` / `self.ptr = ...` with `buf` a local buffer nobody keeps."""
    func = ctx.enclosing_function(node)
    if func is None or not isinstance(target, ast.Name):
        return
    made = owning_creation(ctx, reaching_value(ctx, target))
    if not made or any(a.arg == target.id for a in (*func.args.args, *func.args.kwonlyargs)):
        return
    sink = _sink(ctx, node)
    if sink is None or local_escapes(ctx, func, target.id, node):
        return
    yield Hit(
        node,
        f"The address of the local `{target.id}` ({made}) is {sink}, but nothing keeps "
        f"`{target.id}` alive: it is freed when `{func.name}()` returns and the address dangles.",
    )


def _sink(ctx: FileContext, node: ast.AST) -> str | None:
    """Where the address goes once the function returns: returned, or stored on an object or container."""
    current = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, ast.Attribute) and anc.attr == "value" and anc.value is current:
            current = anc
            continue
        if isinstance(anc, (ast.BinOp, ast.Tuple, ast.List)):
            current = anc
            continue
        if (
            isinstance(anc, ast.Call)
            and (ctypes_name(ctx, anc.func) in _WRAPPERS or ctx.call_name(anc) == "builtins.int")
            and current in anc.args
        ):
            current = anc
            continue
        if isinstance(anc, (ast.Return, ast.Yield)):
            return "returned"
        if isinstance(anc, (ast.Assign, ast.AnnAssign)) and anc.value is current:
            targets = anc.targets if isinstance(anc, ast.Assign) else [anc.target]
            if any(isinstance(t, (ast.Attribute, ast.Subscript)) for t in targets):
                return f"stored in `{segment(ctx, targets[0])}`"
        return None
    return None
