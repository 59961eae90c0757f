"""The taint fixtures: each directory of `tests/fixtures/taint/` is reviewed as ONE project
(its own root, several modules for cross-module flows) through `api.review`, and the taint
rules fire exactly on the `ruleid`/`todook` lines of every file (exact (path, line, rule)
sets). Then a few flows' traces are checked step by step, in the model, JSON and SARIF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES
from secreview import api
from secreview.config import Config
from secreview.markers import expected_lines, parse_markers
from secreview.report import render
from secreview.ruleset import load_rules, taint_rules

TAINT_DIR = FIXTURES / "taint"
CASES = sorted(p for p in TAINT_DIR.iterdir() if p.is_dir()) if TAINT_DIR.is_dir() else []
TAINT_NAMES = {r.meta.name for r in taint_rules(load_rules())}
ALL_NAMES = {r.meta.name for r in load_rules()}


def review_project(root: Path, paths: list[str] | None = None, **config) -> api.Report:
    # the cases live in this project's tests/ directory, but are reviewed as the projects they stand for
    config.setdefault("test_code", "keep")
    config.setdefault("project", False)
    return api.review(paths or ["."], Config(jobs=1, cache=False, **config), cwd=root)


def expected_and_named(root: Path) -> tuple[set[tuple[str, int, str]], set[str]]:
    expected: set[tuple[str, int, str]] = set()
    named: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        markers = parse_markers(path.read_text(encoding="utf-8"))
        shown = path.relative_to(root).as_posix()
        for name in {m.rule for m in markers}:
            named.add(name)
            expected |= {(shown, line, name) for line in expected_lines(markers, name)}
    return expected, named


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_fires_exactly_on_its_markers(case):
    expected, named = expected_and_named(case)
    assert named <= ALL_NAMES, f"markers name unknown rules: {sorted(named - ALL_NAMES)}"
    report = review_project(case)
    assert not report.errors, report.errors
    actual = {(f.path, f.line, f.name) for f in report.findings if f.name in named}
    missing, extra = sorted(expected - actual), sorted(actual - expected)
    assert not missing and not extra, f"{case.name}: missed {missing}, unexpected {extra}"


def test_fixtures_cover_every_sink_kind_with_200_annotated_lines():
    assert CASES, f"no taint fixtures under {TAINT_DIR}"
    lines: set[tuple[str, int]] = set()
    named: set[str] = set()
    for case in CASES:
        for path in case.rglob("*.py"):
            for marker in parse_markers(path.read_text(encoding="utf-8")):
                if marker.rule in TAINT_NAMES:
                    lines.add((path.as_posix(), marker.line))
                    named.add(marker.rule)
    assert len(lines) >= 200
    assert named == TAINT_NAMES, f"taint rules without fixtures: {sorted(TAINT_NAMES - named)}"


# -- traces -----------------------------------------------------------------------------------
# A project written here (not a fixture) so each step's line is known exactly.

VIEWS = '''\
from flask import Flask, request

from shop.db import find_user

app = Flask(__name__)


@app.route("/user")
def user():
    name = request.args["name"]
    label = "user:" + name
    return find_user(label)
'''

DB = '''\
import sqlite3


def find_user(label):
    query = f"SELECT * FROM users WHERE label = '{label}'"
    return sqlite3.connect("shop.db").execute(query).fetchall()


def find_user_safely(label):
    return sqlite3.connect("shop.db").execute("SELECT * FROM users WHERE label = ?", (label,)).fetchall()
'''


def write_shop(root: Path, views: str = VIEWS) -> Path:
    (root / "shop").mkdir()
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "views.py").write_text(views)
    (root / "shop" / "db.py").write_text(DB)
    return root


def sql_findings(report) -> list:
    return [f for f in report.findings if f.name == "sql-injection"]


def test_cross_module_flow_is_reported_at_the_helper_call_with_its_trace(tmp_path):
    report = review_project(write_shop(tmp_path))
    assert not report.errors, report.errors
    [finding] = sql_findings(report)
    assert (finding.path, finding.line, finding.rule, finding.cwe) == ("shop/views.py", 12, "SR113", 89)
    assert [(s.path, s.line) for s in finding.trace] == [
        ("shop/views.py", 10),  # source: request.args
        ("shop/views.py", 10),  # assigned to name
        ("shop/views.py", 11),  # label = "user:" + name
        ("shop/views.py", 12),  # passed to find_user()
        ("shop/db.py", 4),  # parameter of find_user
        ("shop/db.py", 5),  # query = f"..."
        ("shop/db.py", 6),  # sink: execute
    ]
    assert finding.trace[0].note.startswith("source") and finding.trace[-1].note.startswith("sink (sql)")
    lines = {"shop/views.py": VIEWS.splitlines(), "shop/db.py": DB.splitlines()}
    assert all(s.snippet == lines[s.path][s.line - 1].strip() for s in finding.trace)
    assert "find_user" in finding.message and "execute" in finding.message


SERVICE = '''\
import subprocess

from flask import request


class Archiver:
    def remember(self):
        self.target = request.args["dir"]

    def pack(self):
        subprocess.run("tar czf out.tgz " + self.target, shell=True)
'''


def test_self_attribute_flow_trace(tmp_path):
    (tmp_path / "service.py").write_text(SERVICE)
    report = review_project(tmp_path)
    assert not report.errors, report.errors
    [finding] = [f for f in report.findings if f.name == "remote-command-injection"]
    assert (finding.path, finding.line, finding.cwe) == ("service.py", 11, 78)
    steps = [(s.path, s.line) for s in finding.trace]
    assert steps[0] == ("service.py", 8) and steps[-1] == ("service.py", 11)
    assert finding.trace[-1].note.startswith("sink (command)")


def test_parameterised_helper_is_clean(tmp_path):
    report = review_project(write_shop(tmp_path, VIEWS.replace("find_user", "find_user_safely")))
    assert not report.errors, report.errors
    assert sql_findings(report) == []


def test_trace_is_carried_by_json_and_sarif(tmp_path):
    report = review_project(write_shop(tmp_path))
    [finding] = sql_findings(report)
    expected = [{"path": s.path, "line": s.line} for s in finding.trace]
    as_json = json.loads(render(report, "json"))
    [item] = [f for f in as_json["findings"] if f["rule"] == "SR113"]
    assert [{"path": s["path"], "line": s["line"]} for s in item["trace"]] == expected
    sarif = json.loads(render(report, "sarif"))
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "SR113"]
    locations = result["codeFlows"][0]["threadFlows"][0]["locations"]
    got = [{"path": loc["location"]["physicalLocation"]["artifactLocation"]["uri"],
            "line": loc["location"]["physicalLocation"]["region"]["startLine"]} for loc in locations]
    assert got == expected


def test_project_paths_supply_summaries_for_a_reviewed_subset(tmp_path):
    write_shop(tmp_path)
    alone = review_project(tmp_path, ["shop/views.py"], project=False)
    assert sql_findings(alone) == []  # --no-project: db.py is not part of the review, the helper is unknown
    with_project = api.review(["shop/views.py"], Config(jobs=1, cache=False), cwd=tmp_path, project=["."])
    assert [(f.path, f.line) for f in sql_findings(with_project)] == [("shop/views.py", 12)]
    (tmp_path / "setup.cfg").write_text("")  # the project around the file, found by itself
    scoped = api.review(["shop/views.py"], Config(jobs=1, cache=False), cwd=tmp_path)
    assert [(f.path, f.line) for f in sql_findings(scoped)] == [("shop/views.py", 12)]
    assert [f.path for f in scoped.findings] == ["shop/views.py"] * len(scoped.findings)  # reported: PATH only


def test_cache_reuses_unaffected_files_and_invalidates_importers(tmp_path):
    write_shop(tmp_path)
    (tmp_path / "shop" / "other.py").write_text("def ping():\n    return 'pong'\n")
    config = Config(jobs=1, cache=True, cache_dir=str(tmp_path / "cache"))
    cold = api.review(["."], config, cwd=tmp_path)
    assert [(f.path, f.line) for f in sql_findings(cold)] == [("shop/views.py", 12)]
    # The helper becomes safe: the importing view must be reviewed again, and its finding goes.
    unsafe = ('''query = f"SELECT * FROM users WHERE label = '{label}'"\n'''
              '''    return sqlite3.connect("shop.db").execute(query)''')
    safe = '''return sqlite3.connect("shop.db").execute("SELECT * FROM users WHERE label = ?", (label,))'''
    assert unsafe in DB
    (tmp_path / "shop" / "db.py").write_text(DB.replace(unsafe, safe))
    warm = api.review(["."], config, cwd=tmp_path)
    assert sql_findings(warm) == []
    assert not warm.errors


def test_summaries_are_cached_by_import_closure(tmp_path):
    from secreview.cache import ResultCache
    from secreview.source import discover
    from secreview.taint.layout import collect, module_roots
    from secreview.taint.project import build_phase

    write_shop(tmp_path)
    (tmp_path / "shop" / "other.py").write_text("def ping():\n    return 'pong'\n")

    def phase():
        files, _ = discover(["."], cwd=tmp_path)
        store = ResultCache(tmp_path / "cache")
        try:
            return build_phase(collect(files, module_roots(["."], tmp_path)), 2_000_000, store, "sig")
        finally:
            store.close()

    cold = phase()
    # Only modules another module imports are summarised by the phase: shop.db (views imports it).
    # shop, shop.views and shop.other are summarised by their own per-file review.
    assert cold.recomputed == 1
    views_deps = cold.dependency_hash("shop/views.py")
    assert phase().recomputed == 0
    (tmp_path / "shop" / "other.py").write_text("def ping():\n    return 'pong!'\n")
    warm = phase()
    assert warm.recomputed == 0  # nothing imports shop.other
    assert warm.dependency_hash("shop/views.py") == views_deps
    (tmp_path / "shop" / "db.py").write_text(DB + "\n")
    changed = phase()
    assert changed.recomputed == 1  # shop.db again
    # a trailing newline leaves db's summary as it was, so the view's cached result still holds
    assert changed.dependency_hash("shop/views.py") == views_deps


def test_a_module_that_does_not_parse_leaves_the_others_reviewed(tmp_path):
    write_shop(tmp_path)
    (tmp_path / "shop" / "broken.py").write_text("def oops(:\n    pass\n")
    report = review_project(tmp_path)
    assert [(e.path, e.kind) for e in report.errors] == [("shop/broken.py", "syntax")]
    assert [(f.path, f.line) for f in sql_findings(report)] == [("shop/views.py", 12)]


def test_modules_of_an_import_cycle_keep_their_own_cached_summaries(tmp_path):
    (tmp_path / "views.py").write_text(
        "from flask import request\n\nimport helpers\n\n\ndef show():\n    return helpers.run(request.args['q'])\n\n\n"
        "def label():\n    return 'x'\n")
    (tmp_path / "helpers.py").write_text(
        "import os\n\nimport views\n\n\ndef run(arg):\n    return os.system('grep ' + arg + views.label())\n")
    config = Config(jobs=1, cache=True, cache_dir=str(tmp_path / "cache"))
    runs = [api.review(["."], config, cwd=tmp_path) for _ in range(2)]
    found = [[(f.path, f.line, f.name) for f in r.findings if f.name == "remote-command-injection"] for r in runs]
    assert found[0] == found[1] == [("views.py", 7, "remote-command-injection")]
