"""The import contracts of pyproject.toml ([tool.importlinter]) hold on the package, and fail on planted violations.

`lint-imports` runs in a subprocess, the way .ci/run runs it; the graph is static (grimp parses the files,
nothing is imported). A planted violation is checked on a copy of the package in a temporary directory,
found first on PYTHONPATH, so the real tree is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from secreview.config import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "secreview"

pytest.importorskip("importlinter", reason="import-linter (the `test` extra, on Python >= 3.11) is not installed")

# `lint-imports` as a module call: the same command wherever the virtualenv puts its scripts
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def _lint_imports(project: Path, pythonpath: Path, *contracts: str) -> tuple[int, str]:
    """Exit code, and the report from its first contract line on (the banner and the file count vary).
    `contracts`: check only these ids (all when none)."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "NO_COLOR": "1", "COLUMNS": "200"}
    chosen = [arg for contract in contracts for arg in ("--contract", contract)]
    done = subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo", *chosen], cwd=project,
                          env=env, capture_output=True, text=True, timeout=300)
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Analyzed ")) + 3
    return done.returncode, "\n".join(line.rstrip() for line in lines[start:]).strip() + "\n"


def test_no_import_is_an_exception():
    # every known cycle is gone: a new one is fixed, not listed (`ignore_imports`)
    with (ROOT / "pyproject.toml").open("rb") as f:
        contracts = tomllib.load(f)["tool"]["importlinter"]["contracts"]
    assert [c["id"] for c in contracts if "ignore_imports" in c] == []


@pytest.fixture
def planted(tmp_path: Path):
    """A copy of the project (pyproject.toml and src/secreview) to edit: plant(module path, text to append,
    contract ids to check)."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(PACKAGE, tmp_path / "src" / "secreview", ignore=shutil.ignore_patterns("__pycache__"))

    def plant(module: str, text: str, *contracts: str) -> tuple[int, str]:
        path = tmp_path / "src" / "secreview" / module
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        return _lint_imports(tmp_path, tmp_path / "src", *contracts)

    return plant


KEPT = """\
secreview.analysis imports no rules, taint or llm KEPT
secreview.llm imports no rule modules or private rule helpers, and no benchmark KEPT
No import cycles between the modules and packages of secreview KEPT

Contracts: 3 kept, 0 broken.
"""


def test_contracts_hold_on_the_package():
    code, report = _lint_imports(ROOT, ROOT / "src")
    assert (code, report) == (0, KEPT)


def test_analysis_importing_rules_breaks_the_contract_and_makes_a_cycle(planted):
    line = len((PACKAGE / "analysis" / "values.py").read_text(encoding="utf-8").splitlines()) + 2
    # the llm contract breaks too (llm reaches analysis through the engine), by a chain of equally short
    # ones that varies from run to run: left out here, planted directly below
    code, report = planted("analysis/values.py", "\nimport secreview.rules  # planted\n",
                           "analysis-is-shared", "no-cycles")
    assert code == 1
    assert report == f"""\
secreview.analysis imports no rules, taint or llm BROKEN
No import cycles between the modules and packages of secreview BROKEN

Contracts: 0 kept, 2 broken.


----------------
Broken contracts
----------------

secreview.analysis imports no rules, taint or llm
-------------------------------------------------

secreview.analysis is not allowed to import secreview.rules:

-   secreview.analysis.values -> secreview.rules (l.{line})


No import cycles between the modules and packages of secreview
--------------------------------------------------------------

No cycles are allowed in secreview.
It could be made acyclic by removing 1 dependency:

- .analysis -> .rules (1 import)
"""


def test_llm_reaching_into_private_rule_helpers_breaks_the_contract(planted):
    line = len((PACKAGE / "llm" / "redact.py").read_text(encoding="utf-8").splitlines()) + 2
    code, report = planted("llm/redact.py", "\nfrom secreview.rules._access.secret_values import url_password\n")
    assert code == 1
    assert report == f"""\
secreview.analysis imports no rules, taint or llm KEPT
secreview.llm imports no rule modules or private rule helpers, and no benchmark BROKEN
No import cycles between the modules and packages of secreview KEPT

Contracts: 2 kept, 1 broken.


----------------
Broken contracts
----------------

secreview.llm imports no rule modules or private rule helpers, and no benchmark
-------------------------------------------------------------------------------

secreview.llm is not allowed to import secreview.rules:

-   secreview.llm.redact -> secreview.rules._access.secret_values (l.{line})
"""


def test_a_cycle_behind_type_checking_breaks_the_contract(planted):
    # llm/types.py is the leaf client and cache share; a cycle through it, hidden from Python by
    # TYPE_CHECKING, is still a cycle
    code, report = planted("llm/types.py", "\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                                           "    from secreview.llm.client import ChatClient  # noqa: F401\n")
    assert code == 1
    assert report == """\
secreview.analysis imports no rules, taint or llm KEPT
secreview.llm imports no rule modules or private rule helpers, and no benchmark KEPT
No import cycles between the modules and packages of secreview BROKEN

Contracts: 2 kept, 1 broken.


----------------
Broken contracts
----------------

No import cycles between the modules and packages of secreview
--------------------------------------------------------------

No cycles are allowed in secreview.llm.
It could be made acyclic by removing 1 dependency:

- .types -> .client (1 import)
"""


def test_the_rule_loader_reaching_into_the_taint_package_is_a_cycle(planted):
    # ruleset checks a taint rule's kinds against secreview.taint_kinds, a leaf; taint.rules runs rules
    # (the lazy import that was an exception until the kinds moved out of taint.spec)
    planted_import = "\n\ndef _kinds() -> None:\n    from secreview.taint import spec  # noqa: F401\n"
    code, report = planted("ruleset.py", planted_import, "no-cycles")
    assert code == 1
    assert report == """\
No import cycles between the modules and packages of secreview BROKEN

Contracts: 0 kept, 1 broken.


----------------
Broken contracts
----------------

No import cycles between the modules and packages of secreview
--------------------------------------------------------------

No cycles are allowed in secreview.
It could be made acyclic by removing 1 dependency:

- .taint -> .ruleset (1 import)
"""
