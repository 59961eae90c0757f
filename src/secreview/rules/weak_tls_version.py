"""TLS connection allowed or forced to use SSLv2, SSLv3, TLS 1.0 or TLS 1.1.

## What it flags
Protocol constants for SSLv2/SSLv3/TLS 1.0/TLS 1.1 handed to whatever sets up the
connection: `ssl.PROTOCOL_SSLv3/TLSv1/TLSv1_1` passed to `ssl.SSLContext`,
`wrap_socket(ssl_version=...)`, urllib3 pools and adapters; pyOpenSSL
`SSL.Context(SSL.TLSv1_METHOD)` and `set_min_proto_version(SSL.TLS1_VERSION)`;
`ctx.minimum_version = ssl.TLSVersion.TLSv1` (or `MINIMUM_SUPPORTED`), a
`maximum_version` capped at an old version, an attribute such as `ssl_version =
ssl.PROTOCOL_TLSv1`, and `ctx.options &= ~ssl.OP_NO_TLSv1` which re-enables one. Tables
and comparisons that merely mention a constant are not reported. `ssl.wrap_socket()`
itself is reported by `tls-verification-disabled`, since its defect is the missing
certificate check, not the version.

## Why it matters
SSLv2 and SSLv3 are broken (DROWN, POODLE), and TLS 1.0/1.1 were deprecated by RFC 8996
for their MAC-then-encrypt CBC suites and MD5/SHA-1 handshake; a peer or attacker who
can force the old protocol can decrypt or tamper with the session (CWE-757).

## Example
```python
import ssl

def client_context():
    return ssl.SSLContext(ssl.PROTOCOL_TLSv1)
```

## Use instead
```python
import ssl

def client_context():
    ctx = ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx
```

## References
- CWE-757: Selection of Less-Secure Algorithm During Negotiation ('Algorithm Downgrade')
- RFC 7568 (SSLv3 deprecated), RFC 8996 (TLS 1.0 and 1.1 deprecated)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._crypto.identifiers import words_of
from secreview.rules._crypto.references import reference
from secreview.rules._crypto.values import resolve
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR308",
    name="weak-tls-version",
    title="SSLv2/SSLv3/TLS 1.0/TLS 1.1 allowed",
    cwe=757,
    type="crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Use ssl.create_default_context() (or PROTOCOL_TLS_CLIENT/SERVER) and set "
    "ctx.minimum_version = ssl.TLSVersion.TLSv1_2; in pyOpenSSL use TLS_METHOD with "
    "set_min_proto_version(SSL.TLS1_2_VERSION).",
    bandit=("B502", "B503"),
)
NODES = (ast.Call, ast.Assign, ast.AugAssign)
# Every weak value below resolves through an `ssl` or `OpenSSL` import.
NEEDS = ("ssl", "SSL")

_WEAK = {
    "ssl.PROTOCOL_SSLv2": "SSLv2", "ssl.PROTOCOL_SSLv3": "SSLv3", "ssl.PROTOCOL_TLSv1": "TLS 1.0",
    "ssl.PROTOCOL_TLSv1_1": "TLS 1.1",
    "OpenSSL.SSL.SSLv2_METHOD": "SSLv2", "OpenSSL.SSL.SSLv3_METHOD": "SSLv3",
    "OpenSSL.SSL.TLSv1_METHOD": "TLS 1.0", "OpenSSL.SSL.TLSv1_1_METHOD": "TLS 1.1",
    "OpenSSL.SSL.SSL3_VERSION": "SSLv3",
    "OpenSSL.SSL.TLS1_VERSION": "TLS 1.0", "OpenSSL.SSL.TLS1_1_VERSION": "TLS 1.1",
    "ssl.TLSVersion.SSLv3": "SSLv3", "ssl.TLSVersion.TLSv1": "TLS 1.0", "ssl.TLSVersion.TLSv1_1": "TLS 1.1",
}
_SETUP_CALLS = frozenset({"SSLContext", "Context", "wrap_socket", "ssl_wrap_socket", "SSLSocket",
                          "create_urllib3_context", "set_min_proto_version", "set_max_proto_version",
                          "PoolManager", "ProxyManager", "HTTPSConnectionPool", "HTTPSConnection",
                          "get_server_certificate", "init_poolmanager", "connection_from_url"})
_SETUP_KEYWORDS = frozenset({"ssl_version", "protocol", "ssl_protocol", "tls_version", "min_version",
                             "minimum_version", "method", "ssl_method"})
_OPTION_BITS = {"ssl.OP_NO_SSLv2": "SSLv2", "ssl.OP_NO_SSLv3": "SSLv3", "ssl.OP_NO_TLSv1": "TLS 1.0",
                "ssl.OP_NO_TLSv1_1": "TLS 1.1", "OpenSSL.SSL.OP_NO_SSLv3": "SSLv3",
                "OpenSSL.SSL.OP_NO_TLSv1": "TLS 1.0", "OpenSSL.SSL.OP_NO_TLSv1_1": "TLS 1.1"}
_TARGET_WORDS = frozenset({"ssl", "tls", "protocol", "version", "method"})


def check(node: ast.AST, ctx: FileContext) -> Iterator[Hit]:
    if isinstance(node, ast.Call):
        yield from _call(node, ctx)
    elif isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, weak = node.targets[0], _weak(ctx, node.value)
        attr = target.attr if isinstance(target, ast.Attribute) else ""
        if attr == "minimum_version" and ctx.qualname(node.value) == "ssl.TLSVersion.MINIMUM_SUPPORTED":
            weak = "the oldest protocol OpenSSL still supports"
        if not weak:
            return
        where = reference(target) or ctx.segment(target)
        if attr == "minimum_version":
            yield Hit(node, f"`{where}` lets connections fall back to {weak}.")
        elif attr == "maximum_version":
            yield Hit(node, f"`{where}` caps connections at {weak}.")
        elif isinstance(target, (ast.Name, ast.Attribute)) and _TARGET_WORDS & set(words_of(where)):
            yield Hit(node, f"`{where}` selects {weak}.", confidence=Confidence.MEDIUM)
    elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.BitAnd):
        value = node.value
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Invert):
            weak = _OPTION_BITS.get(ctx.qualname(value.operand) or "", "")
            if weak:
                yield Hit(node, f"`{ctx.segment(node) or 'options'}` re-enables {weak}.")


def _call(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    callee = (ctx.call_name(node) or ctx.segment(node.func) or "").rsplit(".", 1)[-1]
    candidates: list[tuple[ast.expr, str | None]] = [(arg, None) for arg in node.args] if callee in _SETUP_CALLS else []
    candidates += [(kw.value, kw.arg) for kw in node.keywords if kw.arg in _SETUP_KEYWORDS
                   or callee in _SETUP_CALLS and kw.arg]
    for value, kw in candidates:
        weak = _weak(ctx, value)
        if weak:
            how = f"{kw}={ctx.segment(value)}" if kw else ctx.segment(value)
            yield Hit(node, f"`{callee}({how})` uses {weak}.")
            return


def _weak(ctx: FileContext, expr: ast.expr) -> str:
    value = resolve(ctx, expr)
    return _WEAK.get(ctx.qualname(value) or "", "") if isinstance(value, (ast.Attribute, ast.Name)) else ""
