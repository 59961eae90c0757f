"""Socket or network client created and not closed on every path.

## What it flags
`socket.socket()`, `socket.create_connection()`, `ssl.wrap_socket()`,
`urllib.request.urlopen()`, `http.client.HTTPConnection`/`HTTPSConnection`,
`telnetlib.Telnet`, `ftplib.FTP`, `smtplib.SMTP`, `poplib`/`imaplib` clients,
`paramiko.SSHClient()` and `requests.Session()` bound to a local name that is
never closed (no `with`, no `close()`/`quit()`, not returned or stored), closed
only in an `except` handler, skipped by an early `return`, or closed only after
calls that may raise (low confidence). Reading a `urlopen()` response to the
end counts as closing it (http.client closes the connection at EOF).

## Why it matters
Every socket is a file descriptor and, for a TCP client, a connection the peer
keeps open too. An agent or API worker that leaks one per request runs out of
descriptors (`EMFILE`) or of ephemeral ports and stops serving; the remote side
(an SMTP relay, an SSH host, a metadata service) accumulates half-open sessions
(CWE-404).

## Example
```python
import socket

def probe(host, port):
    sock = socket.create_connection((host, port), timeout=5)
    sock.sendall(b"PING\\r\\n")
    return sock.recv(64)
```

## Use instead
```python
import socket

def probe(host, port):
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"PING\\r\\n")
        return sock.recv(64)
```

## References
- CWE-404: Improper Resource Shutdown or Release
- Python docs, `socket` objects as context managers; `urllib.request.urlopen`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.resource_spec import Spec
from secreview.rules._lifetime.resource_verdict import leak_hit
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR421",
    name="socket-not-closed",
    title="Socket or network client not closed on every path",
    cwe=404,
    type="leak",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Use the socket, session or client as a context manager (`with socket.create_connection(addr) as "
    "sock:`, `with requests.Session() as session:`) or close it in a `finally:` block.",
)
NODES = (ast.Call,)
# The last name of every creator in _CREATORS (a qualified name's last part is always spelled in the file).
NEEDS = ("socket", "create_connection", "create_server", "fromfd", "urlopen", "HTTPConnection", "HTTPSConnection",
         "Telnet", "FTP", "SMTP", "LMTP", "POP3", "IMAP4", "SSHClient", "Transport", "Session", "session", "Client")

_CREATORS = {
    "socket.socket": "socket",
    "socket.create_connection": "socket",
    "socket.create_server": "socket",
    "socket.fromfd": "socket",
    "ssl.wrap_socket": "TLS socket",
    "urllib.request.urlopen": "HTTP response",
    "urllib2.urlopen": "HTTP response",
    "six.moves.urllib.request.urlopen": "HTTP response",
    "http.client.HTTPConnection": "HTTP connection",
    "http.client.HTTPSConnection": "HTTP connection",
    "httplib.HTTPConnection": "HTTP connection",
    "httplib.HTTPSConnection": "HTTP connection",
    "six.moves.http_client.HTTPConnection": "HTTP connection",
    "six.moves.http_client.HTTPSConnection": "HTTP connection",
    "telnetlib.Telnet": "Telnet session",
    "ftplib.FTP": "FTP session",
    "ftplib.FTP_TLS": "FTP session",
    "smtplib.SMTP": "SMTP session",
    "smtplib.SMTP_SSL": "SMTP session",
    "smtplib.LMTP": "SMTP session",
    "poplib.POP3": "POP3 session",
    "poplib.POP3_SSL": "POP3 session",
    "imaplib.IMAP4": "IMAP session",
    "imaplib.IMAP4_SSL": "IMAP session",
    "paramiko.SSHClient": "SSH client",
    "paramiko.client.SSHClient": "SSH client",
    "paramiko.Transport": "SSH transport",
    "requests.Session": "HTTP session",
    "requests.session": "HTTP session",
    "requests.sessions.Session": "HTTP session",
    "httpx.Client": "HTTP client",
}
# What releases each kind of object (a name for it, and the call); the fix names the very creator.
_RELEASE = {
    "socket": ("sock", "sock.close()"),
    "TLS socket": ("sock", "sock.close()"),
    "Telnet session": ("tn", "tn.close()"),
    "FTP session": ("ftp", "ftp.quit()"),
    "SMTP session": ("smtp", "smtp.quit()"),
    "IMAP session": ("imap", "imap.logout()"),
    "SSH client": ("client", "client.close()"),
    "SSH transport": ("transport", "transport.close()"),
    "HTTP session": ("session", "session.close()"),
    "HTTP client": ("client", "client.close()"),
    "HTTP response": ("response", "response.close()"),
}
_NOT_CONTEXT_MANAGERS = {
    # http.client's connections and poplib's sessions have no `with` support
    "HTTP connection": "Close the connection in a `finally:` block (`conn.close()`), or wrap it: "
    "`with contextlib.closing({call}(host)) as conn:` (it is not a context manager itself).",
    "POP3 session": "Call `pop.quit()` in a `finally:` block, or wrap it: `with contextlib.closing({call}(host)) "
    "as pop:` (it is not a context manager itself).",
}


def fix_for(creator: str) -> str:
    """The fix for an object made by `creator` (a qualified name of _CREATORS)."""
    what = _CREATORS[creator]
    if what in _NOT_CONTEXT_MANAGERS:
        return _NOT_CONTEXT_MANAGERS[what].format(call=creator)
    var, release = _RELEASE[what]
    return f"Use it as a context manager (`with {creator}(...) as {var}:`) or call `{release}` in a `finally:` block."


_SPEC = Spec(
    "socket",
    release_methods=frozenset({"close", "quit", "logout", "aclose", "detach", "__exit__"}),
    borrower_prefixes=("select.", "selectors.", "ssl.", "socket.getaddrinfo"),
    borrowers=frozenset({"builtins.print"}),
)
# Reading a response to the end closes its connection (http.client does it on EOF).
_RESPONSE = Spec(
    "socket",
    release_methods=frozenset({"close", "read", "readlines", "detach", "__exit__"}),
    borrowers=frozenset({"builtins.print"}),
)
_RESPONSES = {"urllib.request.urlopen", "urllib2.urlopen", "six.moves.urllib.request.urlopen"}
# Inline use is only reported where nothing can ever close the object.
_INLINE = {"requests.Session", "requests.session", "requests.sessions.Session"}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node)
    what = _CREATORS.get(name or "")
    if what is None or name is None:
        return
    verdicts: tuple[str, ...] = ("never", "error-only", "early-exit", "success-path")
    if name in _INLINE and ctx.enclosing_function(node) is not None:
        verdicts += ("inline",)
    spec = _RESPONSE if name in _RESPONSES else _SPEC
    hit = leak_hit(ctx, node, spec, f"the {what} from `{name}()`", fix=fix_for(name), verdicts=verdicts)
    if hit is not None:
        yield hit
