"""Command built from untrusted input, or a remote (SSH) command built from non-literal values.

## What it flags
Data from a network client or a socket that reaches an operating-system command —
`subprocess` with `shell=True` or as the program, `os.system`, `os.popen`, paramiko's
`exec_command` … (the `command` sinks of the taint specs) — followed through
assignments, string building, helpers in other modules and attributes of `self`,
with the trace. Quoting with `shlex.quote()` clears it. The fix given follows the
sink: an argument list without a shell for a command run on this machine, a fixed
set of programs where the client names the program (`os.exec*`, `os.spawn*`),
quoting or strict validation for a command sent over SSH.

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
from dataclasses import replace

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
    fix="A command run on this machine: pass the program and its arguments as a list without a shell "
    "(subprocess.run([...]), no shell=True, os.system or os.popen). A command sent over SSH runs in the remote "
    "shell: quote every interpolated value with shlex.quote() or validate it against a strict pattern.",
    bandit=("B601",),
    restates=("SR101", "SR103"),
)
NODES = (ast.Call,)

# What fixes which command sink (the taint part's sinks are local shells and programs as much as SSH).
LOCAL_SHELL_FIX = (
    "Pass the program and its arguments as a list without a shell: subprocess.run([\"prog\", value]) "
    "(asyncio.create_subprocess_exec) instead of shell=True, os.system or os.popen, so the value stays one "
    "argument whatever it holds; quote with shlex.quote() only where a shell cannot be avoided."
)
PROGRAM_FIX = (
    "Do not let the client choose the program that runs: map its choice to a fixed set of executables "
    "(a dict of full paths) and pass client values only as further arguments of a list."
)
REMOTE_SHELL_FIX = (
    "The remote side runs the command in a shell: quote every interpolated value with shlex.quote(), or "
    "validate it against a strict pattern (re.fullmatch); better, run a fixed command that reads its input "
    "from stdin."
)
FABRIC_LOCAL_FIX = (
    "Fabric's local() always runs a shell: run the program with subprocess.run([...]) and an argument list "
    "instead, or quote every interpolated value with shlex.quote()."
)
_LOCAL_SHELLS = ("os.system", "os.popen", "subprocess.", "asyncio.create_subprocess_shell", "commands.")
_PROGRAMS = ("os.exec", "os.spawn", "os.posix_spawn", "os.startfile", "pty.spawn")
_REMOTE = ("paramiko.", "fabric.", "asyncssh.")

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
    local = call == "fabric.api.local"
    shell = "a local shell" if local else "the remote shell"
    fix = FABRIC_LOCAL_FIX if local else REMOTE_SHELL_FIX
    if verdict.source is not None:
        yield Hit(
            node,
            f"`{call}` sends {shell} a command containing {verdict.source.description}.",
            fix=fix,
            trace=trace_for(ctx, verdict.source, node, f"{call}(...)"),
            confidence=Confidence.HIGH if verdict.strong else Confidence.MEDIUM,
        )
    elif verdict.how:
        yield Hit(
            node,
            f"`{call}` sends {shell} a command built with {verdict.how} from "
            f"{describe(verdict.unsafe[0], ctx)} without shlex.quote().",
            fix=fix,
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
def fix_for_sink(sink: str) -> str | None:
    """The fix for a command sink by its qualified name (None: the rule's general fix)."""
    if sink.startswith(_REMOTE):
        return REMOTE_SHELL_FIX
    if sink.startswith(_PROGRAMS):
        return PROGRAM_FIX
    if sink.startswith(_LOCAL_SHELLS):
        return LOCAL_SHELL_FIX
    return None


def _for_sink(hit: Hit, sink: str, ctx: FileContext) -> Hit:
    return replace(hit, fix=fix_for_sink(sink))


TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"command"}),
                   for_sink=_for_sink)
