"""Temporary directory or file created and never cleaned up.

## What it flags
- `tempfile.mkdtemp()` bound to a local name that is never removed
  (`shutil.rmtree`), moved, registered for cleanup (`addCleanup`, `atexit`,
  `ExitStack.callback`), returned or stored; or removed only after calls that
  may raise, outside `finally` (low confidence);
- `fd, path = tempfile.mkstemp()` whose descriptor is never closed (`os.close`,
  or handed to `os.fdopen`) or whose file is never removed, renamed or handed on.

## Why it matters
Every call leaves a directory or file behind in the shared temporary area. A
service that does this per request fills the disk or the inode table; the
leftovers often hold the data that was processed (images, configs, keys) where
other local users may read it; and a leaked descriptor from `mkstemp()` counts
against the process's limit (CWE-459).

## Example
```python
import subprocess
import tempfile

def unpack(tarball):
    workdir = tempfile.mkdtemp()
    subprocess.check_call(["tar", "-xzf", tarball, "-C", workdir])
    return sorted(p for p in subprocess.check_output(["ls", workdir]).split())
```

## Use instead
```python
import subprocess
import tempfile

def unpack(tarball):
    with tempfile.TemporaryDirectory() as workdir:
        subprocess.check_call(["tar", "-xzf", tarball, "-C", workdir])
        return sorted(p for p in subprocess.check_output(["ls", workdir]).split())
```

## References
- CWE-459: Incomplete Cleanup
- Python docs, `tempfile.mkdtemp`, `tempfile.mkstemp`, `tempfile.TemporaryDirectory`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.resource_spec import Spec
from secreview.rules._lifetime.resource_verdict import describe, lifetime
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR422",
    name="temp-dir-not-removed",
    title="Temporary directory or file never cleaned up",
    cwe=459,
    type="leak",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Use `tempfile.TemporaryDirectory()` / `NamedTemporaryFile()` as a context manager, or remove the "
    "path (`shutil.rmtree`, `os.unlink`) and close the descriptor in a `finally:` block.",
)
NODES = (ast.Call,)
MKDTEMP_FIX = ("Use `tempfile.TemporaryDirectory()` as a context manager, or remove the directory with "
               "`shutil.rmtree(path)` in a `finally:` block.")
MKSTEMP_FIX = ("Close the descriptor (`os.close(fd)`, or `os.fdopen(fd)` in a `with`) and remove the file "
               "(`os.unlink(path)`) in a `finally:` block, or use `tempfile.NamedTemporaryFile()` as a context "
               "manager.")

# Calls that only read or use a path (they neither remove it nor keep it).
_PATH_USERS = (
    "os.",
    "shutil.",
    "subprocess.",
    "glob.",
    "tarfile.",
    "zipfile.",
    "builtins.",
    "io.",
    "json.",
    "codecs.",
    "fnmatch.",
    "filecmp.",
    "tempfile.",
    "gzip.",
    "bz2.",
    "lzma.",
    "zipfile.ZipFile",
    "logging.",
    "sys.",
)
_PATH_ALIASES = frozenset(
    {
        "pathlib.Path",
        "pathlib.PurePath",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.normpath",
        "os.fspath",
        "builtins.str",
        "py.path.local",
    }
)


def _rm_command(ctx: FileContext, call: ast.Call) -> bool:
    """`subprocess.call(["rm", "-rf", d])` / `os.system("rm -rf %s" % d)` removes it too."""
    name = ctx.call_name(call) or ""
    if not name.startswith(("subprocess.", "os.system", "os.popen")) or not call.args:
        return False
    first = call.args[0]
    head = first.elts[0] if isinstance(first, (ast.List, ast.Tuple)) and first.elts else first
    if isinstance(head, ast.BinOp):
        head = head.left
    if isinstance(head, ast.JoinedStr) and head.values:
        head = head.values[0]
    return (
        isinstance(head, ast.Constant)
        and isinstance(head.value, str)
        and head.value.split(" ")[0] in ("rm", "/bin/rm", "rmdir")
    )


_DIR = Spec(
    "directory",
    release_methods=frozenset({"cleanup"}),
    release_funcs=frozenset(
        {"shutil.rmtree", "shutil.move", "os.rename", "os.replace", "os.renames", "os.rmdir", "os.removedirs"}
    ),
    borrower_prefixes=_PATH_USERS,
    aliases=_PATH_ALIASES,
    release_check=_rm_command,
    verb="removed",
)
_FILE = Spec(
    "file",
    release_methods=frozenset(),
    release_funcs=frozenset(
        {"os.remove", "os.unlink", "os.rename", "os.replace", "os.renames", "shutil.move", "shutil.rmtree"}
    ),
    borrower_prefixes=_PATH_USERS,
    aliases=_PATH_ALIASES,
    release_check=_rm_command,
    verb="removed",
)
_FD = Spec(
    "descriptor",
    release_methods=frozenset(),
    release_funcs=frozenset({"os.close"}),
    borrower_prefixes=("os.", "fcntl."),
    verb="closed",
    takers=frozenset({"os.fdopen", "io.open", "builtins.open", "io.FileIO", "os.dup2"}),
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node)
    if name == "tempfile.mkdtemp":
        life = lifetime(ctx, node, _DIR)
        if life is None or life.verdict not in ("never", "error-only", "early-exit", "success-path"):
            return
        if life.verdict == "success-path" and _moved(ctx, life.release):
            return  # a staging directory renamed into place: leaving it behind on failure is the usual design
        low = life.verdict == "success-path"
        yield Hit(
            node,
            describe(life, "the directory from `tempfile.mkdtemp()`", _DIR),
            fix=MKDTEMP_FIX,
            severity=Severity.LOW if low else None,
            confidence=Confidence.LOW if low else None,
        )
    elif name == "tempfile.mkstemp":
        yield from _mkstemp(node, ctx)


def _moved(ctx: FileContext, use: ast.AST | None) -> bool:
    call = ctx.parent(use) if use is not None else None
    return isinstance(call, ast.Call) and (ctx.call_name(call) or "") in _MOVES


_MOVES = {"shutil.move", "os.rename", "os.replace", "os.renames"}


def _mkstemp(call: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    parent = ctx.parent(call)
    if not (
        isinstance(parent, ast.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Tuple)
        and len(parent.targets[0].elts) == 2
    ):
        return
    fd_target, path_target = parent.targets[0].elts
    # With `dir=` the caller picked where the file lives: often it is meant to stay (a log, a cache).
    keep = any(k.arg == "dir" for k in call.keywords) or len(call.args) >= 3
    problems = []
    for target, spec, what in (
        (fd_target, _FD, "the descriptor from `tempfile.mkstemp()`"),
        (path_target, _FILE, "the file from `tempfile.mkstemp()`"),
    ):
        if not isinstance(target, ast.Name) or (keep and spec is _FILE):
            continue
        life = lifetime(ctx, call, spec, name_override=(target.id, parent))
        if life is not None and life.verdict in ("never", "error-only", "early-exit"):
            problems.append(describe(life, what, spec))
    if problems:
        yield Hit(call, " ".join(problems), fix=MKSTEMP_FIX)
