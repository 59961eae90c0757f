"""Who can write where a path lives, for toctou-file-check: a directory only this process writes
(`tempfile.mkdtemp()`), one a configuration option names (the service's own), one every user writes
(`/tmp`, `tempfile.gettempdir()`), and code that runs with more privilege than its callers (privsep)."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value

_PRIVATE_DIRS = frozenset({"tempfile.mkdtemp", "tempfile.TemporaryDirectory"})
_SHARED_DIRS = frozenset({"tempfile.gettempdir"})
_JOINS = frozenset({"os.path.join", "os.path.abspath", "os.path.realpath", "os.path.normpath",
                    "os.path.dirname", "pathlib.Path", "pathlib.PurePath"})  # fmt: skip
# Receivers of configuration options: oslo.config's CONF, a driver's `self.configuration`, `conf`, `settings`.
_CONFIG_ROOTS = frozenset({"CONF", "conf", "cfg", "configuration", "config", "settings"})


_SHARED_PREFIXES = ("/tmp/", "/var/tmp/", "/dev/shm/")


def privileged(ctx: FileContext, node: ast.AST) -> bool:
    """Code that runs with more privilege than its callers: an oslo.privsep entrypoint (`@ctx.entrypoint`) or
    a module of a `privsep` package."""
    if "privsep" in ctx.path.replace("\\", "/").split("/"):
        return True
    func = ctx.enclosing_function(node)
    for deco in getattr(func, "decorator_list", ()):
        target = deco.func if isinstance(deco, ast.Call) else deco
        if isinstance(target, ast.Attribute) and target.attr == "entrypoint":
            return True
    return False


def directory_kind(ctx: FileContext, path: ast.expr, depth: int = 4) -> str | None:
    """What the code says about the directory the checked path lives in: "mkdtemp" (made by
    `tempfile.mkdtemp()`, mode 0700: only this process writes there), "config" (named by a configuration
    option, such as oslo.config's `CONF.instances_path` or a driver's `self.configuration.x`: the service's
    own) or "shared" (`tempfile.gettempdir()`, `/tmp/...`: every user writes there)."""
    if depth < 0:
        return None
    if isinstance(path, ast.Constant) and isinstance(path.value, str):
        return "shared" if path.value.startswith(_SHARED_PREFIXES) or path.value in ("/tmp", "/var/tmp") else None
    if isinstance(path, ast.JoinedStr) and path.values:
        return directory_kind(ctx, path.values[0], depth - 1)
    if isinstance(path, ast.BinOp) and isinstance(path.op, (ast.Add, ast.Mod)):
        return directory_kind(ctx, path.left, depth - 1)
    if isinstance(path, ast.Name):
        value = reaching_value(ctx, path)
        return directory_kind(ctx, value, depth - 1) if value is not None else None
    if isinstance(path, ast.Attribute):
        if isinstance(path.value, ast.Call):  # TemporaryDirectory().name
            return directory_kind(ctx, path.value, depth - 1)
        names = []
        node: ast.expr = path
        while isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            names.append(node.id)
        return "config" if _CONFIG_ROOTS & set(names[1:]) else None
    if isinstance(path, ast.BinOp) and isinstance(path.op, ast.Div):  # Path(tmp) / "name"
        return directory_kind(ctx, path.left, depth - 1)
    if isinstance(path, ast.Call):
        name = ctx.call_name(path) or ""
        if name in _PRIVATE_DIRS:
            return "mkdtemp"
        if name in _SHARED_DIRS:
            return "shared"
        if name in _JOINS and path.args:
            return directory_kind(ctx, path.args[0], depth - 1)
    return None
