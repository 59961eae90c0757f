"""A size or count stored in a fixed-width ctypes integer that wraps silently.

## What it flags
A ctypes fixed-width integer — `ctypes.c_int(...)`, `c_uint16(...)`,
`c_ubyte(...)`, `c_long(...)`, a `Structure` field declared as one of them,
or a NumPy `.astype(np.int16)` — given a value that may not fit: a length
(`len(data)`) for a type narrower than 64 bits, arithmetic on non-literal
operands (`w * h`, `off + n`, `1 << k`, or an unsigned `a - b`), or outside
input. Values masked (`& 0xFFFF`, `% 256`), clamped with `min()`, or compared
against a bound earlier in the function are left alone.

## Why it matters
Unlike Python integers, ctypes and NumPy fixed-width integers do not raise on
overflow: they keep the low bits (CWE-190). A 70 000-byte payload becomes a
length field of 4 464, a 3 GiB size becomes a negative `c_int`, `0 - 1`
becomes 4 294 967 295. The C side then allocates, copies or parses with the
wrong size — the classic way to turn an integer overflow into a heap overflow
or an over-read.

## Example
```python
import ctypes

class Header(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_uint8), ("length", ctypes.c_uint16)]

def frame(kind, payload):
    header = Header()
    header.kind = kind
    header.length = len(payload)
    return bytes(header) + payload
```

## Use instead
```python
import ctypes

class Header(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_uint8), ("length", ctypes.c_uint16)]

def frame(kind, payload):
    if len(payload) > 0xFFFF:
        raise ValueError("payload too large for a 16-bit length")
    header = Header()
    header.kind = kind
    header.length = len(payload)
    return bytes(header) + payload
```

## References
- CWE-190: Integer Overflow or Wraparound
- Python docs, `ctypes` "Fundamental data types": no overflow checking is done
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value, trace_for
from secreview.analysis.values import literal_value
from secreview.model import Confidence, Severity
from secreview.rules._robustness.ctypes_integers import struct_fields, wrapping_value
from secreview.rules._robustness.ctypes_types import CTYPES_INT_BITS, NUMPY_INT_BITS, ctypes_name
from secreview.rules._robustness.source_text import segment
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR801",
    name="ctypes-integer-truncation",
    title="Value stored in a fixed-width ctypes/NumPy integer that can wrap",
    cwe=190,
    type="intovf",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Check the value against the type's range first (raise if too large or negative), or clamp it "
    "explicitly; use a 64-bit type (c_size_t / c_uint64) for lengths.",
)
NODES = (ast.Call, ast.Assign)
# Every hit is a ctypes integer type, a local ctypes Structure, or a `.astype()` call.
NEEDS = ("ctypes", "astype")


def check(node: ast.AST, ctx: FileContext) -> Iterator[Hit]:
    for kind, value, where in _targets(node, ctx):
        found = wrapping_value(ctx, value, kind, node)
        if found is None:
            continue
        why, source = found
        bits = CTYPES_INT_BITS.get(kind, NUMPY_INT_BITS.get(kind))
        message = f"{where} keeps only the low {bits} bits of {why}; out-of-range values wrap silently."
        trace = trace_for(ctx, source, node, where) if source is not None else ()
        yield Hit(node, message, trace=trace)


def _targets(node: ast.AST, ctx: FileContext) -> Iterator[tuple[str, ast.expr, str]]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Attribute):
                kind = _field_kind(ctx, target)
                if kind:
                    yield kind, node.value, f"the `{kind}` field `{segment(ctx, target)}`"
        return
    assert isinstance(node, ast.Call)
    kind = ctypes_name(ctx, node.func)
    if kind in CTYPES_INT_BITS and len(node.args) == 1 and not node.keywords:
        yield kind, node.args[0], f"`ctypes.{kind}()`"
        return
    if isinstance(node.func, ast.Attribute) and node.func.attr == "astype" and node.args:
        dtype = _numpy_kind(ctx, node.args[0])
        receiver = node.func.value
        if dtype and NUMPY_INT_BITS[dtype] < 64 and not _scaling(receiver):
            yield dtype, receiver, f"`.astype({dtype})`"
        return
    if isinstance(node.func, ast.Name):
        fields = struct_fields(ctx, node.func.id)
        for kw in node.keywords:
            if kw.arg in fields:
                yield fields[kw.arg], kw.value, f"the `{fields[kw.arg]}` field `{node.func.id}.{kw.arg}`"


def _scaling(expr: ast.expr) -> bool:
    """`(img * 255)`, `(0.2 * r + 0.7 * g)`: a deliberate scaling of a normalised array, not a size."""
    if not isinstance(expr, ast.BinOp):
        return False
    if any(isinstance(side, ast.Constant) for side in (expr.left, expr.right)):
        return True
    return any(isinstance(n, ast.Constant) and isinstance(n.value, float) for n in ast.walk(expr))


def _field_kind(ctx: FileContext, target: ast.Attribute) -> str | None:
    owner = target.value
    if not isinstance(owner, ast.Name):
        return None
    value = reaching_value(ctx, owner)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return struct_fields(ctx, value.func.id).get(target.attr)
    return None


def _numpy_kind(ctx: FileContext, expr: ast.expr) -> str | None:
    text = literal_value(expr)
    if isinstance(text, str):
        return text if text in NUMPY_INT_BITS else None
    name = ctx.qualname(expr) or ""
    module, _, short = name.rpartition(".")
    return short if module == "numpy" and short in NUMPY_INT_BITS else None
