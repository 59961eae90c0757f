"""Temporary file created under a predictable name.

## What it flags
- `tempfile.mktemp()` (and Python 2's `os.tempnam`/`os.tmpnam`): they return a
  name that is only created later, by the caller;
- a file or directory created or written at a fixed or guessable path in a
  shared temporary directory: `open("/tmp/app.log", "w")`,
  `open(f"/tmp/{name}.json", "a")`, `os.path.join(tempfile.gettempdir(),
  "app.pid")` opened for writing, `os.open(...)` with `O_CREAT` and no
  `O_EXCL`, `os.makedirs("/tmp/cache")`, `shutil.copy(src, "/tmp/x")`,
  `logging.FileHandler("/tmp/x.log")`, `Path("/tmp/x").write_text(...)`.

Paths only read, paths opened with mode `"x"` (exclusive creation), and names
that contain a random part (`uuid4()`, `secrets`, `mkstemp()`/`mkdtemp()`
results) are not flagged.

## Why it matters
Every local user can write to `/tmp`. Whoever knows the name in advance can
create it first — as a symlink to a file the service can write (its config,
`/etc/passwd` when running as root), or as a file they own and can read or
change. The service then overwrites the target, leaks data to the attacker, or
reads attacker-controlled content (CWE-377).

## Example
```python
import json

def dump_state(state):
    with open("/tmp/agent-state.json", "w") as f:
        json.dump(state, f)
```

## Use instead
```python
import json
import os
import tempfile

def dump_state(state):
    fd, path = tempfile.mkstemp(prefix="agent-state-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
    return path
```

## References
- CWE-377: Insecure Temporary File
- Python docs, `tempfile.mktemp` (deprecated, "Use of this function may introduce a security hole")
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import literal_prefix, literal_value, opens_for_writing
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR402",
    name="insecure-temp-file",
    title="Temporary file with a predictable name",
    cwe=377,
    type="race",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Create temporary files with `tempfile.mkstemp()`, `NamedTemporaryFile()` or inside a "
    "`tempfile.mkdtemp()`/`TemporaryDirectory()` directory; never build names under /tmp yourself.",
    bandit=("B306", "B108"),
)
NODES = (ast.Call,)

_TMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/usr/tmp")
_NAME_ONLY = {
    "tempfile.mktemp": "returns a name that anyone can create before you do",
    "os.tempnam": "returns a predictable name",
    "os.tmpnam": "returns a predictable name",
}
# creators: qualified name -> index of the path argument (and its keyword)
_CREATORS = {
    "os.makedirs": (0, "name"),
    "os.mkdir": (0, "path"),
    "os.mkfifo": (0, "path"),
    "shutil.copy": (1, "dst"),
    "shutil.copy2": (1, "dst"),
    "shutil.copyfile": (1, "dst"),
    "shutil.copytree": (1, "dst"),
    "shutil.move": (1, "dst"),
    "os.symlink": (1, "dst"),
    "logging.FileHandler": (0, "filename"),
    "logging.handlers.RotatingFileHandler": (0, "filename"),
    "logging.handlers.WatchedFileHandler": (0, "filename"),
    "logging.handlers.TimedRotatingFileHandler": (0, "filename"),
    "os.mknod": (0, "path"),
}
_OPENERS = {"builtins.open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open"}
_PATH_METHODS = {"write_text", "write_bytes", "touch", "mkdir", "open", "symlink_to"}
_UNPREDICTABLE = (
    "uuid.",
    "secrets.",
    "random.",
    "os.urandom",
    "tempfile.mkstemp",
    "tempfile.mkdtemp",
    "tempfile.NamedTemporaryFile",
    "tempfile.TemporaryDirectory",
    "binascii.hexlify",
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    if name in _NAME_ONLY:
        if any(isinstance(n, ast.Constant) and "\\pipe\\" in str(n.value) for n in ast.walk(node)):
            return  # a Windows named-pipe address, not a file in a shared directory
        directory = next((k.value for k in node.keywords if k.arg == "dir"), None)
        private = directory is not None and not _is_tmp_dir(ctx, directory, 0)
        yield Hit(
            node,
            f"`{name}()` {_NAME_ONLY[name]}: another local user can create it first.",
            fix="Use `tempfile.mkstemp()` or `tempfile.NamedTemporaryFile(delete=False)`, which create "
            "the file atomically.",
            confidence=Confidence.LOW if private else None,  # `dir=` may be a private directory
        )
        return
    path, action = _created_path(ctx, node, name)
    if path is None:
        return
    where = _predictable_tmp(ctx, path)
    if where is None:
        return
    yield Hit(
        node,
        f"`{action}` {'creates' if 'mkdir' in action or 'makedirs' in action else 'writes'} "
        f"{where}, a predictable name in a world-writable directory.",
    )


def _created_path(ctx: FileContext, call: ast.Call, name: str) -> tuple[ast.expr | None, str]:
    if name in _OPENERS:
        if call.args and opens_for_writing(ctx, call, 1):
            return call.args[0], name.removeprefix("builtins.")
        return None, ""
    if name == "os.open":
        if (
            len(call.args) >= 2
            and "O_CREAT" in ast.dump(call.args[1])
            and "O_EXCL" not in ast.dump(call.args[1])
        ):
            return call.args[0], name
        return None, ""
    if name in _CREATORS:
        index, keyword = _CREATORS[name]
        arg = (
            call.args[index]
            if index < len(call.args)
            else next((k.value for k in call.keywords if k.arg == keyword), None)
        )
        return arg, name
    if isinstance(call.func, ast.Attribute) and call.func.attr in _PATH_METHODS:
        receiver = call.func.value
        if isinstance(receiver, ast.Name):
            receiver = reaching_value(ctx, receiver) or receiver
        if (
            isinstance(receiver, ast.Call)
            and (ctx.call_name(receiver) or "") in ("pathlib.Path", "pathlib.PosixPath")
            and receiver.args
        ):
            if call.func.attr == "open" and not opens_for_writing(ctx, call, 0):
                return None, ""
            return receiver.args[0], f"Path.{call.func.attr}"
    return None, ""




def _predictable_tmp(ctx: FileContext, path: ast.expr, depth: int = 0) -> str | None:
    """A description of the predictable temp path, or None."""
    if depth > 3:
        return None
    if isinstance(path, ast.Name):
        value = reaching_value(ctx, path)
        return _predictable_tmp(ctx, value, depth + 1) if value is not None else None
    if _has_random_part(ctx, path):
        return None
    if isinstance(path, ast.Call) and (ctx.call_name(path) or "") in ("os.path.join", "posixpath.join"):
        if not path.args:
            return None
        base = path.args[0]
        if _is_tmp_dir(ctx, base, depth) and len(path.args) > 1:
            return f"`{ctx.segment(path) or 'a path'}` under {_dir_label(ctx, base)}"
        return None
    prefix = literal_prefix(path)
    for tmp in _TMP_DIRS:
        if prefix.startswith(tmp + "/") and (
            len(prefix) > len(tmp) + 1 or not isinstance(path, ast.Constant)
        ):
            return f"`{ctx.segment(path) or prefix}`"
    return None


def _is_tmp_dir(ctx: FileContext, base: ast.expr, depth: int) -> bool:
    if isinstance(base, ast.Name):
        value = reaching_value(ctx, base)
        return value is not None and depth < 3 and _is_tmp_dir(ctx, value, depth + 1)
    if isinstance(base, ast.Call):
        return (ctx.call_name(base) or "") in ("tempfile.gettempdir", "tempfile.gettempdirb")
    literal = literal_value(base, ctx)
    return isinstance(literal, str) and literal.rstrip("/") in _TMP_DIRS


def _dir_label(ctx: FileContext, base: ast.expr) -> str:
    return f"`{ctx.segment(base)}`" if ctx.segment(base) else "the temporary directory"


def _has_random_part(ctx: FileContext, path: ast.expr) -> bool:
    for node in ast.walk(path):
        if isinstance(node, ast.Call) and (ctx.call_name(node) or "").startswith(_UNPREDICTABLE):
            return True
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            value = reaching_value(ctx, node)
            if (
                value is not None
                and value is not path
                and any(
                    isinstance(n, ast.Call) and (ctx.call_name(n) or "").startswith(_UNPREDICTABLE)
                    for n in ast.walk(value)
                )
            ):
                return True
    return False
