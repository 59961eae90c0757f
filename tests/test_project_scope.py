"""Reviews that see the project around what they review (issue 14): `scan PATH` learns from the
project that holds PATH, and `secreview diff` judges a changed view with its unchanged helpers and a
changed helper with its unchanged callers. `--no-project` gives the file-alone review."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from change_repo import Repo, diff

from secreview.cli import main

SQL = ("--select", "SR113")  # sql-injection, a taint rule: its findings carry the cross-module trace

HELPERS_SAFE = textwrap.dedent("""\
    def find_users(cur, term):
        sql = "SELECT id FROM users WHERE name = ?"
        cur.execute(sql, (term,))
        return cur.fetchall()
    """)
HELPERS = textwrap.dedent("""\
    def find_users(cur, term):
        sql = "SELECT id FROM users WHERE name = '%s'" % term
        cur.execute(sql)
        return cur.fetchall()
    """)
VIEWS_FIXED = textwrap.dedent("""\
    import sqlite3

    from flask import Flask, request

    from shop import helpers

    app = Flask(__name__)


    @app.route("/users")
    def users():
        cur = sqlite3.connect("db").cursor()
        return str(helpers.find_users(cur, "everyone"))
    """)
VIEWS = VIEWS_FIXED.replace('"everyone"', 'request.args["q"]')  # line 13: the client's value reaches the helper


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "cache"))


def _trace(data: dict) -> list[tuple[str, int]]:
    (finding,) = data["findings"]
    return [(step["path"], step["line"]) for step in finding["trace"]]


CROSS_MODULE_TRACE = [("shop/views.py", 13), ("shop/views.py", 13), ("shop/helpers.py", 1), ("shop/helpers.py", 2),
                      ("shop/helpers.py", 3)]


# --- scan PATH -------------------------------------------------------------------------------------

def _project(root: Path, helpers: str = HELPERS, views: str = VIEWS) -> Path:
    (root / "shop").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "helpers.py").write_text(helpers)
    (root / "shop" / "views.py").write_text(views)
    return root


def _scan(capsys, *args: str) -> tuple[int, dict]:
    code = main(["scan", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_scan_of_one_file_follows_the_flow_through_a_helper_in_another_module(tmp_path, capsys, monkeypatch):
    root = _project(tmp_path / "repo")
    monkeypatch.chdir(root)
    code, data = _scan(capsys, "shop/views.py", *SQL)
    assert code == 1
    assert [(f["path"], f["line"], f["rule"]) for f in data["findings"]] == [("shop/views.py", 13, "SR113")]
    assert _trace(data) == CROSS_MODULE_TRACE
    # only the named file is reported on (the helper is context) and counted
    assert data["stats"]["files"] == 1


def test_no_project_reviews_the_file_alone(tmp_path, capsys, monkeypatch):
    root = _project(tmp_path / "repo")
    monkeypatch.chdir(root)
    code, data = _scan(capsys, "shop/views.py", "--no-project", *SQL)
    assert code == 0 and data["findings"] == []


def test_project_named_on_the_command_line_and_in_pyproject(tmp_path, capsys, monkeypatch):
    root = _project(tmp_path / "repo", views=VIEWS.replace("from shop import helpers", "from lib import helpers"))
    (root / "lib").mkdir()
    (root / "shop" / "helpers.py").rename(root / "lib" / "helpers.py")
    (root / "lib" / "__init__.py").write_text("")
    (root / "pyproject.toml").unlink()  # no marker above: the reviewed package is its own project
    monkeypatch.chdir(root / "shop")
    code, data = _scan(capsys, "views.py", *SQL)
    assert code == 0 and data["findings"] == []  # `lib` is outside it
    code, data = _scan(capsys, "views.py", "--project", str(root), *SQL)
    helper = (root / "lib" / "helpers.py").as_posix()  # outside the working directory: shown whole
    assert code == 1 and _trace(data) == [("views.py", 13), ("views.py", 13), (helper, 1), (helper, 2), (helper, 3)]
    (root / "shop" / "pyproject.toml").write_text("[tool.secreview]\nproject = '..'\n")
    code, data = _scan(capsys, "views.py", *SQL)
    assert code == 1 and len(data["findings"]) == 1


# --- secreview diff --------------------------------------------------------------------------------

@pytest.fixture
def repo(tmp_path) -> Repo:
    return Repo(tmp_path / "repo")


def _commit(repo: Repo, message: str, files: dict[str, str]) -> str:
    for path, text in files.items():  # real paths (`Repo.commit` reads `__` as `/`: no `__init__.py`)
        repo.write(path, text)
    return repo.commit(message)


def _base(repo: Repo, helpers: str, views: str) -> str:
    return _commit(repo, "base", {"shop/__init__.py": "", "shop/helpers.py": helpers, "shop/views.py": views,
                                  "pyproject.toml": "[project]\nname = 'shop'\n"})


def test_diff_of_a_view_follows_its_unchanged_helper(repo, capsys):
    _base(repo, HELPERS, VIEWS_FIXED)
    repo.write("shop/views.py", VIEWS)
    code, found, data = diff(capsys, "--root", str(repo.root), *SQL)
    assert code == 1 and found == [("shop/views.py", 13, "SR113")]
    assert _trace(data) == CROSS_MODULE_TRACE
    code, found, _ = diff(capsys, "--root", str(repo.root), "--no-project", *SQL)
    assert code == 0 and found == []  # the view alone does not know what the helper does


def test_diff_of_a_helper_is_judged_with_its_unchanged_caller(repo, capsys):
    _base(repo, HELPERS_SAFE, VIEWS)
    repo.write("shop/helpers.py", HELPERS)
    code, found, data = diff(capsys, "--root", str(repo.root), *SQL)
    # reported where the client's value enters, in the unchanged view: its trace runs through changed lines
    assert code == 1 and found == [("shop/views.py", 13, "SR113")]
    assert _trace(data) == CROSS_MODULE_TRACE
    assert [f["path"] for f in data["change"]["files"]] == ["shop/helpers.py"]
    code, found, _ = diff(capsys, "--root", str(repo.root), "--no-project", *SQL)
    assert code == 0 and found == []


def test_a_caller_untouched_by_the_change_reports_nothing_of_its_own(repo, capsys):
    # the view already had a flow through another helper: the change to `helpers` does not make it new
    other = "def run(cur, text):\n    cur.execute(text)\n"
    views = VIEWS.replace("from shop import helpers", "from shop import helpers, other") + (
        "\n\n@app.route('/raw')\ndef raw():\n    cur = sqlite3.connect('db').cursor()\n"
        "    other.run(cur, request.args['q'])\n")
    _commit(repo, "base", {"shop/__init__.py": "", "shop/helpers.py": HELPERS_SAFE, "shop/views.py": views,
                           "shop/other.py": other})
    repo.write("shop/helpers.py", HELPERS)
    code, found, _ = diff(capsys, "--root", str(repo.root), *SQL)
    assert code == 1 and found == [("shop/views.py", 13, "SR113")]


def test_range_reads_the_project_from_git_objects(repo, capsys):
    base = _base(repo, HELPERS_SAFE, VIEWS)
    head = _commit(repo, "helper", {"shop/helpers.py": HELPERS})
    for name in ("helpers.py", "views.py", "__init__.py"):
        (repo.root / "shop" / name).unlink()  # the working tree is not what a range reviews
    code, found, data = diff(capsys, "--root", str(repo.root), f"{base}..{head}", *SQL)
    assert code == 1 and found == [("shop/views.py", 13, "SR113")]
    assert _trace(data) == CROSS_MODULE_TRACE


def test_new_only_judges_the_base_in_its_own_project(repo, capsys):
    # the flow existed before the change (the helper was already vulnerable): nothing new
    _base(repo, HELPERS, VIEWS)
    repo.write("shop/helpers.py", HELPERS + "\n\ndef count(cur):\n    return len(find_users(cur, 'x'))\n")
    code, found, _ = diff(capsys, "--root", str(repo.root), "--new-only", *SQL)
    assert code == 0 and found == []


def test_an_unchanged_caller_that_does_not_parse_is_context_not_an_error(repo, capsys):
    _base(repo, HELPERS_SAFE, VIEWS)
    _commit(repo, "broken", {"shop/broken.py": "from shop import helpers\ndef f(:\n"})
    repo.write("shop/helpers.py", HELPERS)
    code, found, data = diff(capsys, "--root", str(repo.root), *SQL)
    assert code == 1 and found == [("shop/views.py", 13, "SR113")]
    assert data["errors"] == [] and data["complete"] is True


# --- constructor taint across modules ----------------------------------------------------------------

JOBS = textwrap.dedent("""\
    import subprocess


    class Job:
        def __init__(self, command, label="job"):
            self.command = command
            self.label = label

        def run(self):
            return subprocess.run(self.command, shell=True)

        def describe(self):
            return subprocess.run("logger " + self.label, shell=True)
    """)
JOB_VIEWS = textwrap.dedent("""\
    from flask import Flask, request

    from shop.jobs import Job

    app = Flask(__name__)


    @app.route("/run")
    def run():
        nightly = Job("backup --all", label=request.args["who"])
        nightly.run()
        job = Job(request.args["cmd"])
        job.describe()
        job.run()
        return "ok"
    """)


def test_a_constructor_called_in_another_module_taints_that_instance_only(tmp_path, capsys, monkeypatch):
    root = _project(tmp_path / "repo")
    (root / "shop" / "jobs.py").write_text(JOBS)
    (root / "shop" / "views.py").write_text(JOB_VIEWS)
    monkeypatch.chdir(root)
    code, data = _scan(capsys, "shop/views.py", "--select", "SR104")
    # `nightly` holds a constant command: its run() is no finding; its label is the client's, but
    # describe() is not called on it. `job` holds the client's command: its run() is; its describe() is not
    assert code == 1
    assert [(f["path"], f["line"], f["rule"]) for f in data["findings"]] == [("shop/views.py", 14, "SR104")]
    assert _trace(data) == [("shop/views.py", 12), ("shop/views.py", 12), ("shop/jobs.py", 5), ("shop/jobs.py", 6),
                            ("shop/views.py", 14), ("shop/jobs.py", 10), ("shop/jobs.py", 10)]
    code, data = _scan(capsys, "shop/views.py", "--select", "SR104", "--no-project")
    assert code == 0 and data["findings"] == []


# --- test directories under the default test-code policy -----------------------------------------

def test_scan_leaves_test_directories_out_but_learns_from_the_whole_project(tmp_path, capsys, monkeypatch):
    root = _project(tmp_path)
    (root / "tests").mkdir()
    (root / "tests" / "test_views.py").write_text(VIEWS)
    monkeypatch.chdir(root)
    code, data = _scan(capsys, ".", *SQL)
    assert code == 1 and [(f["path"], f["line"]) for f in data["findings"]] == [("shop/views.py", 13)]
    assert (data["stats"]["files"], data["stats"]["reviewed"], data["stats"]["skipped_test_code"]) == (4, 3, 1)
    code, data = _scan(capsys, ".", "--confidence", "low", *SQL)  # every finding shown: every file reviewed
    assert sorted((f["path"], f["line"], f["test_code"]) for f in data["findings"]) == [
        ("shop/views.py", 13, False), ("tests/test_views.py", 13, True)]
    assert data["stats"]["skipped_test_code"] == 0


def test_diff_does_not_review_changed_tests_or_callers_in_test_directories(repo, capsys):
    _commit(repo, "base", {"shop/__init__.py": "", "shop/helpers.py": HELPERS_SAFE, "tests/test_views.py": VIEWS,
                           "pyproject.toml": "[project]\nname = 'shop'\n"})
    repo.write("shop/helpers.py", HELPERS)
    code, found, data = diff(capsys, "--root", str(repo.root), *SQL)
    # the helper's only caller is a test: its findings would be hidden, so it is not reviewed as context
    assert (code, found, data["stats"]["skipped_test_code"]) == (0, [], 0)
    code, found, _ = diff(capsys, "--root", str(repo.root), "--confidence", "low", *SQL)
    assert (code, found) == (1, [("tests/test_views.py", 13, "SR113")])
    repo.commit("helpers")
    repo.write("tests/test_views.py", VIEWS + "\n# more\n")
    code, found, data = diff(capsys, "--root", str(repo.root), *SQL)
    assert (code, found, data["stats"]["skipped_test_code"], data["stats"]["reviewed"]) == (0, [], 1, 0)
