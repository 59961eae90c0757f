"""Server reads a whole client-controlled stream into memory with no limit.

## What it flags
In server code, reads of a request body or a client connection that take
everything the peer sends:
- `request.stream.read()` with no size and `request.get_data()` (Flask /
  Werkzeug) in a module that never sets `MAX_CONTENT_LENGTH` and a function that
  never looks at `content_length`;
- `environ["wsgi.input"].read()` with no size (WSGI), `request.body_file.read()`
  (WebOb), `self.rfile.read()` in an `http.server` handler, `reader.read()` in an
  asyncio `(reader, writer)` connection handler;
- loops that append `conn.recv(n)` to a buffer (`data += chunk`) on an accepted
  connection with no bound on the buffer's length in the loop.
- the same reads sized by what the client declares (`read(int(environ["CONTENT_LENGTH"]))`,
  `read(int(self.headers["Content-Length"]))`) when nothing in the function compares
  that size with a limit (`if length > MAX_BODY: ...`) or caps it (`min(length, MAX)`):
  the client chooses the allocation.
`sys.stdin.read()` is not a server read.

## Why it matters
The client decides how many bytes arrive; reading until end of stream lets one
connection (or a chunked request with no length) fill the process's memory and
take the service down (CWE-770).

## Example
```python
def app(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(len(body)).encode()]
```

## Use instead
```python
MAX_BODY = 1024 * 1024

def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        start_response("413 Payload Too Large", [])
        return [b""]
    body = environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(len(body)).encode()]
```

## References
- CWE-770: Allocation of Resources Without Limits or Throttling
- PEP 3333 (wsgi.input and CONTENT_LENGTH); Flask docs, `MAX_CONTENT_LENGTH`
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value, trace_for
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import argument, is_none
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta
from secreview.taint import provenance

_DOS_FLASK_LIMIT: MemoKey[bool] = MemoKey("dos-flask-limit")

META = Meta(
    code="SR504",
    name="unbounded-request-read",
    title="Whole client-controlled stream read without a size limit",
    cwe=770,
    type="dos",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Read at most a configured number of bytes (read(limit + 1) and reject larger bodies with 413), "
    "set MAX_CONTENT_LENGTH for Flask, and bound recv() loops by the accumulated length.",
)
NODES = (ast.Call,)
_SERVER_PARAMS = re.compile(r"^(conn|connection|client|client_?sock(et)?|csock|peer|peer_?sock(et)?)$")
_BOUND_WORDS = re.compile(
    r"(max|limit|size|length|remaining|total|expected|received|left|count|n_?bytes)", re.IGNORECASE
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    if not isinstance(node.func, ast.Attribute):
        return
    method, receiver = node.func.attr, node.func.value
    if method == "read" and _no_size(node):
        what = _whole_body(ctx, receiver, node)
        if what:
            yield Hit(
                node,
                f"`{ctx.segment(node)}` reads {what} until the client stops sending, with no size limit.",
            )
    elif method == "read" and (size := argument(node, 0, "size")) is not None:
        declared = provenance.origin(ctx, size, provenance.REMOTE, through_conversions=True)
        if declared is not None and not _capped(ctx, size, node) and _whole_body(ctx, receiver, node):
            yield Hit(
                node,
                f"`{ctx.segment(node)}` reads as many bytes as {declared.source.description} declares, and "
                "nothing compares that size with a limit: the client chooses how much memory this takes.",
                trace=trace_for(ctx, declared.source, node, "read(size)"),
            )
    elif method == "get_data" and _is_flask_request(ctx, receiver) and not _flask_limited(ctx, node):
        yield Hit(
            node,
            f"`{ctx.segment(node)}` buffers the whole request body and the app never sets "
            "MAX_CONTENT_LENGTH.",
        )
    elif method in {"recv", "recv_into"} and _server_socket(ctx, receiver):
        accumulation = _unbounded_accumulation(ctx, node)
        if accumulation is not None:
            yield Hit(
                accumulation,
                f"`{ctx.segment(accumulation)}` grows a buffer with "
                f"`{ctx.segment(node)}` in a loop that never bounds its length.",
            )


def _no_size(call: ast.Call) -> bool:
    size = argument(call, 0, "size") or argument(call, None, "n")
    if size is None or is_none(size):
        return not call.keywords or all(k.arg in {"size", "n"} for k in call.keywords)
    return isinstance(size, ast.UnaryOp) and isinstance(size.op, ast.USub)


def _whole_body(ctx: FileContext, receiver: ast.expr, call: ast.Call) -> str | None:
    if isinstance(receiver, ast.Name):
        value = reaching_value(ctx, receiver)
        if _is_wsgi_input(ctx, value):
            return "the WSGI request body"
        func = ctx.enclosing_function(call)
        if func is not None and receiver.id == "reader" and value is None:
            names = {a.arg for a in provenance.params_of(func)}
            if {"reader", "writer"} <= names:
                return "the client connection (asyncio StreamReader)"
        return None
    if _is_wsgi_input(ctx, receiver):
        return "the WSGI request body"
    if isinstance(receiver, ast.Attribute):
        base = ctx.qualname(receiver.value)
        if receiver.attr in {"body_file", "body_file_raw"} and provenance.is_request_object(base):
            return "the request body"
        if (
            receiver.attr == "stream"
            and _is_flask_request(ctx, receiver.value)
            and not _flask_limited(ctx, call)
        ):
            return "the request body (the app never sets MAX_CONTENT_LENGTH)"
        if receiver.attr == "rfile" and base == "self" and _in_handler_class(ctx, call):
            return "the HTTP request body"
    return None


def _is_wsgi_input(ctx: FileContext, expr: ast.AST | None) -> bool:
    return expr is not None and provenance.is_wsgi_body(ctx, expr)


def _is_flask_request(ctx: FileContext, expr: ast.AST) -> bool:
    return provenance.is_flask_request(ctx, expr)


def _flask_limited(ctx: FileContext, call: ast.AST) -> bool:
    def module_sets_limit() -> bool:
        for node in ctx.tree_nodes():
            if isinstance(node, ast.Constant) and node.value == "MAX_CONTENT_LENGTH":
                return True
            if isinstance(node, (ast.Attribute, ast.Name)) and (
                getattr(node, "attr", None) or getattr(node, "id", None)
            ) in {"max_content_length", "MAX_CONTENT_LENGTH"}:
                return True
        return False

    if ctx.memo(_DOS_FLASK_LIMIT, ctx.tree, module_sets_limit):
        return True
    func = ctx.enclosing_function(call)
    return func is not None and any(
        isinstance(n, ast.Attribute) and n.attr == "content_length" for n in ast.walk(func)
    )


def _in_handler_class(ctx: FileContext, node: ast.AST) -> bool:
    cls = ctx.enclosing_class(node)
    return cls is not None and any((ctx.qualname(b) or "").endswith("RequestHandler") for b in cls.bases)


def _server_socket(ctx: FileContext, receiver: ast.expr) -> bool:
    if isinstance(receiver, ast.Attribute):  # socketserver: self.request in a handler
        return (
            receiver.attr == "request"
            and ctx.qualname(receiver.value) == "self"
            and _in_handler_class(ctx, receiver)
        )
    if not isinstance(receiver, ast.Name):
        return False
    value = reaching_value(ctx, receiver)
    if value is None:
        func = ctx.enclosing_function(receiver)
        return (
            func is not None
            and bool(_SERVER_PARAMS.match(receiver.id))
            and any(a.arg == receiver.id for a in provenance.params_of(func))
        )
    if isinstance(value, ast.Subscript):
        value = value.value
    return (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "accept"
    )


def _unbounded_accumulation(ctx: FileContext, recv: ast.Call) -> ast.stmt | None:
    loop = next((a for a in ctx.ancestors(recv) if isinstance(a, (ast.While, ast.For))), None)
    if loop is None or isinstance(loop, ast.For):
        return None  # `for _ in range(n)` reads a bounded number of chunks
    statement = ctx.statement_of(recv)
    chunk_names = set()
    if isinstance(statement, ast.Assign) and statement.value is recv:
        chunk_names = {t.id for t in statement.targets if isinstance(t, ast.Name)}
    found: ast.stmt | None = None
    buffer = ""
    for node in ast.walk(loop):
        if (
            isinstance(node, ast.AugAssign)
            and isinstance(node.op, ast.Add)
            and _is_chunk(node.value, recv, chunk_names)
        ):
            found, buffer = node, ctx.segment(node.target)
        elif (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr in {"append", "extend"}
            and node.value.args
            and _is_chunk(node.value.args[0], recv, chunk_names)
        ):
            found, buffer = node, ctx.segment(node.value.func.value)
        if found is not None:
            break
    if found is None or _bounded(ctx, loop, buffer):
        return None
    return found


def _is_chunk(expr: ast.AST, recv: ast.Call, names: set[str]) -> bool:
    return expr is recv or (isinstance(expr, ast.Name) and expr.id in names)


def _bounded(ctx: FileContext, loop: ast.While, buffer: str) -> bool:
    tests = [loop.test] + [
        n.test for n in ast.walk(loop) if isinstance(n, (ast.If, ast.While)) and n is not loop
    ]
    for test in tests:
        for node in ast.walk(test):
            if isinstance(node, ast.Call) and ctx.call_name(node) == "builtins.len":
                return True
            if isinstance(node, ast.Name) and _BOUND_WORDS.search(node.id):
                return True
            if isinstance(node, ast.Attribute) and _BOUND_WORDS.search(node.attr):
                return True
    return False


def _capped(ctx: FileContext, size: ast.expr, call: ast.Call) -> bool:
    """The size is bounded before the read: `min(n, MAX)`, or a comparison of the same name with
    something (`if length > MAX_BODY: abort(413)`) earlier in the function."""
    names = {size.id} if isinstance(size, ast.Name) else set()
    if isinstance(size, ast.Name):
        value = reaching_value(ctx, size)
        if isinstance(value, ast.Call) and (ctx.call_name(value) or "").rsplit(".", 1)[-1] == "min":
            return True
    if isinstance(size, ast.Call) and (ctx.call_name(size) or "").rsplit(".", 1)[-1] == "min":
        return True
    scope = ctx.enclosing_function(call) or ctx.tree
    for node in ast.walk(scope):
        if isinstance(node, ast.Compare) and node.lineno <= call.lineno:
            operands = [node.left, *node.comparators]
            if any(isinstance(o, ast.Name) and o.id in names for o in operands):
                return True
    return False
