"""Credentials or sessions sent over an unencrypted protocol (Telnet, FTP, SMTP/IMAP/POP3, http://).

## What it flags
`telnetlib.Telnet(...)` to a remote host; `ftplib.FTP(...)` (not `FTP_TLS`) given a user
and password or followed by `.login(user, password)`; `.login()` on an
`smtplib.SMTP` or `imaplib.IMAP4` object (and POP3 `.pass_()`) without `starttls()`/`stls()`
on the same object in the function; and requests/httpx calls to an `http://` URL that
carry credentials: `auth=`, an `Authorization`/API-key/token header, a password or
token field in `data`/`json`/`params`, or `user:password@` in the URL. Loopback hosts
(`localhost`, `127.0.0.1`, `::1`) are not reported.

## Why it matters
These protocols send the password and the session in clear text: anyone on the path
(shared Wi-Fi, a compromised switch, a cloud neighbour with a tap) reads the
credentials and can replay them or change the data in transit (CWE-319).

## Example
```python
import smtplib

def send_report(host, user, password, message):
    server = smtplib.SMTP(host, 587)
    server.login(user, password)
    server.send_message(message)
    server.quit()
```

## Use instead
```python
import smtplib
import ssl

def send_report(host, user, password, message):
    server = smtplib.SMTP(host, 587)
    server.starttls(context=ssl.create_default_context())
    server.login(user, password)
    server.send_message(message)
    server.quit()
```

## References
- CWE-319: Cleartext Transmission of Sensitive Information
- Python docs, ftplib.FTP_TLS, smtplib.SMTP.starttls, imaplib.IMAP4.starttls
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument, keyword
from secreview.model import Confidence, Severity
from secreview.rules._crypto.identifiers import names_password, security_value, words_of
from secreview.rules._crypto.references import method_calls, same_target
from secreview.rules._crypto.scopes import calls_in_function
from secreview.rules._crypto.values import resolve
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR314",
    name="cleartext-protocol",
    title="Credentials sent over a cleartext protocol",
    cwe=319,
    type="crypto",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Use the TLS variant: ftplib.FTP_TLS (then prot_p()), smtplib.SMTP_SSL or starttls() before login, "
    "IMAP4_SSL/POP3_SSL, SSH instead of Telnet, and https:// URLs for anything carrying credentials.",
    bandit=("B312", "B321"),
)
NODES = (ast.Call,)
# telnetlib.Telnet, ftplib.FTP, the _MAIL constructors, and requests/httpx clients (_http).
NEEDS = ("Telnet", "FTP", "SMTP", "IMAP4", "POP3", "requests", "httpx")

_LOOPBACK = ("localhost", "127.", "::1", "[::1]", "0.0.0.0")
_MAIL = {"smtplib.SMTP": ({"login"}, "starttls"), "imaplib.IMAP4": ({"login", "authenticate"}, "starttls"),
         "poplib.POP3": ({"pass_", "apop", "rpop"}, "stls")}
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
_SESSIONS = frozenset({"requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient"})
_AUTH_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key", "apikey",
                           "x-auth-token", "x-access-token", "cookie"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    if name == "telnetlib.Telnet":
        if not _loopback(ctx, argument(node, 0, "host")):
            yield Hit(node, "`telnetlib.Telnet` opens a cleartext session: logins and commands can be read "
                      "on the network.")
        return
    if name == "ftplib.FTP":
        if _loopback(ctx, argument(node, 0, "host")):
            return
        user = argument(node, 1, "user")
        logins = [c for c in _holder_calls(ctx, node, {"login"}) if c.args or c.keywords]
        named = user is not None and not _anonymous(ctx, user)
        if named or any(not _anonymous(ctx, _first(c)) for c in logins):
            yield Hit(node, "`ftplib.FTP` sends the login password in cleartext; use `ftplib.FTP_TLS`.")
        return
    if isinstance(node.func, ast.Attribute) and node.func.attr in {m for ms, _ in _MAIL.values() for m in ms}:
        yield from _mail_login(ctx, node)
        return
    yield from _http(ctx, node, name)


def _holder_calls(ctx: FileContext, ctor: ast.Call, methods: set[str]) -> list[ast.Call]:
    parent = ctx.parent(ctor)
    target = None
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        target = parent.targets[0]
    elif isinstance(parent, ast.withitem):
        target = parent.optional_vars
    return method_calls(ctx, target, methods) if target is not None else []


def _first(call: ast.Call) -> ast.expr | None:
    return argument(call, 0, "user")


def _anonymous(ctx: FileContext, expr: ast.expr | None) -> bool:
    value = resolve(ctx, expr)
    return isinstance(value, ast.Constant) and str(value.value).lower() in ("", "anonymous", "ftp", "none")


def _loopback(ctx: FileContext, expr: ast.expr | None) -> bool:
    value = resolve(ctx, expr)
    return isinstance(value, ast.Constant) and str(value.value).lower().startswith(_LOOPBACK)


def _mail_login(ctx: FileContext, node: ast.Call) -> Iterator[Hit]:
    func = node.func
    if not isinstance(func, ast.Attribute):  # (the caller matched `x.login(...)`)
        return
    receiver = func.value
    ctor = _constructor(ctx, node, receiver)
    if ctor is None:
        return
    ctor_name = ctx.call_name(ctor) or ""
    methods, upgrade = _MAIL[ctor_name]
    if func.attr not in methods or _loopback(ctx, argument(ctor, 0, "host")):
        return
    upgraded = any(isinstance(c.func, ast.Attribute) and c.func.attr == upgrade and same_target(c.func.value, receiver)
                   for c in calls_in_function(ctx, node))
    if not upgraded:
        yield Hit(node, f"`{ctx.segment(node.func)}` sends the password over `{ctor_name}` without "
                  f"`{upgrade}()`, in cleartext.")


def _constructor(ctx: FileContext, node: ast.Call, receiver: ast.expr) -> ast.Call | None:
    """The `smtplib.SMTP(...)` call the receiver was bound to in this function."""
    for call in calls_in_function(ctx, node):
        if ctx.call_name(call) not in _MAIL or call.lineno > node.lineno:
            continue
        parent = ctx.parent(call)
        target = None
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
            target = parent.targets[0]
        elif isinstance(parent, ast.withitem):
            target = parent.optional_vars
        if target is not None and same_target(target, receiver):
            return call
    return None


def _http(ctx: FileContext, node: ast.Call, name: str) -> Iterator[Hit]:
    method = name.rsplit(".", 1)[-1]
    if method not in _HTTP_VERBS:
        return
    client = name.startswith(("requests.", "httpx."))
    if not client and isinstance(node.func, ast.Attribute):
        receiver = resolve(ctx, node.func.value)
        client = isinstance(receiver, ast.Call) and ctx.call_name(receiver) in _SESSIONS
    if not client:
        return
    url = argument(node, 1 if method == "request" else 0, "url")
    prefix = _url_prefix(ctx, url)
    if not prefix.lower().startswith("http://"):
        return
    host = prefix[7:].split("@")[-1]
    if host.lower().startswith(_LOOPBACK):
        return
    what = _credentials(ctx, node, prefix)
    if what:
        message = f"`{name}` sends {what} to `{prefix[:60]}` over plain HTTP."
        yield Hit(node, message, confidence=Confidence.HIGH)


def _url_prefix(ctx: FileContext, expr: ast.expr | None, depth: int = 4) -> str:
    value = resolve(ctx, expr)
    if depth < 0 or value is None:
        return ""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ast.JoinedStr) and value.values:
        first = value.values[0]
        if isinstance(first, ast.Constant):
            return str(first.value)
        if isinstance(first, ast.FormattedValue):
            return _url_prefix(ctx, first.value, depth - 1)
    if isinstance(value, ast.BinOp):
        return _url_prefix(ctx, value.left, depth - 1)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "format":
        return _url_prefix(ctx, value.func.value, depth - 1)
    return ""


def _credentials(ctx: FileContext, node: ast.Call, url: str) -> str:
    auth = keyword(node, "auth")
    if auth is not None and not (isinstance(auth.value, ast.Constant) and auth.value.value is None):
        return "credentials (`auth=`)"
    if url.count("/") >= 2 and "@" in url.split("/")[2]:
        return "the user and password in the URL"
    headers = resolve(ctx, argument(node, None, "headers"))
    if isinstance(headers, ast.Dict):
        for key in headers.keys:
            if isinstance(key, ast.Constant) and str(key.value).lower() in _AUTH_HEADERS:
                return f"the `{key.value!s}` header"
    for field in ("data", "json", "params"):
        body = resolve(ctx, argument(node, None, field))
        if isinstance(body, ast.Dict):
            for key in body.keys:
                text = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""
                if names_password(text) or security_value(text) and "id" not in words_of(text):
                    return f"`{text}` in `{field}`"
    return ""
