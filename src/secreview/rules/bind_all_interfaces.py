"""Server bound to every network interface by a hard-coded address.

## What it flags
A listening socket or server whose host is the literal `"0.0.0.0"`, `"::"` or
`""` (directly, or through a local/module constant): `sock.bind(("0.0.0.0",
port))`, `HTTPServer(("", 8000), Handler)` and other `*Server((host, port), ...)`
classes, `socket.create_server`, `app.run(host="0.0.0.0")`,
`uvicorn.run(..., host="0.0.0.0")`, `web.run_app`, `make_server`/`run_simple`,
`loop.create_server`/`asyncio.start_server`. A host that comes from
configuration or a parameter is not flagged.

## Why it matters
The service answers on every interface, including public and management
networks that the developer never meant to expose; a debug server, an internal
API or an unauthenticated metrics endpoint becomes reachable from outside
(CWE-1327). Binding is a deployment decision and belongs in configuration.

## Example
```python
from http.server import HTTPServer, SimpleHTTPRequestHandler

def serve_docs(port=8000):
    HTTPServer(("0.0.0.0", port), SimpleHTTPRequestHandler).serve_forever()
```

## Use instead
```python
from http.server import HTTPServer, SimpleHTTPRequestHandler

def serve_docs(host="127.0.0.1", port=8000):
    HTTPServer((host, port), SimpleHTTPRequestHandler).serve_forever()
```

## References
- CWE-1327: Binding to an Unrestricted IP Address
- Python docs, socket.bind and socketserver
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import argument, module_constant
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR206",
    name="bind-all-interfaces",
    title="Server bound to all network interfaces",
    cwe=1327,
    type="access",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    fix="Bind to 127.0.0.1 (or a specific interface) by default and make the listen address a "
    "configuration option for deployments that need more.",
    bandit=("B104",),
)
NODES = (ast.Call,)

_ALL = {"0.0.0.0", "::", "", "0:0:0:0:0:0:0:0"}
# Calls taking the host as an argument: last name segment -> (position, keyword).
_HOST_ARG = {
    "make_server": (0, "host"),
    "run_simple": (0, "hostname"),
    "create_server": (1, "host"),
    "start_server": (1, "host"),
    "TCPSite": (1, "host"),
    "run": (None, "host"),
    "run_app": (None, "host"),
    "serve": (None, "host"),
    "run_server": (None, "host"),
    "listen": (None, "address"),
}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or (node.func.attr if isinstance(node.func, ast.Attribute) else "")
    last = name.rsplit(".", 1)[-1]
    if name == "asyncio.run":
        return
    host_expr: ast.AST | None = None
    if last in ("bind", "create_server", "listen") or last.endswith("Server"):
        address = _resolve(argument(node, 0, "address"), ctx)
        if isinstance(address, ast.Tuple) and len(address.elts) >= 2:
            port = address.elts[1]
            if isinstance(port, ast.Constant) and port.value == 0:
                return  # an ephemeral port: a data channel or a test, not a service
            host_expr = address.elts[0]
    if host_expr is None and last in _HOST_ARG:
        position, keyword = _HOST_ARG[last]
        host_expr = argument(node, position, keyword)
    host = _resolve(host_expr, ctx)
    if isinstance(host, ast.Constant) and isinstance(host.value, str) and host.value in _ALL:
        shown = f'"{host.value}"' if host.value else "an empty host"
        yield Hit(node, f"`{name or 'the server'}` listens on {shown}, i.e. on every network interface.")


def _resolve(expr: ast.AST | None, ctx: FileContext) -> ast.AST | None:
    for _ in range(3):
        if not isinstance(expr, ast.Name):
            return expr
        value = reaching_value(ctx, expr)
        if value is None and ctx.enclosing_function(expr) is None:
            value = module_constant(ctx, expr.id)
        expr = value
    return expr
