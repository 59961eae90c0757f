"""Network call made without a timeout.

## What it flags
- `requests.get/post/put/patch/delete/head/options/request` without `timeout=`
  or with `timeout=None`, and the same methods (and `send`) of a
  `requests.Session()` created in the same function, in a `with` block, or on
  `self` in the class (`self.session = requests.Session()`);
- `urllib.request.urlopen(url)` without a timeout (unless the module calls
  `socket.setdefaulttimeout`);
- `http.client.HTTPConnection/HTTPSConnection(host)`, `socket.create_connection(addr)`,
  `ftplib.FTP(host)`/`FTP_TLS(host)` and `smtplib.SMTP(host)`/`SMTP_SSL(host)` without
  a timeout (these connect in the constructor; without a host they do not);
- `httpx` calls and clients with an explicit `timeout=None` (httpx has a
  default timeout otherwise).
Calls that pass `**kwargs` are not reported: the timeout may be in them.

## Why it matters
Without a timeout a call to a slow or silent peer blocks forever. Each stuck
call holds a worker thread, a connection and often a lock; a handful of
unresponsive upstreams (or an attacker who accepts connections and never
answers) exhausts the pool and the service stops answering (CWE-1088).

## Example
```python
import requests

def fetch_status(url):
    return requests.get(url).json()
```

## Use instead
```python
import requests

def fetch_status(url):
    return requests.get(url, timeout=(3.05, 10)).json()
```

## References
- CWE-1088: Synchronous Access of Remote Resource without Timeout
- Requests docs, "Timeouts"; Python docs, `urllib.request.urlopen`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import argument, is_none
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta
from secreview.taint.provenance import HTTP_METHODS, SESSION_FACTORIES, constructor_of

_DOS_DEFAULT_TIMEOUT: MemoKey[bool] = MemoKey("dos-default-timeout")

META = Meta(
    code="SR507",
    name="request-without-timeout",
    title="Network call without a timeout",
    cwe=1088,
    type="dos",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Pass an explicit timeout (requests: timeout=(connect, read); urlopen/HTTPConnection/"
    "create_connection: timeout=seconds) sized to what the caller can afford to wait.",
    bandit=("B113",),
)
NODES = (ast.Call,)
# requests / httpx names and the last names of _POSITIONAL's calls.
NEEDS = ("requests", "httpx", "urlopen", "HTTPConnection", "HTTPSConnection", "create_connection", "FTP", "SMTP")

_REQUESTS = frozenset(f"requests.{m}" for m in HTTP_METHODS - {"send"}) | frozenset(
    f"requests.api.{m}" for m in HTTP_METHODS - {"send"}
)
# constructor / function -> positional index of `timeout`, index of the required host (None: always connects)
_POSITIONAL = {
    "urllib.request.urlopen": (2, None),
    "urllib2.urlopen": (2, None),
    "six.moves.urllib.request.urlopen": (2, None),
    "http.client.HTTPConnection": (2, 0),
    "http.client.HTTPSConnection": (2, 0),
    "socket.create_connection": (1, None),
    "ftplib.FTP": (4, 0),
    "ftplib.FTP_TLS": (4, 0),
    "smtplib.SMTP": (3, 0),
    "smtplib.SMTP_SSL": (3, 0),
}
_HTTPX = frozenset(
    {f"httpx.{m}" for m in HTTP_METHODS - {"send"}} | {"httpx.stream", "httpx.Client", "httpx.AsyncClient"}
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    if any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
        return
    name = ctx.call_name(node) or ""
    if name in _REQUESTS or _session_call(ctx, node):
        shown = name if name in _REQUESTS else ctx.segment(node.func)
        timeout = argument(node, None, "timeout")
        if timeout is None and len(node.args) < 9:
            yield Hit(
                node, f"`{shown}` has no timeout: requests waits forever for a peer that stops answering."
            )
        elif _no_read_timeout(timeout):
            yield Hit(node, f"`{shown}` passes timeout=None, which disables the timeout.")
    elif name in _POSITIONAL:
        position, host = _POSITIONAL[name]
        if host is not None and argument(node, host, "host") is None:
            return  # no host: nothing connects until .connect(..., timeout)
        timeout = argument(node, position, "timeout")
        if timeout is None and name.endswith("urlopen") and _sets_default_timeout(ctx):
            return
        if timeout is None or is_none(timeout):
            confidence = Confidence.MEDIUM if name.startswith(("ftplib", "smtplib")) else None
            yield Hit(
                node,
                f"`{name}` has no timeout: the call blocks for as long as the peer stays silent.",
                confidence=confidence,
            )
    elif name in _HTTPX and is_none(argument(node, None, "timeout")):
        yield Hit(node, f"`{name}(timeout=None)` turns off httpx's default timeout.")


def _session_call(ctx: FileContext, call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in HTTP_METHODS:
        return False
    if constructor_of(ctx, call.func.value) not in SESSION_FACTORIES:
        return False
    # a mounted adapter may supply the timeout (`session.mount("https://", TimeoutAdapter(5))`)
    scope: ast.AST | None = ctx.enclosing_class(call) if isinstance(call.func.value, ast.Attribute) else None
    scope = scope or ctx.enclosing_function(call) or ctx.tree
    return not any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "mount"
        for n in ast.walk(scope)
    )


def _no_read_timeout(timeout: ast.expr | None) -> bool:
    if is_none(timeout):
        return True
    return isinstance(timeout, ast.Tuple) and len(timeout.elts) == 2 and is_none(timeout.elts[1])


def _sets_default_timeout(ctx: FileContext) -> bool:
    def compute() -> bool:
        return any(
            isinstance(n, ast.Call) and ctx.call_name(n) == "socket.setdefaulttimeout"
            for n in ctx.tree_nodes()
        )

    return ctx.memo(_DOS_DEFAULT_TIMEOUT, ctx.tree, compute)
