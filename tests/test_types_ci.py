"""The type checker CI runs (`.ci/run`: `mypy` with pyproject's `[tool.mypy]`) and what typing keeps true:
a planted error fails the run, the typed core has no `type: ignore`, memo keys are typed and never shared,
and the crashes the checker found stay fixed."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.engine import review_text
from secreview.ruleset import load_rules

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "secreview"
needs_mypy = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None, reason="mypy is not installed (it comes with `pip install -e '.[test]'`)"
)
# every module of taint/ is strict ("secreview.taint.*" in the config)
TAINT_STRICT = sorted(p.stem for p in (PACKAGE / "taint").glob("*.py") if p.stem != "__init__")
# The packages typed through: strict in [tool.mypy], and no `type: ignore` in them.
CORE = ("api", "engine", "overlap", "policy", "cache", "source", "config", "fingerprint", "markers", "memory",
        "suppress", "ruleindex", "ruledocs", "explain", "output", "cliargs", "__main__")
TYPED = [
    PACKAGE / "model.py",
    PACKAGE / "ruleset.py",
    PACKAGE / "taint_kinds.py",
    *(PACKAGE / f"{name}.py" for name in CORE),
    PACKAGE / "__init__.py",
    *sorted((PACKAGE / "analysis").rglob("*.py")),
    *sorted((PACKAGE / "rules").rglob("*.py")),
    *sorted((PACKAGE / "grammar").rglob("*.py")),
    *sorted((PACKAGE / "cwe").rglob("*.py")),
    PACKAGE / "taint" / "__init__.py",
    *(PACKAGE / "taint" / f"{name}.py" for name in TAINT_STRICT),
    # checked in the default mode, and their ignores are gone: the values they hid are checked now
    PACKAGE / "audit" / "truth.py",
    PACKAGE / "bench" / "datasets.py",
]


def _checked_copy(tmp_path: Path) -> Path:
    """The package and its pyproject.toml in a temporary tree: mypy reads the same config there."""
    shutil.copytree(PACKAGE, tmp_path / "src" / "secreview", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _mypy(root: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(root / ".mypy_cache"), *targets],
        cwd=root, capture_output=True, text=True, timeout=900,
    )


@needs_mypy
def test_mypy_fails_on_a_planted_violation_in_a_strict_package(tmp_path):
    root = _checked_copy(tmp_path)
    clean = _mypy(root, "src/secreview/analysis")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    words = root / "src" / "secreview" / "analysis" / "words.py"
    lines = words.read_text(encoding="utf-8").splitlines()
    planted = [*lines, 'planted: int = "s"', "", "", "def untyped(x):", "    return x", ""]
    words.write_text("\n".join(planted), encoding="utf-8")
    run = _mypy(root, "src/secreview/analysis")
    assert run.returncode == 1
    errors = [line for line in run.stdout.splitlines() if ": error: " in line]
    assert errors == [
        f'src/secreview/analysis/words.py:{len(lines) + 1}: error: Incompatible types in assignment '
        f'(expression has type "str", variable has type "int")  [assignment]',
        # only strict mode asks for annotations: analysis/ is strict
        f"src/secreview/analysis/words.py:{len(lines) + 4}: error: Function is missing a type annotation  "
        f"[no-untyped-def]",
    ]


def test_no_type_ignore_in_the_typed_packages():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in TYPED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"#\s*type:\s*ignore", line)
    ]
    assert found == []


def test_strict_modules_in_the_config_are_the_typed_packages():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    strict = text.split("# Strict: everything `--strict` checks, per module.", 1)[1].split("]", 1)[0]
    modules = re.findall(r'"(secreview[\w.*]*)"', strict)
    assert modules == [
        "secreview.model", "secreview.ruleset", "secreview.taint_kinds", *(f"secreview.{name}" for name in CORE),
        "secreview",
        "secreview.analysis.*", "secreview.rules.*", "secreview.grammar.*",
        "secreview.cwe.*", "secreview.taint", "secreview.taint.*",
    ]


def test_memo_keys_are_told_apart_by_identity_not_by_name():
    tree = ast.parse("x = 1\n")
    ctx = FileContext("m.py", "x = 1\n", tree)
    first: MemoKey[list[int]] = MemoKey("facts")
    second: MemoKey[str] = MemoKey("facts")  # the same name, another fact
    calls: list[str] = []

    def compute_first() -> list[int]:
        calls.append("first")
        return [1]

    assert ctx.memo(first, tree, compute_first) == [1]
    assert ctx.memo(first, tree, compute_first) == [1]  # cached: computed once
    assert ctx.memo(second, tree, lambda: "other") == "other"
    assert ctx.memo(first, tree.body[0], lambda: [2]) == [2]  # another node, another slot
    assert calls == ["first"]
    assert repr(first) == "MemoKey('facts')"


def test_a_long_bytes_pattern_is_shortened_in_its_redos_message():
    # `pattern[:57] + "..."` on bytes raised TypeError: the file was not reviewed (found by the type checker).
    pattern = 'rb"^(?:0123456789abcdef0123456789abcdef0123456789abcdef01234567)?(a+)+$"'
    source = f"import re\nHEADER = re.compile({pattern})\n"
    result = review_text("t.py", source, load_rules())
    assert result.errors == []
    assert [(f.line, f.name) for f in result.findings] == [(2, "redos-pattern")]
    assert result.findings[0].message.startswith(
        "`re.compile` pattern b'^(?:0123456789abcdef0123456789abcdef0123456789abcdef01234...' can backtrack")


def test_no_module_is_left_unchecked():
    # every module is checked, strictly or in the default mode: an exception would need a reason here
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "ignore_errors" not in text
