"""File or directory made writable by every user.

## What it flags
`os.chmod`, `os.lchmod`, `os.fchmod` and `Path.chmod` with a literal mode that
grants write permission to "others" (`0o777`, `0o666`, `0o646`,
`stat.S_IWOTH`, `stat.S_IRWXO`, or `st_mode | stat.S_IWOTH`), and
`os.umask()` with a mask that leaves write for others unmasked (`os.umask(0)`).
Directories with the sticky bit (`0o1777`, like /tmp) are fine, and so are
`0o755`/`0o644`. `os.mkdir`/`os.makedirs`/`os.open` modes are not flagged:
the process umask still applies to them.

A mode with write for the *group* (`0o520`, `0o660`, `0o775`) is flagged when the
file is one a privileged process runs or reads: the mode makes it executable (a
script, a hook a root daemon runs), or its path names one (`/etc/...`, `hook`,
`script`, `.sh`, `conf`, `sudoers`, `cron`, `systemd`, `health`/`check` scripts).
The same holds for a project helper that writes a file with a mode keyword
(`replace_file(path, text, file_mode=0o520)`, `write_file(..., mode=0o777)`).
The message spells the mode out (`r-x for the owner, -w- for the group, ---
for others`).

## Confidence
- high: write for others (`0o777`, `0o666`, `S_IWOTH`), or a umask that leaves it;
- medium: write for the group on an executable or a file whose path names a
  privileged configuration or script: who is in the group decides the harm, and the
  rule cannot see that.

## Why it matters
Any local user or compromised service can then replace a script, a config file
or a socket the program trusts, or plant data it will read back, which turns a
foothold into privilege escalation (CWE-732).

## Example
```python
import os

def install_hook(path, body):
    with open(path, "w") as f:
        f.write(body)
    os.chmod(path, 0o777)
```

## Use instead
```python
import os

def install_hook(path, body):
    with open(path, "w") as f:
        f.write(body)
    os.chmod(path, 0o755)
```

## References
- CWE-732: Incorrect Permission Assignment for Critical Resource
- Python docs, os.chmod and the stat module
"""

from __future__ import annotations

import ast
import re
import stat
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument, module_constant
from secreview.model import Confidence, Severity
from secreview.rules._access.file_modes import describe, literal_mode
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR205",
    name="permissive-file-permissions",
    title="World- or group-writable file permissions",
    cwe=732,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Grant write only to the owner (and the group if needed): 0o755 or 0o750 for directories and "
    "executables, 0o644 or 0o600 for files; keep the umask at 0o022 or stricter.",
    bandit=("B103",),
)
NODES = (ast.Call,)
# os.chmod / lchmod / fchmod, a path's `.chmod()`, os.umask, a writer helper given a mode.
NEEDS = ("chmod", "umask", "mode", "perms", "permissions")

