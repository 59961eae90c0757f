"""File or directory made writable by every user.

## What it flags
`os.chmod`, `os.lchmod`, `os.fchmod` and `Path.chmod` with a literal mode that
grants write permission to "others" (`0o777`, `0o666`, `0o646`,
`stat.S_IWOTH`, `stat.S_IRWXO`, or `st_mode | stat.S_IWOTH`), and
`os.umask()` with a mask that leaves write for others unmasked (`os.umask(0)`).
Directories with the sticky bit (`0o1777`, like /tmp) are fine, and so are
`0o755`/`0o644`. `os.mkdir`/`os.makedirs`/`os.open` modes are not flagged:
the process umask still applies to them.

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
import stat
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import argument, module_constant
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR205",
    name="permissive-file-permissions",
    title="World-writable file permissions",
    cwe=732,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Grant write only to the owner (and the group if needed): 0o755 or 0o750 for directories and "
    "executables, 0o644 or 0o600 for files; keep the umask at 0o022 or stricter.",
    bandit=("B103",),
)
NODES = (ast.Call,)
# os.chmod / lchmod / fchmod, a path's `.chmod()`, os.umask.
NEEDS = ("chmod", "umask")

_CHMOD = {"os.chmod": 1, "os.lchmod": 1, "os.fchmod": 1}
_STAT = {
    name: value for name in dir(stat) if name.startswith("S_I") and type(value := getattr(stat, name)) is int
}


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
        return
    mode = _mode(mode_expr, ctx)
    if mode is not None and mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
        yield Hit(node, f"`{name}` sets mode {mode:#o}, which lets every user write the file.")
        return
    if mode is None and _adds_world_write(mode_expr, ctx):
        yield Hit(node, f"`{name}` adds write permission for others (`{ctx.segment(mode_expr)}`).")


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


def _mode(expr: ast.AST | None, ctx: FileContext, depth: int = 0) -> int | None:
    """The integer value of a literal mode built from ints and `stat.S_I*` constants."""
    if expr is None or depth > 6:
        return None
    if isinstance(expr, ast.Constant) and type(expr.value) is int:
        return expr.value
    if isinstance(expr, (ast.Attribute, ast.Name)):
        qual = ctx.qualname(expr) or ""
        if qual.startswith("stat.") and qual[5:] in _STAT:
            return _STAT[qual[5:]]
        if isinstance(expr, ast.Name):
            value = (
                reaching_value(ctx, expr) if ctx.enclosing_function(expr) else module_constant(ctx, expr.id)
            )
            return _mode(value, ctx, depth + 1) if value is not None else None
        return None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.BitOr, ast.Add, ast.BitAnd)):
        left, right = _mode(expr.left, ctx, depth + 1), _mode(expr.right, ctx, depth + 1)
        if left is None or right is None:
            return None
        return left & right if isinstance(expr.op, ast.BitAnd) else left | right
    return None


def _adds_world_write(expr: ast.AST | None, ctx: FileContext) -> bool:
    """`st.st_mode | stat.S_IWOTH`: an unknown mode or-ed with a literal that has o+w."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        for side in (expr.left, expr.right):
            value = _mode(side, ctx)
            if value is not None and value & stat.S_IWOTH:
                return True
        return _adds_world_write(expr.left, ctx) or _adds_world_write(expr.right, ctx)
    return False
