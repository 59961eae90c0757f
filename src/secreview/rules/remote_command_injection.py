"""Command built from untrusted input, or a remote (SSH) command built from non-literal values.

## What it flags
Data from a network client or a socket that reaches an operating-system command —
`subprocess` with `shell=True` or as the program, `os.system`, `os.popen`, paramiko's
`exec_command` … (the `command` sinks of the taint specs) — followed through
assignments, string building, helpers in other modules and attributes of `self`,
with the trace. Quoting with `shlex.quote()` clears it.

And, without data flow (the pattern part, kept from before taint): commands sent
to a remote shell over SSH — paramiko's `exec_command()` (on an
`SSHClient` or a `Channel`), `run()`/`sudo()` on a Fabric `Connection` or
Fabric 1's `fabric.api.run/sudo/local`, and `run()`/`create_process()` on an
`asyncssh` connection — when the command string is assembled by f-string, `%`,
`.format()`, `+` or `join` from values that are not literals, or comes from
outside the program (request data, argv, a socket). Values quoted with
`shlex.quote()` or reduced to numbers are fine.

## Why it matters
The SSH server hands the command to the remote user's login shell, which parses
`;`, `|`, `$()` and backticks. A host name, path or user name containing them runs
the attacker's commands on the remote machine with the SSH account's rights
(CWE-78) — often a privileged automation account.

## Example
```python
import paramiko

def disk_usage(host, path):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(host, username="ops")
    _, stdout, _ = client.exec_command(f"du -sh {path}")
    return stdout.read()
```

## Use instead
```python
import shlex

import paramiko

def disk_usage(host, path):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(host, username="ops")
    _, stdout, _ = client.exec_command(f"du -sh {shlex.quote(path)}")
    return stdout.read()
```

## References
- CWE-78: Improper Neutralization of Special Elements used in an OS Command
- paramiko documentation, `SSHClient.exec_command`; Python docs, `shlex.quote()`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value, trace_for
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._injection.verdict import analyze, describe
from secreview.ruleset import Hit, Meta, TaintQuery

META = Meta(
    code="SR104",
    name="remote-command-injection",
    title="Command built from untrusted input, or SSH command built from non-literal values",
    cwe=78,
    type="cmdi",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Quote every interpolated value with shlex.quote() (the remote side runs a shell), or validate it "
    "against a strict pattern; prefer fixed commands that read their input from stdin.",
    bandit=("B601",),
)
NODES = (ast.Call,)

_FABRIC1 = frozenset(
    {
        "fabric.api.run",
        "fabric.api.sudo",
        "fabric.api.local",
        "fabric.operations.run",
        "fabric.operations.sudo",
        "fabric.operations.local",
    }
)
_CONNECTIONS = frozenset(
    {
        "fabric.Connection",
        "fabric.connection.Connection",
        "fabric.SerialGroup",
        "fabric.ThreadingGroup",
        "asyncssh.connect",
        "asyncssh.connect_reverse",
        "asyncssh.SSHClientConnection",
    }
)
_CONNECTION_METHODS = frozenset({"run", "sudo", "create_process"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    func = node.func
    name = ctx.call_name(node) or ""
    if isinstance(func, ast.Attribute) and func.attr == "exec_command" and not _module(ctx, func.value):
        call = "exec_command"
    elif name in _FABRIC1:
        call = name.replace("fabric.operations.", "fabric.api.")
    elif (
        isinstance(func, ast.Attribute) and func.attr in _CONNECTION_METHODS and _connection(ctx, func.value)
    ):
        call = func.attr
    else:
        return
    verdict = analyze(ctx, argument(node, 0, "command"), "shell")
    if verdict is None:
        return
    if verdict.source is not None:
        yield Hit(
            node,
            f"`{call}` sends the remote shell a command containing {verdict.source.description}.",
            trace=trace_for(ctx, verdict.source, node, f"{call}(...)"),
            confidence=Confidence.HIGH if verdict.strong else Confidence.MEDIUM,
        )
    elif verdict.how:
        yield Hit(
            node,
            f"`{call}` sends the remote shell a command built with {verdict.how} from "
            f"{describe(verdict.unsafe[0], ctx)} without shlex.quote().",
            confidence=Confidence.MEDIUM,
        )


def _module(ctx: FileContext, expr: ast.expr) -> bool:
    """`exec_command.exec_command(...)` in numpy.distutils is a module function running a local shell."""
    return isinstance(expr, ast.Name) and expr.id in ctx.imports


def _connection(ctx: FileContext, expr: ast.expr, depth: int = 3) -> bool:
    """A Fabric Connection or an asyncssh connection, created in this function or module."""
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Call):
        return (ctx.call_name(expr) or "") in _CONNECTIONS
    if isinstance(expr, ast.Name) and depth > 0:
        value = reaching_value(ctx, expr)
        return value is not None and value is not expr and _connection(ctx, value, depth - 1)
    return False


# The taint part: flows from these source kinds to these sink kinds, across functions and modules, with a
# trace (secreview/taint/README.md). `check` above stays for what data flow cannot see; where both report
# the same call, the traced finding is kept.
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"command"}))
