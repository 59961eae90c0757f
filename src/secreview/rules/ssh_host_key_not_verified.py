"""SSH connection that accepts any host key.

## What it flags
paramiko `client.set_missing_host_key_policy(AutoAddPolicy())` or `WarningPolicy()`
(also the class passed without a call, and a local `MissingHostKeyPolicy` subclass
whose `missing_host_key` never raises), asyncssh calls with `known_hosts=None`, pysftp
`cnopts.hostkeys = None`, and `ssh`/`scp` command lines run with
`-o StrictHostKeyChecking=no`.

## Why it matters
The host key is the only thing that proves the client reached the real server. If an
unknown key is accepted (and, with AutoAddPolicy, remembered), an attacker who can
redirect the connection once (DNS, ARP, a rogue router) receives the password or the
agent-forwarded key and sees every command and file (CWE-295).

## Example
```python
import paramiko

def run_remote(host, user, key_file, command):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, username=user, key_filename=key_file)
    return client.exec_command(command)
```

## Use instead
```python
import paramiko

def run_remote(host, user, key_file, command):
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(host, username=user, key_filename=key_file)
    return client.exec_command(command)
```

## References
- CWE-295: Improper Certificate Validation
- paramiko docs, `SSHClient.set_missing_host_key_policy`; asyncssh docs, `known_hosts`
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument, keyword
from secreview.model import Confidence, Severity
from secreview.rules._crypto.references import reference
from secreview.rules._crypto.values import resolve
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR313",
    name="ssh-host-key-not-verified",
    title="SSH host key not verified",
    cwe=295,
    type="crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Load known host keys (client.load_system_host_keys() or load_host_keys(path)) and keep "
    "paramiko's default RejectPolicy; give asyncssh a known_hosts file; distribute host keys out of band.",
    bandit=("B507",),
)
NODES = (ast.Call, ast.Assign)
# paramiko's policy setter, pysftp's hostkeys, asyncssh / sh.ssh, and the _RUNNERS' names.
NEEDS = ("set_missing_host_key_policy", "hostkeys", "ssh", "subprocess", "system", "popen", "pexpect",
         "plumbum")

_LAX_POLICIES = ("AutoAddPolicy", "WarningPolicy")
_STRICT_OFF = re.compile(r"StrictHostKeyChecking\s*=?\s*(no|off)\b", re.IGNORECASE)
_RUNNERS = ("subprocess.", "os.system", "os.popen", "asyncio.create_subprocess_", "pexpect.spawn",
            "pexpect.run", "sh.ssh", "plumbum.")


def check(node: ast.AST, ctx: FileContext) -> Iterator[Hit]:
    if isinstance(node, ast.Assign):
        target = node.targets[0] if len(node.targets) == 1 else None
        if isinstance(target, ast.Attribute) and target.attr == "hostkeys" and _is_none(ctx, node.value):
            opts = resolve(ctx, target.value)
            if isinstance(opts, ast.Call) and (ctx.call_name(opts) or "").startswith("pysftp."):
                yield Hit(node, f"`{reference(target)} = None` turns off pysftp's host key check.")
        return
    assert isinstance(node, ast.Call)
    name = ctx.call_name(node) or ""
    if isinstance(node.func, ast.Attribute) and node.func.attr == "set_missing_host_key_policy" and node.args:
        policy = resolve(ctx, node.args[0])
        target = policy.func if isinstance(policy, ast.Call) else policy
        policy_name = ctx.qualname(target) or ""
        if policy_name.rsplit(".", 1)[-1] in _LAX_POLICIES:
            message = f"`{policy_name}` accepts unknown SSH host keys: the server is never authenticated."
            yield Hit(node, message)
        elif _accepting_local_policy(ctx, policy_name):
            yield Hit(node, f"the host key policy `{policy_name}` accepts unknown keys without raising.",
                      confidence=Confidence.MEDIUM)
        return
    if name.startswith("asyncssh."):
        known = keyword(node, "known_hosts")
        if known is not None and _is_none(ctx, known.value):
            yield Hit(node, f"`{name}(..., known_hosts=None)` skips server host key validation.")
        return
    if name.startswith(_RUNNERS):
        command = resolve(ctx, argument(node, 0, "args") or argument(node, None, "cmd"))
        if command is not None and any(isinstance(c, ast.Constant) and isinstance(c.value, str)
                                       and _STRICT_OFF.search(c.value) for c in ast.walk(command)):
            yield Hit(node, f"`{name}` runs ssh with StrictHostKeyChecking=no: any host key is accepted.",
                      confidence=Confidence.MEDIUM)


def _is_none(ctx: FileContext, expr: ast.expr) -> bool:
    value = resolve(ctx, expr)
    return isinstance(value, ast.Constant) and value.value is None


def _accepting_local_policy(ctx: FileContext, name: str) -> bool:
    """A class of this module deriving from MissingHostKeyPolicy whose missing_host_key never raises."""
    for stmt in ctx.tree.body:
        if not (isinstance(stmt, ast.ClassDef) and stmt.name == name):
            continue
        if not any((ctx.qualname(b) or "").endswith("MissingHostKeyPolicy") for b in stmt.bases):
            return False
        for item in stmt.body:
            if isinstance(item, ast.FunctionDef) and item.name == "missing_host_key":
                return not any(isinstance(n, ast.Raise) for n in ast.walk(item))
    return False
