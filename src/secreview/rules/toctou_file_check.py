"""File-system check followed by an operation on the same path (TOCTOU).

## What it flags
An `if` whose test checks a path (`os.path.exists/isfile/isdir/islink/lexists`,
`os.access`, `Path.exists()/is_file()/is_dir()/is_symlink()`) and whose branch
then creates, writes, removes, renames or changes the permissions of the same
path (`os.makedirs`, `os.mkdir`, `os.remove`, `os.rename`, `os.chmod`,
`shutil.rmtree`/`copy`/`move`, `open(p, "w")`, `Path.mkdir()/unlink()/write_text()`
...). The finding is on the operation and names the check. When a branch of the
`if` always leaves the block (`if os.path.islink(p): return`, `if
os.path.exists(p): raise ...`), the operations after the `if` count too: the
check decides whether they run.

Not flagged: read-only opens after an existence check (a harmless race), and,
after an existence check, operations that handle the race themselves
(`exist_ok=True`, `missing_ok=True`, `ignore_errors=True`, a surrounding
`try/except OSError`, `contextlib.suppress`). After `os.access()` the operation
is flagged even then: the check itself is the flaw. Nor are paths under a directory
`tempfile.mkdtemp()` made in the same function (mode 0700: only this process can
put anything there).

Confidence: the race is an attack only when someone else can write where the
path lives and this code has something to lose to them. High after `os.access()`;
a read-only open after `os.access()` is reported too, at low confidence (medium in
privileged code), since it is an attack only where this code has more rights than
the user it asks for.
Medium for operations that act through a swapped-in symlink (opening for writing,
chmod/chown, a copy's destination) on a path in a directory every user can write
(`tempfile.gettempdir()`, `/tmp/...`) or in privileged code (an oslo.privsep
entrypoint, a `privsep` package). Low otherwise: operations the race can only make
fail (creating, removing or renaming the path), paths under a directory a
configuration option names (`CONF.instances_path`, `self.configuration.x`: the
service's own state), and paths nothing says another user can write to.

## Why it matters
Between the check and the use another process can create, delete or replace the
path — typically with a symlink to a file the service must not touch. The
operation then acts on a different object than the one checked: it overwrites
or chmods an attacker-chosen file, or crashes on `FileExistsError`/
`FileNotFoundError` (CWE-367). Services running as root on shared hosts (agents,
configuration tools) are the classic victims.

## Example
```python
import os

def ensure_state_dir(path):
    if not os.path.exists(path):
        os.makedirs(path)
    return path
```

## Use instead
```python
import os

def ensure_state_dir(path):
    os.makedirs(path, exist_ok=True)
    return path
```

## References
- CWE-367: Time-of-check Time-of-use (TOCTOU) Race Condition
- Python docs, `os.access` (the note on using it before `open()`), `os.makedirs(exist_ok=True)`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import opens_for_writing
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.path_owners import directory_kind, privileged
from secreview.rules._lifetime.scopes import walk_local, walk_stmts
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR401",
    name="toctou-file-check",
    title="File-system check and use of the same path can race (TOCTOU)",
    cwe=367,
    type="race",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    fix="Drop the check and let the operation decide atomically: `os.makedirs(p, exist_ok=True)`, "
    "`try: os.remove(p) except FileNotFoundError: pass`, `open(p, 'x')` for exclusive creation, "
    "and open first then check the open file instead of `os.access()`.",
)
NODES = (ast.If,)
# The last word of every check in _CHECKS and _PATH_CHECK_METHODS.
NEEDS = ("exists", "isfile", "isdir", "islink", "access", "is_file", "is_dir", "is_symlink")

_CHECKS = {
    "os.path.exists",
    "os.path.isfile",
    "os.path.isdir",
    "os.path.islink",
    "os.path.lexists",
    "os.access",
}
_PATH_CHECK_METHODS = {"exists", "is_file", "is_dir", "is_symlink"}
# operation -> (argument positions that name the path acted on, "keyword" names, fix hint)
_OPS: dict[str, tuple[tuple[int, ...], tuple[str, ...], str]] = {
    "os.makedirs": ((0,), ("name",), "use `os.makedirs(path, exist_ok=True)`"),
    "os.mkdir": ((0,), ("path",), "call `os.mkdir()` and catch `FileExistsError`"),
    "os.remove": ((0,), ("path",), "call it and catch `FileNotFoundError`"),
    "os.unlink": ((0,), ("path",), "call it and catch `FileNotFoundError`"),
    "os.rmdir": ((0,), ("path",), "call it and catch `FileNotFoundError`"),
    "os.removedirs": ((0,), ("name",), "call it and catch `OSError`"),
    "os.rename": ((0, 1), ("src", "dst"), "use `os.replace()` and handle `OSError`"),
    "os.replace": ((0, 1), ("src", "dst"), "call it and handle `OSError`"),
    "os.renames": ((0, 1), ("old", "new"), "call it and handle `OSError`"),
    "os.chmod": ((0,), ("path",), "open the file and use `os.fchmod()` on the descriptor"),
    "os.chown": ((0,), ("path",), "open the file and use `os.fchown()` on the descriptor"),
    "os.lchown": ((0,), ("path",), "call it and handle `OSError`"),
    "os.symlink": ((1,), ("dst",), "create it and catch `FileExistsError`"),
    "os.link": ((1,), ("dst",), "create it and catch `FileExistsError`"),
    "os.mkfifo": ((0,), ("path",), "create it and catch `FileExistsError`"),
    "shutil.rmtree": ((0,), ("path",), "use `shutil.rmtree(path, ignore_errors=True)` or catch the error"),
    "shutil.copy": ((1,), ("dst",), "copy without the check and handle `OSError`"),
    "shutil.copy2": ((1,), ("dst",), "copy without the check and handle `OSError`"),
    "shutil.copyfile": ((1,), ("dst",), "copy without the check and handle `OSError`"),
    "shutil.copytree": ((1,), ("dst",), "use `dirs_exist_ok=True` or handle `FileExistsError`"),
    "shutil.move": ((0, 1), ("src", "dst"), "move without the check and handle `OSError`"),
}
_OPENERS = {"builtins.open", "io.open", "codecs.open", "os.open"}
_PATH_OPS = {
    "mkdir": "use `mkdir(exist_ok=True)`",
    "rmdir": "call it and catch `FileNotFoundError`",
    "unlink": "use `unlink(missing_ok=True)`",
    "write_text": "open it with mode 'x' or handle the race",
    "write_bytes": "open it with mode 'x' or handle the race",
    "symlink_to": "catch `FileExistsError`",
    "hardlink_to": "catch `FileExistsError`",
    "rename": "use `replace()` and handle `OSError`",
    "chmod": "open it and use `os.fchmod()`",
    "touch": "use `touch(exist_ok=...)` without the check",
}
# Operations that act through a swapped-in symlink (writes, permission changes, link creation,
# a destination); creating or removing the checked path mostly ends in an exception.
_FOLLOWS_LINKS = {"open", "chmod", "chown", "copy", "copy2", "copyfile", "copytree", "write_text",
                  "write_bytes", "symlink", "link", "symlink_to", "hardlink_to"}  # fmt: skip
_RENAMES = {"os.rename", "os.replace", "os.renames", "shutil.move"}
_SAFE_KEYWORDS = {"exist_ok", "missing_ok", "ignore_errors", "dirs_exist_ok"}
_RACE_ERRORS = {"OSError", "IOError", "EnvironmentError", "FileExistsError", "FileNotFoundError",
                "Exception", "BaseException", "error", "PermissionError", "IsADirectoryError",
                "NotADirectoryError"}  # fmt: skip


def _f_ok(ctx: FileContext, call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else None
    return mode is not None and ctx.qualname(mode) == "os.F_OK"


def check(node: ast.If, ctx: FileContext) -> Iterator[Hit]:
    for check_call, path in _checks(ctx, node.test):
        key = ast.dump(path)
        # os.access(p, os.F_OK) only asks whether the path exists: judge it like exists().
        is_access = ctx.call_name(check_call) == "os.access" and not _f_ok(ctx, check_call)
        for op, label, hint, follows in _candidates(ctx, node, key, is_access):
            if not is_access and _handles_race(ctx, op, node):
                continue
            if isinstance(path, ast.Name) and _rebound(ctx, node, path.id, op):
                continue
            owner = directory_kind(ctx, path)
            if owner == "mkdtemp":
                continue  # a directory only this process can write: nobody can swap the path
            checked = ctx.segment(check_call) or "the check"
            writes = follows is not None
            severity = Severity.HIGH if is_access and writes else (Severity.MEDIUM if follows else Severity.LOW)
            why, confidence = "; the path can change in between.", Confidence.HIGH if is_access else None
            if is_access and not writes:
                # Reading what os.access() allowed: an attack only where this code has more rights than
                # the user it asks for (setuid, root helpers).
                why += " `os.access()` before opening is the flaw itself: open first and let the open decide."
                confidence = Confidence.MEDIUM if privileged(ctx, op) else Confidence.LOW
            elif is_access:
                why += " `os.access()` before using a path is the flaw itself."
            elif not follows:
                confidence = Confidence.LOW
                why = "; the path can change in between, which only makes the operation fail."
            elif owner == "config":
                confidence = Confidence.LOW
                why = "; the path can change in between (it is under a directory a configuration option names, " \
                      "normally writable by the service alone)."
            elif owner == "shared":
                why = "; the path is in a directory every user can write, so another user can swap it in between."
            elif privileged(ctx, op):
                why = "; the path can change in between, and this code runs with privileges (a privsep entrypoint)."
            else:
                confidence = Confidence.LOW  # nothing says another user can write where the path lives
            yield Hit(
                op,
                f"`{label}` acts on `{ctx.segment(path) or 'the path'}` checked by `{checked}` at line "
                f"{check_call.lineno}{why}",
                fix=f"Drop the check and {hint}.",
                severity=severity,
                confidence=confidence,
            )
            break


def _candidates(
    ctx: FileContext, node: ast.If, key: str, is_access: bool
) -> Iterator[tuple[ast.Call, str, str, bool | None]]:
    """Operations on the checked path in the `if`'s branches, then, when a branch always leaves the block
    (`if os.path.islink(p): return`, `if os.path.exists(p): raise ...`), in the statements after the `if`:
    the check decides whether they run. `follows` is None for a read-only open after `os.access()`."""
    yield from _operations(ctx, node.body + node.orelse, node, key, is_access)
    if not _can_leave(node):
        return
    parent = ctx.parent(node)
    if parent is None:
        return
    for _field, value in ast.iter_fields(parent):
        if isinstance(value, list) and any(v is node for v in value):
            rest = value[next(i for i, v in enumerate(value) if v is node) + 1:]
            yield from _operations(ctx, rest, parent, key, is_access)


_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def _can_leave(node: ast.If) -> bool:
    """A branch that always leaves the block (it ends with `return`/`raise`/`continue`/`break`): then the check
    decides whether the code after the `if` runs. A `raise` nested in a branch may answer something else
    (an error of a command run in between), and the code after the `if` runs on both outcomes of the check."""
    return any(branch and isinstance(branch[-1], _EXITS) for branch in (node.body, node.orelse))


def _checks(ctx: FileContext, test: ast.expr) -> Iterator[tuple[ast.Call, ast.expr]]:
    for node in walk_local(test) if not isinstance(test, ast.Call) else [test, *walk_local(test)]:
        if not isinstance(node, ast.Call):
            continue
        name = ctx.call_name(node)
        if name in _CHECKS and node.args:
            yield node, node.args[0]
        elif (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in _PATH_CHECK_METHODS
            and not node.args
            and _pathlike(node.func.value)
        ):
            yield node, node.func.value


def _pathlike(expr: ast.expr) -> bool:
    """A receiver that is a path object (a client's `fs.exists(p)` takes an argument: excluded)."""
    return isinstance(expr, (ast.Name, ast.Attribute, ast.Call, ast.BinOp))


def _operations(
    ctx: FileContext, stmts: list[ast.stmt], stop: ast.AST, key: str, is_access: bool = False
) -> Iterator[tuple[ast.Call, str, str, bool | None]]:
    """(call, label, fix hint, acts through links) for each operation on the checked path in `stmts`
    (under `stop`); after `os.access()` a read-only open too (acts through links: None)."""
    for inner in walk_stmts(stmts):
        if (
            isinstance(inner, ast.If)
            and inner is not stop
            and any(ast.dump(p) == key for _c, p in _checks(ctx, inner.test))
        ):
            continue  # a nested check of the same path reports its own operations
        if not isinstance(inner, ast.Call):
            continue
        if any(
            isinstance(a, ast.If)
            and a is not stop
            and any(ast.dump(p) == key for _c, p in _checks(ctx, a.test))
            for a in _ancestors_until(ctx, inner, stop)
        ):
            continue
        name = ctx.call_name(inner) or ""
        if name in _OPS:
            positions, names, hint = _OPS[name]
            args = [inner.args[i] for i in positions if i < len(inner.args)]
            args += [k.value for k in inner.keywords if k.arg in names]
            matched = [i for i, a in enumerate(args) if ast.dump(a) == key]
            if matched and not _safe_keyword(inner):
                follows = matched[-1] > 0 if name in _RENAMES else name.rsplit(".", 1)[-1] in _FOLLOWS_LINKS
                yield inner, name, hint, follows
        elif name in _OPENERS and inner.args and ast.dump(inner.args[0]) == key:
            if _writes(ctx, inner, name):
                hint = "open it with mode 'x' (exclusive create) or handle the race"
                yield inner, name.removeprefix("builtins."), hint, True
            elif is_access:
                yield inner, name.removeprefix("builtins."), "open it and handle `PermissionError`", None
        elif isinstance(inner.func, ast.Attribute) and ast.dump(inner.func.value) == key:
            method = inner.func.attr
            label = f"{ctx.segment(inner.func) or method}()"
            if method in _PATH_OPS and not _safe_keyword(inner):
                yield inner, label, _PATH_OPS[method], method in _FOLLOWS_LINKS
            elif method == "open" and _writes(ctx, inner, "pathlib"):
                yield inner, label, "open it with mode 'x' or handle the race", True


def _ancestors_until(ctx: FileContext, node: ast.AST, stop: ast.AST) -> Iterator[ast.AST]:
    for anc in ctx.ancestors(node):
        if anc is stop:
            return
        yield anc


def _safe_keyword(call: ast.Call) -> bool:
    return any(
        k.arg in _SAFE_KEYWORDS and not (isinstance(k.value, ast.Constant) and not k.value.value)
        for k in call.keywords
    )


def _writes(ctx: FileContext, call: ast.Call, name: str) -> bool:
    """Opened for writing/creating (not 'x', which is atomic exclusive creation)."""
    if name == "os.open":
        flags = call.args[1] if len(call.args) > 1 else None
        text = ast.dump(flags) if flags is not None else ""
        return (
            "O_CREAT" in text or "O_WRONLY" in text or "O_RDWR" in text or "O_TRUNC" in text
        ) and "O_EXCL" not in text
    return opens_for_writing(ctx, call, 0 if name == "pathlib" else 1)


def _handles_race(ctx: FileContext, op: ast.Call, stop: ast.If) -> bool:
    """Inside a try that catches OSError-like errors, or `with contextlib.suppress(...)` (around the
    operation or around the whole check)."""
    for anc in ctx.ancestors(op):
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            break
        if (
            isinstance(anc, ast.Try)
            and any(_catches_race(ctx, h) for h in anc.handlers)
            and any(any(n is op for n in ast.walk(s)) for s in anc.body)
        ):
            return True
        if isinstance(anc, (ast.With, ast.AsyncWith)) and any(
            isinstance(i.context_expr, ast.Call)
            and (ctx.call_name(i.context_expr) or "").endswith("suppress")
            for i in anc.items
        ):
            return True
    return False


def _catches_race(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((ctx.qualname(t) or "").rsplit(".", 1)[-1] in _RACE_ERRORS for t in types)


def _rebound(ctx: FileContext, node: ast.If, name: str, op: ast.Call) -> bool:
    """The path variable is assigned again between the check and the operation (in the branch, or in
    the statements after the `if`)."""
    scope = ctx.parent(node) or node
    for inner in walk_local(scope):
        if (
            isinstance(inner, ast.Name)
            and inner.id == name
            and isinstance(inner.ctx, ast.Store)
            and node.lineno <= inner.lineno <= op.lineno
        ):
            return True
    return False
