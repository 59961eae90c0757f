"""File path built from request data opened, sent or deleted without a containment check.

## What it flags
With data flow (the taint part): data from a network client or a socket that
reaches a `path` sink of the taint specs, followed through assignments, helpers in
other modules and attributes of `self`, reported with its trace. Where the specs name
the sink call, data flow decides; the pattern part below speaks for the rest.

`open()`/`io.open`/`codecs.open`/`os.open`/`aiofiles.open`, `flask.send_file`,
Starlette/FastAPI `FileResponse`, `os.remove`/`os.unlink`/`shutil.rmtree`/
`shutil.copy*`/`os.rename`, and `pathlib.Path(...)` read/write/open/unlink, when
the path contains request data or a route parameter (followed through local
assignments and `os.path.join`) and the function neither reduces it to a file
name (`os.path.basename`, `werkzeug.utils.secure_filename`, `safe_join`) nor
checks containment (`realpath`/`abspath`/`resolve` plus `startswith`,
`commonpath`, `is_relative_to`, an allow-list `in` test). `send_from_directory`
is not flagged: it does the check itself. Paths from the command line or the
environment are not flagged either: that user already has the file system.

## Why it matters
A name such as `../../etc/passwd`, or an absolute path (which makes
`os.path.join` drop the base directory), lets the client read, overwrite or
delete any file the service can reach (CWE-22).

## Example
```python
import os

from flask import Flask, request, send_file

app = Flask(__name__)
UPLOADS = "/srv/uploads"

@app.route("/download")
def download():
    name = request.args["name"]
    return send_file(os.path.join(UPLOADS, name))
```

## Use instead
```python
from flask import Flask, request, send_from_directory

app = Flask(__name__)
UPLOADS = "/srv/uploads"

@app.route("/download")
def download():
    return send_from_directory(UPLOADS, request.args["name"])
```

## References
- CWE-22: Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')
- OWASP Path Traversal
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import Source, assignments, reaching_value, trace_for
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._access.function_facts import allowlist_test, calls_any, names_feeding, scope_of
from secreview.rules._access.guards import calls_named, dotdot_test, guarded, membership
from secreview.rules._access.vocabulary import word_set
from secreview.ruleset import Hit, Meta, TaintQuery
from secreview.taint.provenance import PATH_NEUTRAL_CALLS, web_source

META = Meta(
    code="SR210",
    name="path-traversal",
    title="File path from request data used without a containment check",
    cwe=22,
    type="access",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Serve files with send_from_directory/safe_join, or reduce the name with "
    "secure_filename()/basename(), "
    "or resolve the path (os.path.realpath) and verify it is inside the base directory (os.path.commonpath).",
    restates=("SR209",),
)
NODES = (ast.Call,)

# sink -> (argument positions, keyword names) holding paths
_SINKS = {
    "builtins.open": ((0,), ("file",)),
    "io.open": ((0,), ("file",)),
    "codecs.open": ((0,), ("filename",)),
    "os.open": ((0,), ("path",)),
    "aiofiles.open": ((0,), ("file",)),
    "flask.send_file": ((0,), ("path_or_file", "filename_or_fp")),
    "flask.helpers.send_file": ((0,), ()),
    "starlette.responses.FileResponse": ((0,), ("path",)),
    "fastapi.responses.FileResponse": ((0,), ("path",)),
    "os.remove": ((0,), ("path",)),
    "os.unlink": ((0,), ("path",)),
    "os.rmdir": ((0,), ("path",)),
    "shutil.rmtree": ((0,), ("path",)),
    "shutil.copy": ((0, 1), ("src", "dst")),
    "shutil.copyfile": ((0, 1), ("src", "dst")),
    "shutil.copy2": ((0, 1), ("src", "dst")),
    "shutil.move": ((0, 1), ("src", "dst")),
    "os.rename": ((0, 1), ("src", "dst")),
    "os.replace": ((0, 1), ("src", "dst")),
}
_PATH_METHODS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "touch"}
_CONTAINMENT = word_set(
    """
    commonpath commonprefix is_relative_to relative_to safe_join is_safe_path secure_filename basename
    """
)
_NORMALIZERS = {"realpath", "abspath", "resolve", "normpath"}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    paths: list[ast.expr] = []
    if name in _SINKS:
        positions, keywords = _SINKS[name]
        for i, position in enumerate(positions):
            value = argument(node, position, keywords[i] if i < len(keywords) else None)
            if value is not None:
                paths.append(value)
    elif isinstance(node.func, ast.Attribute) and node.func.attr in _PATH_METHODS:
        receiver = node.func.value
        if isinstance(receiver, ast.Call) and (ctx.call_name(receiver) or "") in (
            "pathlib.Path",
            "pathlib.PurePath",
        ):
            paths.extend(receiver.args)
    if not paths:
        return
    for path in paths:
        if _sanitized(ctx, node, path):
            continue
        source = web_source(ctx, path, PATH_NEUTRAL_CALLS)
        if source and not _single_segment(ctx, source):
            label = name.removeprefix("builtins.") or ctx.segment(node.func)
            yield Hit(
                node,
                f"`{label}` uses a path built from {source.description} with no check that it stays "
                "inside the intended directory.",
                trace=trace_for(ctx, source, node, f"{label}(path)"),
            )
            return


def _single_segment(ctx: FileContext, source: Source) -> bool:
    """A route parameter matched by a converter that cannot contain "/" (`<name>`, `{name}`, `<int:id>`)."""
    if not isinstance(source.node, ast.Name) or not source.description.startswith("the route parameter"):
        return False
    func = ctx.enclosing_function(source.node)
    name = source.node.id
    for deco in func.decorator_list if func else ():
        route = deco.args[0] if isinstance(deco, ast.Call) and deco.args else None
        if not (isinstance(route, ast.Constant) and isinstance(route.value, str)):
            continue
        key = re.escape(name)
        match = re.search(rf"<(?:(\w+)(?:\([^)]*\))?:)?{key}>|\{{{key}(?::(\w+))?\}}", route.value)
        if match:
            converter = match.group(1) or match.group(2) or ""
            return converter != "path"
    return False


def _sanitized(ctx: FileContext, node: ast.Call, path: ast.expr) -> bool:
    scope = scope_of(ctx, node)
    if calls_any(ctx, scope, _CONTAINMENT):
        return True
    if calls_any(ctx, scope, _NORMALIZERS) and calls_any(ctx, scope, {"startswith"}):
        return True
    if any(
        isinstance(sub, ast.Compare) and isinstance(sub.left, ast.Constant) and sub.left.value == ".."
        for sub in ast.walk(scope)
    ):
        return True  # `if ".." in name: abort(400)`
    return allowlist_test(ctx, scope, names_feeding(ctx, path))


def _taint_validated(call: ast.Call, arg: ast.AST, ctx: FileContext) -> bool:
    """A flow the taint engine found is dropped when a test on the same value guards the sink."""
    return _only_route_segments(ctx, call, arg) or guarded(
        ctx, call, arg, calls_named("startswith|commonpath|commonprefix|is_relative_to|relative_to|is_safe_path"),
        dotdot_test(), membership())


def _only_route_segments(ctx: FileContext, call: ast.Call, arg: ast.AST) -> bool:
    """Every variable part of the path is a route parameter whose converter cannot hold "/"
    (`<page>`, `{user}`, `<int:id>`), followed through local assignments: one path segment cannot
    climb out of the directory. Any other outside value (an import such as `request` read rather
    than called) keeps the flow."""
    func = ctx.enclosing_function(call)
    if func is None:
        return False
    params = {a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)}
    local = assignments(ctx, func)
    from_imported = {alias.asname or alias.name for stmt in ctx.tree.body if isinstance(stmt, ast.ImportFrom)
                     for alias in stmt.names}
    seen = False
    stack: list[tuple[ast.AST, int]] = [(arg, 3)]
    while stack:
        expr, depth = stack.pop()
        # a callee is not a path part (`os.path.join`), but an object imported by name and called
        # through (`request.args.get(...)`, `from flask import request`) is read: it stays in view
        callees = {id(n) for c in ast.walk(expr) if isinstance(c, ast.Call) for n in ast.walk(c.func)
                   if not (isinstance(n, ast.Name) and n is not c.func and n.id in from_imported)}
        for node in ast.walk(expr):
            if id(node) in callees or not isinstance(node, ast.Name) or not isinstance(node.ctx, ast.Load):
                continue
            if node.id in params and node.id not in local:
                if not _single_segment(ctx, Source(node, f"the route parameter `{node.id}`")):
                    return False
                seen = True
            elif node.id in local:
                value = reaching_value(ctx, node)
                if value is None or depth == 0:
                    return False
                stack.append((value, depth - 1))
            elif node.id in ctx.imports:
                return False  # `request.args[...]`: read from an imported object
    return seen


# The taint part: flows from these source kinds to these sink kinds, across functions and modules, with a
# trace (secreview/taint/README.md). `check` above stays for what data flow cannot see; where both report
# the same call, the traced finding is kept.
TAINT = TaintQuery(
    sources=frozenset({"remote_input", "socket_input"}),
    sinks=frozenset({"path"}),
    validated=_taint_validated,
)
