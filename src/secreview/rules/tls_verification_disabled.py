"""TLS certificate verification switched off in the code.

## What it flags
A client that accepts any certificate because the source says so: `verify=False` on
requests/httpx/boto3 calls and clients (`httpx.Client(verify=False)`), and on any other
call (often a helper that passes it on to an HTTP client); `session.verify = False`,
`ssl._create_unverified_context()` (and installing it as the default HTTPS context),
`ctx.verify_mode = ssl.CERT_NONE` on a client context, `ctx.check_hostname = False`
(any certificate for any host name is accepted), `cert_reqs=CERT_NONE` (urllib3 pools,
`ssl.wrap_socket`), `ssl.wrap_socket(sock)` without `cert_reqs` (its default is
CERT_NONE), pyOpenSSL `set_verify(VERIFY_NONE, ...)`, aiohttp `ssl=False` and the
`verify_ssl=False` / `verify_certs=False` / `validate_certs=False` /
`disable_ssl_certificate_validation=True` switches (`insecure=True` on client-like
calls). A value that comes from configuration (`verify=CONF.insecure`, `verify=not
args.insecure`) or a literal inside `if insecure:` is an operator's choice at run time
(the same as `verify=not insecure`) and is not reported; server-side contexts (which
do not ask clients for certificates by default), `check_hostname = False` next to
`verify_mode = CERT_NONE` (reported once, there) and `jwt.decode(..., verify=False)`
(JWT signatures: `jwt-signature-not-verified`) are skipped too. In test code the
findings are demoted by the test-code policy (README "Test code"), not dropped here.

## Confidence
- high: a switch that names TLS (`verify_ssl`, `cert_reqs=CERT_NONE`,
  `_create_unverified_context` ...) or `verify=False` on a known HTTP client or call,
  a session, or a client TLS context (`ssl.create_default_context()`);
- medium: a certificate switch (`verify_certs=False` ...) on a callee that is not
  recognisably an HTTP client, or `check_hostname = False` on a context made elsewhere;
- low: `verify=False` on a callee that is not recognisably an HTTP client (the keyword
  may mean another kind of verification), or any of the above inside a `test_*`
  function or a `Test*` class: explicit choices a reviewer should see.

## Why it matters
Without certificate and host name checks anyone on the network path (public Wi-Fi, a
compromised router, a malicious proxy) can present their own certificate, read the
traffic, steal the credentials in it and change the responses (CWE-295).

## Example
```python
import requests

def fetch_inventory(url, token):
    return requests.get(url, headers={"X-Auth-Token": token}, verify=False).json()
```

## Use instead
```python
import requests

def fetch_inventory(url, token, ca_bundle="/etc/ssl/certs/ca-certificates.crt"):
    return requests.get(url, headers={"X-Auth-Token": token}, verify=ca_bundle).json()
```

## References
- CWE-295: Improper Certificate Validation
- Python docs, ssl "Security considerations"; requests docs, "SSL Cert Verification"
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument, keyword
from secreview.model import Confidence, Severity
from secreview.rules._crypto.identifiers import words_of
from secreview.rules._crypto.references import reference, same_target
from secreview.rules._crypto.scopes import calls_in_function, guarded_by_option
from secreview.rules._crypto.values import resolve
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR307",
    name="tls-verification-disabled",
    title="TLS certificate verification disabled",
    cwe=295,
    type="crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Keep verification on (the default); to trust a private CA pass its bundle (verify='/path/ca.pem', "
    "ssl.create_default_context(cafile=...)); if an insecure mode is really needed, make it an explicit, "
    "off-by-default configuration option.",
    bandit=("B501", "B323", "B504"),
)
NODES = (ast.Call, ast.Assign)
# The keywords, attributes and names every branch of _call/_assignment needs ("verify" covers verify_ssl,
# ssl_verify, verify_cert(s), verify_mode, set_verify).
NEEDS = ("verify", "validate_certs", "disable_ssl_certificate_validation", "insecure", "ssl", "cert_reqs",
         "wrap_socket", "_create_unverified_context", "_create_default_https_context", "check_hostname")

_HTTP_CALLS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send",
                         "stream", "Client", "AsyncClient", "urlopen", "client", "resource", "ws_connect"})
_OFF_SWITCHES = {"verify_ssl": False, "ssl_verify": False, "verify_certs": False, "validate_certs": False,
                 "verify_cert": False, "disable_ssl_certificate_validation": True, "insecure": True}
_OPTION_WORDS = frozenset({"insecure", "verify", "verification", "validate", "validation", "ssl", "tls",
                           "cert", "certs", "certificate", "unverified", "unsafe", "noverify"})
_SESSIONS = frozenset({"requests.Session", "requests.session", "requests.sessions.Session", "httpx.Client",
                       "httpx.AsyncClient"})
_CLIENTISH = re.compile(r"(client|session|connect|http|https|api|ssl|tls|transport|adapter|pool|urlopen)",
                        re.IGNORECASE)
_SERVER_WORDS = frozenset({"server", "serve", "listen", "listener", "accept", "daemon"})
# Switches whose name says certificates whatever the callee (`insecure` does not: Django's static serve()).
_CERT_SWITCHES = frozenset(kw for kw in _OFF_SWITCHES if kw != "insecure")
# `decode(token, verify=False)`: a JWT's signature, which jwt-signature-not-verified reports.
_TOKEN_DECODERS = frozenset({"decode", "decode_complete", "loads"})
_CONTEXTS = frozenset({"ssl.create_default_context", "ssl.SSLContext", "ssl._create_stdlib_context",
                       "OpenSSL.SSL.Context"})


def check(node: ast.Call | ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    found = _assignment(node, ctx) if isinstance(node, ast.Assign) else _call(node, ctx)
    if found is None or guarded_by_option(ctx, node, _OPTION_WORDS):
        return
    message, confidence = found
    # `verify=` of a callee that may not be an HTTP client: turning it to True is not known to be right.
    rewrite = _verify_on(node, ctx) if confidence != Confidence.LOW else None
    yield Hit(node, message, rewrite=rewrite, confidence=confidence)


def _verify_on(node: ast.AST, ctx: FileContext) -> tuple[ast.AST, str] | None:
    """A literal `verify=False` (call keyword or `session.verify = False`) becomes `True`: exact and safe.
    A value reached through a variable or another switch is left to the author."""
    if isinstance(node, ast.Call):
        verify = keyword(node, "verify")
        value = verify.value if verify is not None else None
    elif isinstance(node, ast.Assign) and getattr(node.targets[0], "attr", None) == "verify":
        value = node.value
    else:
        return None
    if isinstance(value, ast.Constant) and value.value is False:
        return value, "True"
    return None


Found = tuple[str, Confidence] | None  # (message, confidence)
_HIGH, _MEDIUM, _LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW


def _call(node: ast.Call, ctx: FileContext) -> Found:
    name = ctx.call_name(node) or ""
    method = name.rsplit(".", 1)[-1]
    shown = name or method
    if name == "ssl._create_unverified_context":
        return "`ssl._create_unverified_context()` builds a context that accepts any certificate.", _HIGH
    verify = keyword(node, "verify")
    if verify is not None and _is_const(ctx, verify.value, False):
        if method in _HTTP_CALLS or name.startswith(("requests.", "httpx.")):
            return f"`{shown}(..., verify=False)` accepts any certificate.", _HIGH
        if not (name.startswith("jwt.") or method in _TOKEN_DECODERS):
            return (f"`{shown}(..., verify=False)`: if `{method}` passes `verify` to an HTTP or TLS client, it "
                    "accepts any certificate.", _LOW)
    # The generic switch names (`insecure=True` ...) mean TLS only on client-like callees:
    # Django's static `serve(..., insecure=True)` is about DEBUG, not certificates.
    client_like = method in _HTTP_CALLS or bool(_CLIENTISH.search(shown))
    for kw, off in _OFF_SWITCHES.items():
        given = keyword(node, kw)
        if given is None or not _is_const(ctx, given.value, off) or not (client_like or kw in _CERT_SWITCHES):
            continue
        return f"`{shown}(..., {kw}={off})` turns certificate verification off.", _HIGH if client_like else _MEDIUM
    ssl_kw = keyword(node, "ssl")
    if ssl_kw is not None and _is_const(ctx, ssl_kw.value, False):
        if name.startswith("aiohttp.") or method in _HTTP_CALLS and not name.startswith("asyncio."):
            return f"`{shown}(..., ssl=False)` skips certificate verification (aiohttp).", _HIGH
    cert_reqs = argument(node, 4 if name == "ssl.wrap_socket" else None, "cert_reqs")
    if cert_reqs is not None and _cert_none(ctx, cert_reqs) and not _server_side(ctx, node):
        return f"`{shown}(..., cert_reqs=CERT_NONE)` accepts any certificate.", _HIGH
    unpacked = any(kw.arg is None for kw in node.keywords)  # `**kwargs` may carry cert_reqs
    if name == "ssl.wrap_socket" and cert_reqs is None and not unpacked and not _server_side(ctx, node):
        return "`ssl.wrap_socket()` without `cert_reqs` defaults to CERT_NONE and never checks the host name.", _HIGH
    if method == "set_verify" and node.args and (ctx.qualname(resolve(ctx, node.args[0])) or "").endswith(
            "VERIFY_NONE") and not _server_side(ctx, node):
        return "`set_verify(VERIFY_NONE, ...)` makes the pyOpenSSL context accept any certificate.", _HIGH
    return None


def _assignment(node: ast.Assign, ctx: FileContext) -> Found:
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Attribute):
        return None
    target = node.targets[0]
    if ctx.qualname(target) == "ssl._create_default_https_context":
        if ctx.qualname(node.value) == "ssl._create_unverified_context":
            return "every HTTPS connection of the process now accepts any certificate.", _HIGH
        return None
    if target.attr in ("verify_mode", "check_hostname"):
        if reference(target.value) == "self":
            return None  # a context-like class initialising its own default
        if _server_side(ctx, node) or _server_context(ctx, target.value):
            return None
    if target.attr == "verify_mode" and _cert_none(ctx, node.value):
        where = reference(target) or "verify_mode"
        return f"`{where} = CERT_NONE` makes the TLS context accept any certificate.", _HIGH
    if target.attr == "check_hostname" and _is_const(ctx, node.value, False):
        if _cert_none_set(ctx, node, target.value):
            return None  # `verify_mode = CERT_NONE` on the same context is the finding
        where = reference(target) or "check_hostname"
        made_here = _client_context(ctx, target.value)
        return (f"`{where} = False` accepts a valid certificate for any host name, so any site's certificate "
                "can impersonate the server.", _HIGH if made_here else _MEDIUM)
    if target.attr == "verify" and _is_const(ctx, node.value, False):
        base = resolve(ctx, target.value)
        is_session = isinstance(base, ast.Call) and ctx.call_name(base) in _SESSIONS
        words = words_of(reference(target.value))
        if is_session or words and words[-1] in ("session", "sess"):
            where = reference(target) or "session.verify"
            return f"`{where} = False` disables certificate verification for the whole session.", _HIGH
    return None


def _cert_none_set(ctx: FileContext, node: ast.AST, context: ast.expr) -> bool:
    """`<context>.verify_mode = CERT_NONE` in the same function (set after check_hostname, as ssl requires)."""
    scope = ctx.enclosing_function(node) or ctx.tree
    for stmt in ast.walk(scope):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            other = stmt.targets[0]
            if (isinstance(other, ast.Attribute) and other.attr == "verify_mode" and same_target(other.value, context)
                    and _cert_none(ctx, stmt.value)):
                return True
    return False


def _client_context(ctx: FileContext, expr: ast.expr) -> bool:
    """A TLS context the code creates: `ssl.create_default_context()`, `ssl.SSLContext(...)`."""
    value = resolve(ctx, expr)
    return isinstance(value, ast.Call) and ctx.call_name(value) in _CONTEXTS


def _is_const(ctx: FileContext, expr: ast.expr, value: bool) -> bool:
    resolved = resolve(ctx, expr)
    return isinstance(resolved, ast.Constant) and resolved.value is value


def _cert_none(ctx: FileContext, expr: ast.expr) -> bool:
    value = resolve(ctx, expr)
    if isinstance(value, ast.Constant):
        return value.value in ("CERT_NONE", "NONE")
    return (ctx.qualname(value) or "").endswith("CERT_NONE")


def _server_side(ctx: FileContext, node: ast.AST) -> bool:
    """A server socket/context: `server_side=True` nearby, or a server-named function or class."""
    func = ctx.enclosing_function(node)
    cls = ctx.enclosing_class(node)
    names = [func.name if func else "", cls.name if cls else ""]
    if any(_SERVER_WORDS & set(words_of(n)) for n in names):
        return True
    for call in calls_in_function(ctx, node):
        side = keyword(call, "server_side")
        if side is not None and isinstance(side.value, ast.Constant) and side.value.value is True:
            return True
        if getattr(call.func, "attr", "") in ("listen", "set_accept_state", "accept"):
            return True
    return False


def _server_context(ctx: FileContext, expr: ast.expr) -> bool:
    """`ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)` or `SSLContext(PROTOCOL_TLS_SERVER)`."""
    value = resolve(ctx, expr)
    if not isinstance(value, ast.Call):
        return False
    args = [*value.args, *(k.value for k in value.keywords)]
    return any((ctx.qualname(a) or "").endswith(("CLIENT_AUTH", "PROTOCOL_TLS_SERVER")) for a in args)
