"""`ctypes.memmove` / `memset` writing a count not bounded by the destination.

## What it flags
`ctypes.memmove(dst, src, n)` and `ctypes.memset(dst, c, n)` where `dst` is a
ctypes buffer, array or structure created in the same function and `n` is not
visibly bounded by it (`ctypes.sizeof(dst)`, `len(dst)`, `min(...)`, the size
the buffer was created with, or a comparison earlier in the function) — for
example `len(data)` of some other object; or where `dst` is of unknown size and
`n` comes from outside input (a request, a socket, the command line).

## Why it matters
ctypes copies raw memory with no bounds check. If `n` exceeds the destination,
the copy runs over whatever lies after the buffer on the C heap (CWE-120):
other objects, allocator metadata, function pointers. With attacker-chosen
data that is memory corruption and potentially code execution inside the
Python process. `Structure.from_buffer_copy()` and slice assignment to a
ctypes array check sizes; `memmove` does not.

## Example
```python
import ctypes

class Header(ctypes.Structure):
    _fields_ = [("magic", ctypes.c_uint32), ("length", ctypes.c_uint32)]

def parse(packet):
    header = Header()
    ctypes.memmove(ctypes.addressof(header), packet, len(packet))
    return header
```

## Use instead
```python
import ctypes

class Header(ctypes.Structure):
    _fields_ = [("magic", ctypes.c_uint32), ("length", ctypes.c_uint32)]

def parse(packet):
    return Header.from_buffer_copy(packet[: ctypes.sizeof(Header)])
```

## References
- CWE-120: Buffer Copy without Checking Size of Input ('Classic Buffer Overflow')
- Python docs, `ctypes.memmove`, `_CData.from_buffer_copy`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.model import Confidence, Severity
from secreview.rules._robustness.ctypes_buffers import overflow_reason
from secreview.rules._robustness.ctypes_types import ctypes_name
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR802",
    name="ctypes-buffer-overflow",
    title="ctypes memmove/memset with a count not bounded by the destination",
    cwe=120,
    type="bof",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Bound the count by the destination: `n = min(len(src), ctypes.sizeof(dst))`, reject larger input, "
    "or use `Type.from_buffer_copy()` / slice assignment, which check sizes.",
)
NODES = (ast.Call,)
# ctypes_name() only answers for names resolved through a `ctypes` import.
NEEDS = ("ctypes",)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    kind = ctypes_name(ctx, node.func)
    if kind not in {"memmove", "memset"} or len(node.args) != 3:
        return
    dst, count = node.args[0], node.args[2]
    found = overflow_reason(ctx, node, dst, count)
    if found is None:
        return
    why, source = found
    trace = trace_for(ctx, source, node, f"ctypes.{kind}(...)") if source is not None else ()
    yield Hit(node, f"`ctypes.{kind}` writes {why}.", trace=trace)