_CHMOD = {"os.chmod": 1, "os.lchmod": 1, "os.fchmod": 1}
_MODE_KEYWORDS = {"mode", "file_mode", "perms", "permissions", "chmod"}
_WRITER = re.compile(r"write|replace|create|install|save|put|copy|chmod|dump")
_PRIVILEGED_PATH = re.compile(
    r"/etc/|hook|script|\.sh\b|\bconf|\.cfg|sudoers|cron|systemd|init\.d|/s?bin/|health|check",
    re.IGNORECASE,
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    if name in _CHMOD:
        mode_expr = argument(node, _CHMOD[name], "mode")
    elif name.endswith(".chmod") and isinstance(node.func, ast.Attribute) and len(node.args) == 1:
        mode_expr = argument(node, 0, "mode")  # pathlib.Path(...).chmod(mode)
    elif name == "os.umask":
        mask = _mode(argument(node, 0, "mask"), ctx)
        if mask is not None and not mask & stat.S_IWOTH and not _reads_umask(node, ctx):
            yield Hit(
                node,
                f"`os.umask({mask:#o})` lets every user write the files and directories created afterwards.",
            )
        return
    else:
        yield from _helper_mode(node, name, ctx)
        return
    mode = _mode(mode_expr, ctx)
    if mode is not None and mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
        yield Hit(node, f"`{name}` sets mode {mode:#o}, which lets every user write the file.")
        return
    if mode is not None and mode & stat.S_IWGRP and not mode & stat.S_ISVTX:
        what = _privileged(node, mode, ctx)
        if what:
            yield Hit(node, f"`{name}` sets mode {mode:#o} ({describe(mode)}) on {what}: every member of the "
                      "file's group can rewrite what a privileged process runs or reads.",
                      confidence=Confidence.MEDIUM)
        return
    if mode is None and mode_expr is not None and _adds_world_write(mode_expr, ctx):
        yield Hit(node, f"`{name}` adds write permission for others (`{ctx.segment(mode_expr)}`).")


def _helper_mode(node: ast.Call, name: str, ctx: FileContext) -> Iterator[Hit]:
    """A project helper that writes a file and sets its mode: `replace_file(path, text, file_mode=0o520)`."""
    last = name.rsplit(".", 1)[-1].lower()
    if not _WRITER.search(last):
        return
    for kw in node.keywords:
        if kw.arg not in _MODE_KEYWORDS:
            continue
        mode = _mode(kw.value, ctx)
        if mode is None or mode < 0o100 or mode > 0o7777 or not mode & (stat.S_IWGRP | stat.S_IWOTH):
            continue
        if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
            yield Hit(node, f"`{name}` writes the file with mode {mode:#o}, which lets every user write it.")
            return
        what = _privileged(node, mode, ctx)
        if what:
            yield Hit(node, f"`{name}` writes {what} with mode {mode:#o} ({describe(mode)}): every member of the "
                      "file's group can rewrite what a privileged process runs or reads.",
                      confidence=Confidence.MEDIUM)
        return


def _directory(node: ast.Call, ctx: FileContext) -> bool:
    """The chmod target is a directory: its name says so (`STATE_DIR`, `conf_dir`) or the enclosing
    function creates it with `os.mkdir`/`os.makedirs`."""
    name = ctx.call_name(node) or ""
    if name.endswith(".chmod") and name not in _CHMOD and isinstance(node.func, ast.Attribute):
        target: ast.AST | None = node.func.value  # Path(...).chmod(mode)
    else:
        target = node.args[0] if node.args else None
    text = ctx.segment(target) if target is not None else None
    if not text:
        return False
    if re.search(r"dir(ectory)?s?\b|_dir|dir_", text, re.IGNORECASE) and "+" not in text and "join" not in text:
        return True
    scope = ctx.enclosing_function(node) or ctx.tree
    return any(isinstance(sub, ast.Call) and (ctx.call_name(sub) or "") in ("os.mkdir", "os.makedirs")
               and sub.args and ctx.segment(sub.args[0]) == text for sub in ast.walk(scope))


def _privileged(node: ast.Call, mode: int, ctx: FileContext) -> str:
    """What makes a group-writable file matter: it is executable (a script, a hook), or its path names a
    system configuration or a script. "" when neither shows."""
    if _directory(node, ctx):
        return ""  # a shared directory: group write is how a group shares it, and x means traversal
    text = " ".join(ctx.segment(a) or "" for a in node.args)
    text += " " + " ".join(
        v.value for a in node.args for n in ast.walk(a) if isinstance(n, ast.Name)
        for v in [module_constant(ctx, n.id)] if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
        return "an executable file (a script or program)"
    found = _PRIVILEGED_PATH.search(text)
    return f"a file whose path says `{found.group(0)}`" if found else ""


def _reads_umask(node: ast.Call, ctx: FileContext) -> bool:
    """`old = os.umask(0); os.umask(old)`: the idiom that reads the current umask."""
    stmt = ctx.statement_of(node)
    if (
        not isinstance(stmt, ast.Assign)
        or len(stmt.targets) != 1
        or not isinstance(stmt.targets[0], ast.Name)
    ):
        return False
    parent = ctx.parent(stmt)
    body = next(
        (
            b
            for b in (getattr(parent, f, None) for f in ("body", "orelse", "finalbody"))
            if isinstance(b, list) and stmt in b
        ),
        None,
    )
    if body is None or body.index(stmt) + 1 >= len(body):
        return False
    after = body[body.index(stmt) + 1]
    call = after.value if isinstance(after, ast.Expr) else None
    return (
        isinstance(call, ast.Call)
        and ctx.call_name(call) == "os.umask"
        and len(call.args) == 1
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id == stmt.targets[0].id
    )


def _mode(expr: ast.AST | None, ctx: FileContext) -> int | None:
    return literal_mode(expr, ctx)


def _adds_world_write(expr: ast.AST | None, ctx: FileContext) -> bool:
    """`st.st_mode | stat.S_IWOTH`: an unknown mode or-ed with a literal that has o+w."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        for side in (expr.left, expr.right):
            value = _mode(side, ctx)
            if value is not None and value & stat.S_IWOTH:
                return True
        return _adds_world_write(expr.left, ctx) or _adds_world_write(expr.right, ctx)
    return False
