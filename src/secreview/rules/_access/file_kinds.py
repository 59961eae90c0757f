"""What kind of file is under review: a Django settings module (for development or not). Test code is
defined once for every rule and the engine in `secreview.analysis.code`."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePath

from secreview.analysis.code import is_test_code
from secreview.analysis.context import FileContext

_SETTINGS_NAMES = {"INSTALLED_APPS", "MIDDLEWARE", "MIDDLEWARE_CLASSES", "ROOT_URLCONF", "WSGI_APPLICATION"}
_DEV_FILES = re.compile(
    r"^(dev|develop|development|local|local_settings|test|tests|testing|ci|debug)(_settings)?$"
)


def module_assignments(ctx: FileContext) -> dict[str, list[ast.Assign | ast.AnnAssign]]:
    """Module-level `NAME = value` statements by name (including those inside if/try blocks)."""

    def compute() -> dict[str, list[ast.Assign | ast.AnnAssign]]:
        table: dict[str, list[ast.Assign | ast.AnnAssign]] = {}
        for stmt in _module_statements(ctx.tree.body):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    table.setdefault(target.id, []).append(stmt)
        return table

    return ctx.memo("access-module-assignments", ctx.tree, compute)


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.Assign | ast.AnnAssign]:
    for stmt in body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            yield stmt
        elif isinstance(stmt, ast.If):
            yield from _module_statements(stmt.body)
            yield from _module_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _module_statements(stmt.body)


def is_settings_module(ctx: FileContext) -> bool:
    """A Django-style settings module: settings.py / settings/*.py, or one defining INSTALLED_APPS etc."""
    parts = PurePath(ctx.path.replace("\\", "/")).parts
    stem = PurePath(parts[-1]).stem if parts else ""
    if stem == "settings" or stem.endswith("_settings") or "settings" in parts[:-1]:
        return True
    return bool(_SETTINGS_NAMES & set(module_assignments(ctx)))


def is_dev_settings(ctx: FileContext) -> bool:
    """A settings file meant for development or tests (settings/dev.py, local_settings.py ...), or a
    framework's table of defaults (django/conf/global_settings.py)."""
    parts = PurePath(ctx.path.replace("\\", "/")).parts
    stem = (PurePath(parts[-1]).stem if parts else "").lower()
    if stem in ("global_settings", "default_settings", "defaults"):
        return True
    return bool(_DEV_FILES.match(stem)) or is_test_code(ctx)


def is_module_level(ctx: FileContext, node: ast.AST) -> bool:
    return ctx.enclosing_function(node) is None and ctx.enclosing_class(node) is None
