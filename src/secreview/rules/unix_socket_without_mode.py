"""UNIX socket bound to a path without setting its mode.

## What it flags
`sock.bind(path)` on a socket created with `socket.AF_UNIX` (`socket.socket(socket.AF_UNIX,
...)`, `socket.socket(family=socket.AF_UNIX)`) in a function that neither sets the socket
file's mode afterwards (`os.chmod(path, ...)`, `os.fchmod`) nor restricts the umask around
the bind (`os.umask(...)`); the same for servers that bind one themselves
(`socketserver.UnixStreamServer(path, ...)`, `asyncio.start_unix_server(cb, path)`,
`loop.create_unix_server(...)`). Abstract sockets (a path starting with a NUL byte) have no
file and are not flagged.

## Confidence
- low: the socket file gets 0o777 minus the process umask, so who may connect depends
  on the umask the daemon happens to run with (0o022 lets only the owner connect on
  Linux, 0o002 the whole group, 0 everyone) and on the directory's permissions, which
  the code does not show. A server that trusts its peers (a metadata proxy, an agent's
  control socket) should not leave that to chance.

## Why it matters
Connecting to a UNIX socket needs write permission on its file. Whoever can connect
speaks to a server that usually treats every peer as trusted: another local user or a
compromised service can then issue the commands the socket accepts (CWE-732).

## Example
```python
import socket

def serve(path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    return server
```

## Use instead
```python
import os
import socket

def serve(path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(1)
    return server
```

## References
- CWE-732: Incorrect Permission Assignment for Critical Resource
- unix(7): "connecting to the socket object requires write permission on the socket file"
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR243",
    name="unix-socket-without-mode",
    title="UNIX socket bound without setting its mode",
    cwe=732,
    type="access",
    severity=Severity.LOW,
    confidence=Confidence.LOW,
    fix="Set the socket file's mode right after bind (os.chmod(path, 0o600), or 0o660 with a dedicated "
    "group), or bind under os.umask(0o077); check the peer's credentials (SO_PEERCRED) if it must be trusted.",
)
NODES = (ast.Call,)
NEEDS = ("AF_UNIX", "UnixStreamServer", "UnixDatagramServer", "unix_server")
# servers that create and bind a UNIX socket themselves: callee -> index of the path argument
_SERVERS = {
    "socketserver.UnixStreamServer": 0, "socketserver.UnixDatagramServer": 0,
    "socketserver.ThreadingUnixStreamServer": 0, "socketserver.ThreadingUnixDatagramServer": 0,
    "asyncio.start_unix_server": 1,
}
_MODE_SETTERS = {"os.chmod", "os.fchmod", "os.lchmod", "os.umask", "os.fchmodat"}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    func = node.func
    server = ctx.call_name(node) or ""
    if server in _SERVERS or (isinstance(func, ast.Attribute) and func.attr == "create_unix_server"):
        index = _SERVERS.get(server, 1)
        path = node.args[index] if len(node.args) > index else next(
            (k.value for k in node.keywords if k.arg in ("path", "server_address")), None)
        if path is not None and not _mode_set(node, ctx):
            shown = server or (func.attr if isinstance(func, ast.Attribute) else "")
            yield Hit(node, f"`{shown}` binds a UNIX socket at `{ctx.segment(path)}` without a "
                      "mode: its file gets 0o777 minus the process umask, so which local users may connect "
                      "depends on the umask the process runs with.")
        return
    if not (isinstance(func, ast.Attribute) and func.attr == "bind" and len(node.args) == 1):
        return
    address = node.args[0]
    if isinstance(address, ast.Constant) and isinstance(address.value, (str, bytes)) \
            and address.value[:1] in ("\0", b"\0"):
        return  # an abstract socket: no file, no mode
    if isinstance(address, ast.Tuple):
        return  # (host, port): an internet socket
    scope = ctx.enclosing_function(node) or ctx.tree
    if not _unix_socket(func.value, scope, ctx) or _mode_set(node, ctx):
        return
    yield Hit(node, f"The UNIX socket is bound to `{ctx.segment(address)}` without a mode: its file gets 0o777 "
              "minus the process umask, so which local users may connect depends on the umask the process "
              "runs with.")


def _mode_set(node: ast.AST, ctx: FileContext) -> bool:
    """The enclosing function (or module) sets a mode or a umask somewhere."""
    scope = ctx.enclosing_function(node) or ctx.tree
    for sub in ast.walk(scope):
        if isinstance(sub, ast.Call):
            name = ctx.call_name(sub) or ""
            if name in _MODE_SETTERS or name.endswith(".chmod"):
                return True
    return False


def _unix_socket(receiver: ast.AST, scope: ast.AST, ctx: FileContext) -> bool:
    """The receiver is a name the scope binds to `socket.socket(AF_UNIX, ...)`."""
    target = ctx.segment(receiver)
    for sub in ast.walk(scope):
        if isinstance(sub, ast.Assign) and len(sub.targets) == 1 and ctx.segment(sub.targets[0]) == target \
                and isinstance(sub.value, ast.Call) and _creates_unix(sub.value, ctx):
            return True
        if isinstance(sub, ast.withitem) and sub.optional_vars is not None \
                and ctx.segment(sub.optional_vars) == target and isinstance(sub.context_expr, ast.Call) \
                and _creates_unix(sub.context_expr, ctx):
            return True
    return False


def _creates_unix(call: ast.Call, ctx: FileContext) -> bool:
    if (ctx.call_name(call) or "") not in ("socket.socket", "eventlet.green.socket.socket"):
        return False
    family = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "family"), None)
    return family is not None and (ctx.qualname(family) or "").endswith("AF_UNIX")
