"""What kind of file is under review: test code, a Django settings module (for development or not)."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import PurePath

from secreview.analysis.context import FileContext
from secreview.rules._access.vocabulary import word_set

_TEST_DIRS = {"tests", "test", "testing", "unittests", "functional_tests"}
_TEST_MODULES = word_set(
    """
    unittest pytest testtools oslotest mock nose hypothesis testscenarios fixtures
    """
)


@functools.lru_cache(maxsize=4096)
def is_test_path(path: str) -> bool:
    """Under tests/ (or test/, testing/ ...), or a conftest.py: test code by location alone."""
    parts = PurePath(path.replace("\\", "/")).parts
    name = parts[-1] if parts else ""
    return name == "conftest.py" or any(p in _TEST_DIRS for p in parts[:-1])


def is_test_code(ctx: FileContext) -> bool:
    """Test code: by location (`is_test_path`), or a test_*.py / *_test.py / tests.py module that also
    looks like tests (imports a test framework or a `test` module, defines test_* functions or a TestCase).
    A file merely named test_*.py is not enough: snippets under review are often named that way."""
    # Asked for every node of several rules (a million times on Django): the answer is kept on the
    # context itself, cheaper than a memo lookup.
    known = ctx.__dict__.get("_access_test_code")
    if known is None:
        known = ctx.__dict__["_access_test_code"] = _is_test_module(ctx)
    return known


def _is_test_module(ctx: FileContext) -> bool:
    if is_test_path(ctx.path):
        return True
    name = PurePath(ctx.path.replace("\\", "/")).name
    if not (name.startswith("test_") or name.endswith("_test.py") or name in {"tests.py", "test.py"}):
        return False
    return _looks_like_tests(ctx)


def _looks_like_tests(ctx: FileContext) -> bool:
    for target in ctx.imports.values():
        parts = target.lstrip(".").split(".")
        if parts[0] in _TEST_MODULES or "test" in parts or "tests" in parts:
            return True
    for node in ctx.tree_nodes():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            return True
        if isinstance(node, ast.ClassDef) and (
            node.name.startswith("Test")
            or any((ctx.qualname(b) or "").endswith("TestCase") for b in node.bases)
        ):
            return True
    return False


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
