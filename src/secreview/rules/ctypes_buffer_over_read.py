"""`ctypes.string_at` / `memmove` reading more bytes than the source buffer holds.

## What it flags
`ctypes.string_at(ptr, n)` / `ctypes.wstring_at(ptr, n)` and the source side
of `ctypes.memmove(dst, src, n)`, where the pointer refers to a ctypes buffer,
array or structure created in the same function and `n` is not visibly bounded
by it (`ctypes.sizeof(buf)`, `len(buf)`, `min(...)`, the size it was created
with, a comparison earlier in the function); or where the memory is of unknown
size and `n` comes from outside input.

## Why it matters
These calls read raw memory without any bounds check. A count larger than the
buffer returns whatever follows it on the heap (CWE-125): other requests'
data, keys, pointers that defeat ASLR — the Heartbleed pattern, in Python.

## Example
```python
import ctypes

def echo(sock):
    buf = ctypes.create_string_buffer(64)
    wanted = int(sock.recv(8))
    return ctypes.string_at(buf, wanted)
```

## Use instead
```python
import ctypes

def echo(sock):
    buf = ctypes.create_string_buffer(64)
    wanted = int(sock.recv(8))
    return ctypes.string_at(buf, min(wanted, ctypes.sizeof(buf)))
```

## References
- CWE-125: Out-of-bounds Read
- Python docs, `ctypes.string_at`, `ctypes.memmove`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.model import Confidence, Severity
from secreview.rules._robustness.ctypes_buffers import buffer_base, buffer_size, overflow_reason
from secreview.rules._robustness.ctypes_types import ctypes_name
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR804",
    name="ctypes-buffer-over-read",
    title="ctypes read with a count not bounded by the source buffer",
    cwe=125,
    type="bof",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Bound the count by the source: `min(n, ctypes.sizeof(buf))`, or reject counts larger than the "
    "buffer.",
)
NODES = (ast.Call,)
# ctypes_name() only answers for names resolved through a `ctypes` import.
NEEDS = ("ctypes",)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    kind = ctypes_name(ctx, node.func)
    if kind in {"string_at", "wstring_at"} and len(node.args) == 2:
        src, count = node.args
    elif kind == "memmove" and len(node.args) == 3:
        src, count = node.args[1], node.args[2]
        if buffer_size(ctx, buffer_base(ctx, src)) is None:
            return  # only a ctypes source of known size; bytes sources are bounds-checked by nothing we see
    else:
        return
    found = overflow_reason(ctx, node, src, count)
    if found is None:
        return
    why, source = found
    trace = trace_for(ctx, source, node, f"ctypes.{kind}(...)") if source is not None else ()
    yield Hit(node, f"`ctypes.{kind}` reads {why}.", trace=trace)
