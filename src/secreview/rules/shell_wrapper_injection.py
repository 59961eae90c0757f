"""An argument list that starts a shell with `-c` and a command built from data.

## What it flags
Process launches that avoid `shell=True` but run a shell anyway — `["sh", "-c",
cmd]`, `["bash", "-lc", cmd]`, `["/bin/sh", "-c", cmd]`, `["cmd.exe", "/c", cmd]`,
`["powershell", "-Command", cmd]`, optionally behind `sudo`/`env`/`nice` — when
the command string is assembled by f-string, `%`, `.format()`, `+` or `join` from
values that are not literals, or comes from outside the program. Covered
launchers: `subprocess.run/call/check_call/check_output/Popen`,
`asyncio.create_subprocess_exec`, `os.exec*`, `os.spawn*`, `os.posix_spawn*`
and OpenStack's `processutils.execute`/`utils.execute`. Values quoted with
`shlex.quote()` or reduced to numbers are fine.

## Why it matters
Passing a list to `subprocess` only prevents shell parsing when the program is not
a shell. With `sh -c`, the third element is a shell script: `;`, `|`, `$()` and
backticks inside an interpolated value start the attacker's own commands
(CWE-78), exactly as with `shell=True`.

## Example
```python
import subprocess

def archive(directory, name):
    subprocess.run(["sh", "-c", f"tar czf /backups/{name}.tgz {directory}"], check=True)
```

## Use instead
```python
import subprocess

def archive(directory, name):
    subprocess.run(["tar", "czf", f"/backups/{name}.tgz", directory], check=True)
```

## References
- CWE-78: Improper Neutralization of Special Elements used in an OS Command
- Python docs, subprocess "Security Considerations" and `shlex.quote()`
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value, trace_for
from secreview.analysis.values import argument, is_literal, literal_value
from secreview.model import Confidence, Severity
from secreview.rules._injection.verdict import analyze, describe
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR103",
    name="shell-wrapper-injection",
    title="Shell started with -c and a command built from non-literal values",
    cwe=78,
    type="cmdi",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Run the program directly with a list of arguments (no `sh -c`); if a shell feature is required, "
    "quote every interpolated value with shlex.quote().",
)
NODES = (ast.Call,)
# subprocess.*, os.exec*/spawn*/posix_spawn*, asyncio.create_subprocess_exec, execute()/trycmd().
NEEDS = ("subprocess", "exec", "spawn", "trycmd")

_LIST_AT = {
    "subprocess.run": 0,
    "subprocess.call": 0,
    "subprocess.check_call": 0,
    "subprocess.check_output": 0,
    "subprocess.Popen": 0,
    "os.execv": 1,
    "os.execve": 1,
    "os.execvp": 1,
    "os.execvpe": 1,
    "os.spawnv": 2,
    "os.spawnve": 2,
    "os.spawnvp": 2,
    "os.spawnvpe": 2,
    "os.posix_spawn": 1,
    "os.posix_spawnp": 1,
}
_VARARGS_FROM = {
    "asyncio.create_subprocess_exec": 0,
    "os.execl": 1,
    "os.execle": 1,
    "os.execlp": 1,
    "os.execlpe": 1,
    "os.spawnl": 2,
    "os.spawnle": 2,
    "os.spawnlp": 2,
    "os.spawnlpe": 2,
}
_VARARG_EXECUTORS = frozenset(
    {"execute", "trycmd"}
)  # oslo processutils / nova utils: execute("sh", "-c", ...)
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "csh", "tcsh", "mksh", "busybox"})
_WINDOWS = {"cmd": ("/c", "/k"), "powershell": ("-c", "-command"), "pwsh": ("-c", "-command")}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    elements: list[ast.expr] | None = None
    if name in _LIST_AT:
        elements = _elements(ctx, argument(node, _LIST_AT[name], "args" if _LIST_AT[name] == 0 else None))
    elif name in _VARARGS_FROM:
        elements = list(node.args[_VARARGS_FROM[name] :])
    elif name.rsplit(".", 1)[-1] in _VARARG_EXECUTORS and len(node.args) >= 3 and _shell_at(node.args, 0):
        elements = list(node.args)
    if not elements or any(isinstance(e, ast.Starred) for e in elements[:4]):
        return
    found = _command_index(elements)
    if found is None or found[1] >= len(elements) or isinstance(elements[found[1]], ast.Starred):
        return
    shell, index = literal_value(elements[found[0]]), found[1]
    verdict = analyze(ctx, elements[index], "shell")
    if verdict is None:
        return
    call = ".".join(name.split(".")[-2:])
    if verdict.source is not None:
        yield Hit(
            node,
            f"`{call}` runs a shell (`{shell}`) on a command containing {verdict.source.description}.",
            trace=trace_for(ctx, verdict.source, node, f"{call}([..., {shell!r}, cmd])"),
            confidence=Confidence.HIGH if verdict.strong else Confidence.MEDIUM,
        )
    elif verdict.how:
        yield Hit(
            node,
            f"`{call}` runs a shell (`{shell}`) on a command built with {verdict.how} from "
            f"{describe(verdict.unsafe[0], ctx)}, which the shell parses.",
            confidence=Confidence.MEDIUM,
        )


def _elements(ctx: FileContext, expr: ast.expr | None, depth: int = 3) -> list[ast.expr] | None:
    if isinstance(expr, (ast.List, ast.Tuple)):
        return list(expr.elts)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add) and depth > 0:
        left = _elements(ctx, expr.left, depth - 1)
        right = _elements(ctx, expr.right, depth - 1)
        return (
            left + (right if right is not None else [ast.Starred(value=expr.right)])
            if left is not None
            else None
        )
    if isinstance(expr, ast.Name) and depth > 0:
        value = reaching_value(ctx, expr)
        return _elements(ctx, value, depth - 1) if value is not None and value is not expr else None
    return None


def _shell_name(expr: ast.expr) -> str | None:
    value = literal_value(expr)
    if not isinstance(value, str):
        return None
    base = posixpath.basename(value.replace("\\", "/")).lower()
    base = base[:-4] if base.endswith(".exe") else base
    return base if base in _SHELLS or base in _WINDOWS else None


def _shell_at(args: list[ast.expr], index: int) -> bool:
    return _shell_name(args[index]) is not None and _command_index(args) is not None


def _command_index(elements: list[ast.expr]) -> tuple[int, int] | None:
    """Indexes of the shell and of the script it gets with -c (after literal wrappers such as sudo/env)."""
    for i, element in enumerate(elements[:6]):
        if not is_literal(element):
            return None
        shell = _shell_name(element)
        if shell is None:
            continue
        for j in range(i + 1, min(len(elements), i + 5)):
            option = literal_value(elements[j])
            if not isinstance(option, str) or not option.startswith(("-", "/")):
                break
            if shell in _WINDOWS:
                if option.lower() in _WINDOWS[shell]:
                    return i, j + 1
            elif not option.startswith("--") and "c" in option[1:] and option.startswith("-"):
                return i, j + 1
        return None
    return None
