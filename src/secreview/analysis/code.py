"""Shared facts about code that every rule and the engine ask the same way. Today: what is test code.

Test code is defined here once, in two parts:
- by location (`is_test_path`): a `tests`/`test`/`testing`/... directory or a `conftest.py`. Which
  directories count depends on where the project starts: `/home/me/test/webapp/app.py` is not test
  code. The run policy (`secreview/policy.py`) asks it of the path below the project root
  (`secreview.paths.project_root`), as the engine, which sees display paths only, cannot;
- by content (`is_test_module`): a test-named module (`test_*.py`, `*_test.py`, `tests.py`) that holds
  tests. The engine records it on every finding of the file (`Finding.test_code`), a fact cached with
  the file's result;
- by scope (`test_scopes`): a `test*` function or a `Test*`/`*Tests`/`*TestCase` class (or a `TestCase`
  subclass) in any other module: the engine marks the findings inside it the same way.
The run's `test-code` setting decides what test code means for findings (demoted to low confidence by
default, or dropped): rules do not skip test code themselves, so one setting governs every rule.
"""

from __future__ import annotations

import ast
import functools
from pathlib import PurePath

from secreview.analysis.context import FileContext

TEST_DIRS = frozenset({"tests", "test", "testing", "unittests", "functional_tests"})
# A module importing one of these (or a module with `test`/`tests` in its dotted name) is a test module.
TEST_FRAMEWORKS = frozenset({"unittest", "pytest", "testtools", "oslotest", "mock", "nose", "hypothesis",
                             "testscenarios", "fixtures"})


@functools.lru_cache(maxsize=4096)
def is_test_path(path: str) -> bool:
    """Under a tests/ (or test/, testing/ ...) directory of the path as reported, or a conftest.py:
    test code by location alone."""
    parts = PurePath(path.replace("\\", "/")).parts
    name = parts[-1] if parts else ""
    return name == "conftest.py" or any(p in TEST_DIRS for p in parts[:-1])


def is_test_name(path: str) -> bool:
    """Named like a test module: test_*.py, *_test.py, tests.py, test.py."""
    name = PurePath(path.replace("\\", "/")).name
    return name.startswith("test_") or name.endswith("_test.py") or name in {"tests.py", "test.py"}


def is_test_module(ctx: FileContext) -> bool:
    """Test code by the file alone: a conftest.py, or a test-named module that holds tests."""
    name = PurePath(ctx.path.replace("\\", "/")).name
    return name == "conftest.py" or (is_test_name(ctx.path) and _looks_like_tests(ctx))


def is_test_source(path: str, text: str) -> bool:
    """`is_test_module` for a file not parsed yet (the LLM layer's): parsed only when its name says test."""
    if PurePath(path.replace("\\", "/")).name != "conftest.py" and not is_test_name(path):
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return is_test_module(FileContext(path, text, tree, frozenset()))


def _looks_like_tests(ctx: FileContext) -> bool:
    for target in ctx.imports.values():
        parts = target.lstrip(".").split(".")
        if parts[0] in TEST_FRAMEWORKS or "test" in parts or "tests" in parts:
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


def test_scopes(ctx: FileContext) -> tuple[tuple[int, int], ...]:
    """The line spans of tests defined in a module that is not itself test code: `test*` functions and
    `Test*`/`*Test`/`*Tests`/`*TestCase` classes or `TestCase` subclasses (fixed keys, disabled checks and
    crafted inputs are test vectors there)."""
    spans = []
    for node in ctx.tree_nodes():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            test = node.name.startswith("test")
        elif isinstance(node, ast.ClassDef):
            test = node.name.startswith("Test") or node.name.endswith(("Test", "Tests", "TestCase")) or any(
                (ctx.qualname(b) or "").endswith("TestCase") for b in node.bases)
        else:
            continue
        if test:
            spans.append((node.lineno, node.end_lineno or node.lineno))
    return tuple(spans)
