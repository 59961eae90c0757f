"""A C string function that copies without a bound, called through ctypes.

## What it flags
`strcpy`, `strcat`, `stpcpy`, `wcscpy`, `wcscat`, `sprintf`, `vsprintf` and
`gets` called on a library loaded with ctypes (`libc = ctypes.CDLL(...)`,
`ctypes.cdll.LoadLibrary(...)`, `ctypes.cdll.msvcrt`), unless the copy visibly
fits: the source is a bytes literal shorter than the destination buffer made
in the same file, or the format of `sprintf` is a literal without `%s`.

## Why it matters
These functions write until the source's terminating NUL, however large the
destination is. A Python `bytes` of a length nobody checked (a configuration
value, a name from a request) then overruns a fixed `create_string_buffer(n)`
and corrupts whatever follows it on the C heap (CWE-120) — a crash at best,
attacker-controlled memory corruption at worst. ctypes checks nothing on this
path: it hands the raw pointers to C.

## Example
```python
import ctypes

libc = ctypes.CDLL("libc.so.6")
NAME = ctypes.create_string_buffer(32)

def set_name(name):
    libc.strcpy(NAME, name.encode())
```

## Use instead
```python
import ctypes

NAME = ctypes.create_string_buffer(32)

def set_name(name):
    data = name.encode()[: ctypes.sizeof(NAME) - 1]
    NAME.value = data
```

## References
- CWE-120: Buffer Copy without Checking Size of Input ('Classic Buffer Overflow')
- CWE-676: Use of Potentially Dangerous Function
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import literal_value
from secreview.model import Confidence, Severity
from secreview.rules._robustness.ctypes_buffers import buffer_size
from secreview.rules._robustness.ctypes_lifetime import foreign_call
from secreview.rules._robustness.source_text import segment
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR805",
    name="ctypes-unbounded-string-copy",
    title="Unbounded C string copy (strcpy, sprintf, gets) called through ctypes",
    cwe=120,
    type="bof",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Do the copy in Python and bound it by the destination (`buf.value = data[: ctypes.sizeof(buf) - 1]`), "
    "or call the bounded function (`snprintf`, `strncpy` with `sizeof(dst) - 1` and a NUL terminator).",
)
NODES = (ast.Call,)
# Every hit is a call whose last name is one of these C functions.
NEEDS = ("strcpy", "strcat", "stpcpy", "wcscpy", "wcscat", "sprintf", "vsprintf", "gets")
_COPIES = frozenset({"strcpy", "strcat", "stpcpy", "wcscpy", "wcscat"})
_FORMATS = frozenset({"sprintf", "vsprintf"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in (*_COPIES, *_FORMATS, "gets"):
        return
    if not foreign_call(ctx, node):
        return
    name = func.attr
    if name == "gets":
        yield Hit(node, "`gets()` reads a line of any length into the buffer: nothing bounds the copy.")
        return
    if len(node.args) < 2:
        return
    dst, src = node.args[0], node.args[1]
    if name in _COPIES and _literal_fits(ctx, dst, src, appends=name in ("strcat", "wcscat")):
        return
    if name in _FORMATS and _fixed_format(ctx, node):
        return
    what = "the formatted text" if name in _FORMATS else f"`{segment(ctx, src) or 'the source'}`"
    yield Hit(
        node,
        f"`{segment(ctx, func)}()` writes {what} into `{segment(ctx, dst) or 'the destination'}` up to its "
        f"terminating NUL, whatever the destination's size: a longer value overruns it.",
    )


def _literal_fits(ctx: FileContext, dst: ast.expr, src: ast.expr, appends: bool) -> bool:
    """A bytes literal source shorter than a destination of known size (a copy, not an append)."""
    value = literal_value(src, ctx)
    if not isinstance(value, bytes) or appends:
        return False
    size = buffer_size(ctx, dst)
    limit = literal_value(size.size, ctx) if size is not None and size.size is not None else None
    return isinstance(limit, int) and size is not None and size.byte_elements and len(value) < limit


def _fixed_format(ctx: FileContext, call: ast.Call) -> bool:
    """`sprintf(buf, b"%d", n)`-like: a literal format with no string conversion."""
    fmt = literal_value(call.args[1], ctx) if len(call.args) > 1 else None
    return isinstance(fmt, bytes) and b"%s" not in fmt
