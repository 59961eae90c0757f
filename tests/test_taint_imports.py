"""The project phase's import graph, read from module texts without parsing them
(`secreview.taint.imports`): every form of import statement, dotted uses of imported
packages, and never fewer edges than the parsed imports give."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from secreview.analysis.context import FileContext
from secreview.taint.engine import imported_modules as parsed_imports
from secreview.taint.imports import absolute_name, modules_imported_by_text, resolve

KNOWN = {"app", "app.db", "app.db.engine", "app.views", "app.util", "app.util.text", "lib", "lib.sub", "lib.sub.deep",
         "other"}
PACKAGES = {"app", "app.db", "app.util", "lib", "lib.sub"}


def scan(text: str, module: str = "app.views", is_package: bool = False) -> set[str]:
    return modules_imported_by_text(text, module, is_package, KNOWN, PACKAGES)


@pytest.mark.parametrize(("text", "expected"), [
    ("import lib\n", {"lib"}),
    ("import lib.sub.deep as d\n", {"lib.sub.deep"}),
    ("import os, lib.sub\n", {"lib.sub"}),
    ("from app.db import engine\n", {"app.db.engine"}),
    ("from app.db import session\n", {"app.db"}),  # a name in a module, not a module
    ("from . import util\n", {"app.util"}),
    ("from .db import engine as e\n", {"app.db.engine"}),
    ("from .. import other\n", {"other"}),  # above the top package: taken from the root
    ("from .util.text import (\n    shorten,  # used below\n    wrap as w,\n)\n", {"app.util.text"}),
    ("from lib.sub import deep, \\\n    other_name\n", {"lib.sub.deep", "lib.sub"}),
    ("from other import *\n", {"other"}),
    ("x = 1; import other\n", {"other"}),
    ("def f():\n    if True:\n        from app.util import text\n", {"app.util.text"}),
    ("try:\n    import lib.sub as s\nexcept ImportError:\n    s = None\n", {"lib.sub"}),
    # a dotted use of an imported package reaches its submodule
    ("import lib\n\nlib.sub.deep.run()\n", {"lib", "lib.sub.deep"}),
    ("from app import db\n\ndb.engine.connect()\n", {"app.db", "app.db.engine"}),
    # comments are not imports; text that only looks like one in a string over-approximates
    ("# import other\nx = 1\n", set()),
    ('"""\nimport other\n"""\n', {"other"}),
    ("import app.views\n", set()),  # itself
])
def test_statement_forms(text: str, expected: set[str]) -> None:
    assert scan(text) == expected


def test_relative_imports_in_a_package_resolve_from_the_package_itself() -> None:
    assert scan("from . import engine\nfrom .. import views\n", module="app.db", is_package=True) == \
        {"app.db.engine", "app.views"}
    assert absolute_name("..util.text", "app.db.engine", False) == "app.util.text"
    assert absolute_name(".", "app.db", True) == "app.db"
    assert resolve(["app.util.text.shorten", ".engine"], "app.db", True, KNOWN) == {"app.util.text", "app.db.engine"}


SRC = Path(__file__).resolve().parents[1] / "src"


def test_never_fewer_edges_than_the_parsed_imports() -> None:
    """On secreview's own source (a real package with relative, absolute, nested and lazy
    imports), the text scan finds every project module the parsed imports name."""
    files = sorted(SRC.rglob("*.py"))
    names = {}
    for path in files:
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[path] = ".".join(parts)
    known = set(names.values())
    packages = {n.rsplit(".", i)[0] for n in known for i in range(1, n.count(".") + 1)}
    compared = 0
    for path, name in names.items():
        text = path.read_text(encoding="utf-8")
        ctx = FileContext(str(path), text, ast.parse(text))
        parsed = parsed_imports(ctx, name, known)
        scanned = modules_imported_by_text(text, name, path.name == "__init__.py", known, packages)
        assert parsed <= scanned, (name, parsed - scanned)
        compared += bool(parsed)
    assert compared > 100
