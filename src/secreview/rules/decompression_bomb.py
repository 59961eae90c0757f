"""Untrusted compressed data decompressed without an output limit.

## What it flags
Decompression of data that comes from a request body, an uploaded file, a
socket or a remote response, when nothing caps the size of the output:
- `zlib.decompress`, `gzip.decompress`, `bz2.decompress`, `lzma.decompress`;
- `.decompress(data)` of `zlib.decompressobj()`, `bz2.BZ2Decompressor()` or
  `lzma.LZMADecompressor()` without `max_length`;
- `.read()` with no size of `gzip.GzipFile`/`gzip.open`, `bz2.BZ2File`/`bz2.open`
  or `lzma.LZMAFile`/`lzma.open` opened on such data;
- `.read(name)`, `.extract()`, `.extractall()` of a `zipfile.ZipFile` (and
  `.extractall()` of a `tarfile.open(fileobj=...)`) opened on such data, when the
  function never looks at the members' `file_size` (`size` for tar).
Data read from the program's own files is not reported.

## Why it matters
A few kilobytes of deflate or bzip2 can expand to gigabytes: a single request
exhausts the worker's memory or fills the disk (CWE-409, "zip bomb").

## Example
```python
import zlib
from flask import Flask, request

app = Flask(__name__)

@app.route("/ingest", methods=["POST"])
def ingest():
    payload = zlib.decompress(request.get_data())
    return {"size": len(payload)}
```

## Use instead
```python
import zlib
from flask import Flask, abort, request

app = Flask(__name__)
LIMIT = 10 * 1024 * 1024

@app.route("/ingest", methods=["POST"])
def ingest():
    inflater = zlib.decompressobj()
    payload = inflater.decompress(request.get_data(), LIMIT)
    if inflater.unconsumed_tail:
        abort(413)
    return {"size": len(payload)}
```

## References
- CWE-409: Improper Handling of Highly Compressed Data (Data Amplification)
- Python docs, `zlib.Decompress.decompress` (`max_length`) and `zipfile` "Decompression pitfalls"
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value, trace_for
from secreview.analysis.values import argument, is_none
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta
from secreview.taint import provenance
from secreview.taint.provenance import BULK, constructor_of

META = Meta(
    code="SR503",
    name="decompression-bomb",
    title="Untrusted compressed data decompressed without a size limit",
    cwe=409,
    type="dos",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Decompress incrementally with a cap (zlib.decompressobj().decompress(data, max_length), "
    "GzipFile.read(n) in a bounded loop) and reject archives whose members' file_size exceeds a limit.",
)
NODES = (ast.Call,)
# Every hit starts from one of these modules' calls or constructors.
NEEDS = ("zlib", "gzip", "bz2", "lzma", "zipfile", "tarfile")

_ONE_SHOT = frozenset({"zlib.decompress", "gzip.decompress", "bz2.decompress", "lzma.decompress"})
_DECOMPRESSORS = frozenset({"zlib.decompressobj", "bz2.BZ2Decompressor", "lzma.LZMADecompressor"})
# file-like readers -> (positional index, keyword) of the underlying file or data
_READERS = {
    "gzip.GzipFile": (0, "fileobj"),
    "gzip.open": (0, "filename"),
    "bz2.BZ2File": (0, "filename"),
    "bz2.open": (0, "filename"),
    "lzma.LZMAFile": (0, "filename"),
    "lzma.open": (0, "filename"),
}
_ARCHIVES = {
    "zipfile.ZipFile": (0, "file", "file_size"),
    "tarfile.open": (None, "fileobj", "size"),
    "tarfile.TarFile": (None, "fileobj", "size"),
}
_ARCHIVE_READS = {
    "zipfile.ZipFile": {"read", "extract", "extractall"},
    "tarfile.open": {"extractall"},
    "tarfile.TarFile": {"extractall"},
}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    if name in _ONE_SHOT:
        yield from _report(ctx, node, argument(node, 0, "data"), f"`{name}` inflates")
        return
    if not isinstance(node.func, ast.Attribute):
        return
    method, receiver = node.func.attr, node.func.value
    made_by = constructor_of(ctx, receiver)
    if method == "decompress" and made_by in _DECOMPRESSORS:
        if argument(node, 1, "max_length") is None:
            yield from _report(
                ctx, node, argument(node, 0, "data"), f"`{made_by}().decompress` without max_length inflates"
            )
    elif method == "read" and made_by in _READERS and _unbounded_read(node):
        position, keyword = _READERS[made_by]
        opened = _constructor_call(ctx, receiver)
        if opened is not None:
            data = argument(opened, None, "fileobj") or argument(opened, position, keyword)
            yield from _report(ctx, node, data, f"`{made_by}(...).read()` with no size inflates", BULK)
    elif (
        method == "read"
        and isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Attribute)
        and receiver.func.attr == "open"
        and constructor_of(ctx, receiver.func.value) == "zipfile.ZipFile"
        and _unbounded_read(node)
    ):
        yield from _archive(ctx, node, receiver.func.value, "zipfile.ZipFile", "open")
    elif made_by in _ARCHIVE_READS and method in _ARCHIVE_READS[made_by]:
        yield from _archive(ctx, node, receiver, made_by, method)


def _archive(
    ctx: FileContext, node: ast.Call, receiver: ast.expr, made_by: str, method: str
) -> Iterator[Hit]:
    position, keyword, size_attr = _ARCHIVES[made_by]
    opened = _constructor_call(ctx, receiver)
    if opened is None or _checks_size(ctx, node, size_attr):
        return
    data = argument(opened, position, keyword)
    yield from _report(
        ctx, node, data, f"`{made_by}(...).{method}()` unpacks members of unchecked size from", BULK
    )


def _report(
    ctx: FileContext, node: ast.Call, data: ast.expr | None, what: str, parts: frozenset[str] | None = None
) -> Iterator[Hit]:
    origin = provenance.origin(ctx, data, provenance.REMOTE, parts=parts)
    if origin is None:
        return
    confidence = Confidence.MEDIUM if origin.part == "response" else None
    yield Hit(
        node,
        f"{what} {origin.source.description} with no limit on the output size: a small compressed "
        "payload can expand to gigabytes.",
        trace=trace_for(ctx, origin.source, node, ctx.segment(node.func) or "decompress"),
        confidence=confidence,
    )


def _unbounded_read(call: ast.Call) -> bool:
    size = argument(call, 0, "size")
    if size is None or is_none(size):
        return True
    return isinstance(size, ast.UnaryOp) and isinstance(size.op, ast.USub)  # read(-1)


def _constructor_call(ctx: FileContext, receiver: ast.expr) -> ast.Call | None:
    if isinstance(receiver, ast.Call):
        return receiver
    if isinstance(receiver, ast.Name):
        value = reaching_value(ctx, receiver)
        return value if isinstance(value, ast.Call) else None
    return None


def _checks_size(ctx: FileContext, node: ast.AST, attr: str) -> bool:
    """The enclosing function reads the members' declared size (a bomb check)."""
    scope = ctx.enclosing_function(node) or ctx.tree
    return any(isinstance(n, ast.Attribute) and n.attr == attr for n in ast.walk(scope))
