"""What kind of file is under review: a Django settings module (for development or not), a framework's
table of defaults; and what kind of configuration class holds a setting. Test code is defined once for
every rule and the engine in `secreview.analysis.code`."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePath

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.rules._access.vocabulary import split_words, word_set

_ACCESS_MODULE_ASSIGNMENTS: MemoKey[dict[str, list[ast.Assign | ast.AnnAssign]]] = MemoKey("access-module-assignments")

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

    return ctx.memo(_ACCESS_MODULE_ASSIGNMENTS, ctx.tree, compute)


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
    """A settings file meant for development or tests (settings/dev.py, test_settings.py ...), or a
    framework's table of defaults (django/conf/global_settings.py)."""
    return is_defaults_table(ctx) or bool(_DEV_FILES.match(_stem(ctx)))


def is_defaults_table(ctx: FileContext) -> bool:
    """A framework's table of default settings (django/conf/global_settings.py): it lists every
    setting's default, it does not choose one for a deployment."""
    return _stem(ctx) in ("global_settings", "default_settings", "defaults")


def _stem(ctx: FileContext) -> str:
    parts = PurePath(ctx.path.replace("\\", "/")).parts
    return (PurePath(parts[-1]).stem if parts else "").lower()


_PRODUCTION_WORDS = word_set("prod production live deploy deployment deployed release staging")
_DEVELOPMENT_WORDS = word_set("dev develop development local test tests testing debug ci sandbox")
_CONFIG_WORDS = word_set("config configuration conf settings setting")


def config_class(ctx: FileContext, node: ast.AST) -> str | None:
    """For a statement directly in a class body: "production" (a class named for production: `ProdConfig`,
    `LiveSettings`), "development" (`DevConfig`, `TestingSettings`), "config" (another configuration
    class: `Config`, `BaseSettings`); None outside a class body or in a class of another kind."""
    cls = ctx.enclosing_class(node)
    if cls is None or ctx.enclosing_function(node) is not None:
        return None
    words = set(split_words(cls.name))
    if words & _PRODUCTION_WORDS:
        return "production"
    if words & _DEVELOPMENT_WORDS:
        return "development"
    return "config" if words & _CONFIG_WORDS else None


def is_module_level(ctx: FileContext, node: ast.AST) -> bool:
    return ctx.enclosing_function(node) is None and ctx.enclosing_class(node) is None
