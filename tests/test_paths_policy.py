"""Excludes and per-file ignores with Ruff's documented semantics (issue 12, point 7), and the test-code
policy: findings in test code are kept but demoted, hidden unless asked for (point 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secreview.cli import main
from secreview.paths import PathPatterns, expand_braces, split_patterns

ROOT = Path("/repo")


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    # single-path patterns: any file or directory of that name, anywhere below the base
    ("migrations", "app/migrations/0001.py", True),
    ("migrations", "migrations.py", False),
    ("test_*.py", "pkg/tests/test_x.py", True),
    ("test_*.py", "pkg/x_test.py", False),
    ("build/", "build/lib/a.py", True),
    ("conftest.py", "a/b/conftest.py", True),
    # relative patterns: anchored at their base, `*` within one component, `**` across
    ("migrations/*", "migrations/0001.py", True),
    ("migrations/*", "app/migrations/0001.py", False),
    ("**/migrations/*", "app/migrations/0001.py", True),
    ("**/migrations/*", "migrations/0001.py", True),
    ("app/*.py", "app/x.py", True),
    ("app/*.py", "app/sub/x.py", False),
    ("app/*", "app/sub/x.py", True),  # `app/sub` matches, and everything in it
    ("app/**/*.py", "app/a/b/c.py", True),
    ("./app/x.py", "app/x.py", True),
    ("**/{tests,docs}/*", "pkg/docs/conf.py", True),
    ("**/{tests,docs}/*", "pkg/src/conf.py", False),
    ("src/gen_?.py", "src/gen_a.py", True),
    ("src/gen_[ab].py", "src/gen_c.py", False),
    ("/repo/app/*.py", "app/x.py", True),  # absolute: what config.load makes of a pyproject's pattern
    ("/elsewhere/*.py", "app/x.py", False),
])
def test_pattern_semantics(pattern, path, expected):
    assert PathPatterns([pattern], ROOT).matches(ROOT / path) is expected


def test_single_path_patterns_look_only_below_the_base():
    # a checkout that lives under a directory called build is not excluded by `build`
    assert not PathPatterns(["build"], Path("/home/me/build/repo")).matches(Path("/home/me/build/repo/a.py"))
    assert PathPatterns(["a.py"], Path("/x")).matches(Path("/elsewhere/a.py"))  # outside the base: the name


def test_splitting_and_braces():
    assert split_patterns("a/*,**/{tests,docs}/*;c") == ["a/*", "**/{tests,docs}/*", "c"]
    assert expand_braces("{a,b}/{c,d}.py") == ["a/c.py", "a/d.py", "b/c.py", "b/d.py"]


VULN = 'import os\n\n\ndef f(x):\n    os.system("rm -rf " + x)\n'
TEST_VULN = 'import os\nimport unittest\n\n\nclass T(unittest.TestCase):\n    def test_f(self, x="a"):\n' \
            '        os.system("rm -rf " + x)\n'


def _tree(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def _scan(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["scan", *argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _found(report: dict) -> list[tuple[str, int, str]]:
    return sorted((f["path"], f["line"], f["rule"]) for f in report["findings"])


def test_readme_exclude_of_migrations_anywhere(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {"app/migrations/0001.py": VULN, "app/views.py": VULN, "migrations/0002.py": VULN,
                            "pyproject.toml": '[tool.secreview]\nexclude = ["migrations"]\n'})
    monkeypatch.chdir(root)
    assert _found(_scan(capsys, ".")[1]) == [("app/views.py", 5, "SR101")]


def test_pyproject_patterns_are_anchored_at_its_directory(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {"app/gen/a.py": VULN, "app/gen/sub/b.py": VULN, "app/main.py": VULN,
                            "pyproject.toml": '[tool.secreview]\nexclude = ["app/gen/*.py"]\n'})
    monkeypatch.chdir(root / "app")  # run from below the pyproject: its patterns still mean the same files
    assert _found(_scan(capsys, ".")[1]) == [("gen/sub/b.py", 5, "SR101"), ("main.py", 5, "SR101")]
    # a command-line pattern is relative to the current directory, and replaces the configured ones
    assert _found(_scan(capsys, ".", "--exclude", "gen/*")[1]) == [("main.py", 5, "SR101")]
    assert _found(_scan(capsys, ".", "--exclude", "main.py")[1]) == [("gen/a.py", 5, "SR101"),
                                                                     ("gen/sub/b.py", 5, "SR101")]


def test_extend_exclude_adds_to_exclude(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {"a.py": VULN, "b.py": VULN, "c.py": VULN,
                            "pyproject.toml": '[tool.secreview]\nexclude = ["a.py"]\nextend-exclude = ["b.py"]\n'})
    monkeypatch.chdir(root)
    assert _found(_scan(capsys, ".")[1]) == [("c.py", 5, "SR101")]
    assert _found(_scan(capsys, ".", "--extend-exclude", "c.py")[1]) == []
    assert _found(_scan(capsys, ".", "--exclude", "c.py")[1]) == [("a.py", 5, "SR101")]  # b.py: still extended
    monkeypatch.setenv("SECREVIEW_EXTEND_EXCLUDE", "a.py")  # each layer extends the one below
    assert _found(_scan(capsys, ".", "--exclude", "c.py")[1]) == []


def test_named_files_are_excluded_too(tmp_path, monkeypatch, capsys):
    """pre-commit passes file names: an excluded file named on the command line is not reviewed."""
    root = _tree(tmp_path, {"app/migrations/0001.py": VULN,
                            "pyproject.toml": '[tool.secreview]\nexclude = ["migrations"]\n'})
    monkeypatch.chdir(root)
    code, report = _scan(capsys, "app/migrations/0001.py")
    assert (code, report["findings"], report["stats"]["files"]) == (0, [], 0)


def test_per_file_ignores(tmp_path, monkeypatch, capsys):
    pyproject = ('[tool.secreview]\ntest-code = "keep"\n[tool.secreview.per-file-ignores]\n'
                 '"scripts/*" = ["SR101"]\n"__init__.py" = ["cmdi"]\n')
    root = _tree(tmp_path, {"scripts/run.py": VULN, "pkg/__init__.py": VULN, "pkg/core.py": VULN,
                            "pyproject.toml": pyproject})
    monkeypatch.chdir(root)
    code, report = _scan(capsys, ".")
    assert (code, _found(report)) == (1, [("pkg/core.py", 5, "SR101")])
    assert report["stats"]["suppressed"] == 2
    # the command line's per-file-ignores replace the configured ones (as flake8's do)
    code, report = _scan(capsys, ".", "--per-file-ignores", "pkg/core.py:shell-command-injection")
    assert (code, _found(report)) == (1, [("pkg/__init__.py", 5, "SR101"), ("scripts/run.py", 5, "SR101")])


def test_per_file_ignores_with_an_unknown_rule_is_a_configuration_error(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {"a.py": VULN})
    monkeypatch.chdir(root)
    assert main(["scan", ".", "--per-file-ignores", "a.py:SR999"]) == 2
    assert "per-file-ignores 'a.py': unknown rule, prefix or type 'SR999'" in capsys.readouterr().err


def test_test_code_is_demoted_and_hidden_by_default(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {"app/core.py": VULN, "tests/test_core.py": TEST_VULN, "app/test_util.py": TEST_VULN,
                            "app/test_named_only.py": VULN,  # named like a test, but holds no test
                            "pyproject.toml": "[project]\nname = 'a'\n"})  # tests/ is a test directory of it
    monkeypatch.chdir(root)
    code, report = _scan(capsys, ".")
    assert (code, _found(report)) == (1, [("app/core.py", 5, "SR101"), ("app/test_named_only.py", 5, "SR101")])
    # tests/test_core.py is in a test directory: every finding there would be hidden, so it is not reviewed;
    # app/test_util.py is test code by its contents, known only once reviewed (its finding is hidden)
    stats = report["stats"]
    assert (stats["files"], stats["reviewed"], stats["skipped_test_code"]) == (4, 3, 1)
    assert (stats["filtered"], stats["filtered_test_code"]) == (1, 1)
    assert all(f["test_code"] is False for f in report["findings"])

    code, report = _scan(capsys, ".", "--confidence", "low")
    shown = {(f["path"], f["line"]): (f["confidence"], f["test_code"]) for f in report["findings"]}
    assert shown == {("app/core.py", 5): ("medium", False), ("app/test_named_only.py", 5): ("medium", False),
                     ("app/test_util.py", 7): ("low", True), ("tests/test_core.py", 7): ("low", True)}

    code, report = _scan(capsys, ".", "--confidence", "low", "--test-code", "drop")
    # dropped whatever the confidence: tests/test_core.py is not reviewed, app/test_util.py's finding is dropped
    stats = report["stats"]
    assert (len(report["findings"]), stats["filtered_test_code"], stats["skipped_test_code"]) == (2, 1, 1)

    code, report = _scan(capsys, ".", "--test-code", "keep")
    kept = {(f["path"], f["confidence"], f["test_code"]) for f in report["findings"]}
    assert ("tests/test_core.py", "medium", True) in kept and len(kept) == 4
    assert report["stats"]["skipped_test_code"] == 0



def test_default_text_summary_says_what_test_code_hid(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {"app/core.py": VULN, "tests/test_core.py": TEST_VULN, "app/test_util.py": TEST_VULN,
                            "pyproject.toml": "[project]\nname = 'a'\n"})
    monkeypatch.chdir(root)
    assert main(["scan", "."]) == 1
    out = capsys.readouterr().out
    assert "tests/test_core.py" not in out and "app/test_util.py" not in out
    assert "1 finding in test code hidden below medium confidence; --confidence low shows it" in out
    assert "1 file in test directories not reviewed: findings in test code are hidden below medium confidence;" \
           " --confidence low reviews them" in " ".join(out.replace("\u00a0", " ").split())


def test_per_file_ignores_may_name_rules_this_run_does_not_select(tmp_path, monkeypatch, capsys):
    pyproject = '[tool.secreview.per-file-ignores]\n"__init__.py" = ["SR4"]\n"scripts/*" = ["SR101", "cmdi"]\n'
    root = _tree(tmp_path, {"scripts/run.py": VULN, "app.py": VULN, "pyproject.toml": pyproject})
    monkeypatch.chdir(root)
    assert _found(_scan(capsys, ".", "--select", "SR101")[1]) == [("app.py", 5, "SR101")]
    assert _scan(capsys, ".", "--select", "crypto")[0] == 0


FLASK = ('from flask import Flask, request\nimport subprocess\n\napp = Flask(__name__)\n\n\n@app.route("/run")\n'
         'def run():\n    return str(subprocess.call(request.args["cmd"], shell=True))\n')


def test_a_directory_named_test_above_the_project_does_not_make_it_test_code(tmp_path, monkeypatch, capsys):
    """Wherever secreview runs from, /…/test/webapp/app.py of a project rooted at webapp/ is production code."""
    project = _tree(tmp_path / "test" / "webapp", {"app.py": FLASK, "pyproject.toml": "[project]\nname = 'w'\n",
                                                    "tests/test_app.py": FLASK})
    for cwd, target in ((project, "."), (tmp_path, "test/webapp"), (tmp_path.parent, str(project))):
        monkeypatch.chdir(cwd)
        code, report = _scan(capsys, target)
        assert code == 1, cwd
        assert [(Path(f["path"]).name, f["line"], f["rule"], f["test_code"]) for f in report["findings"]] == [
            ("app.py", 9, "SR104", False)]
        # tests/test_app.py is below the project root: test code, not reviewed (its findings would be hidden)
        assert (report["stats"]["skipped_test_code"], report["stats"]["reviewed"]) == (1, 1)


def test_outside_any_project_directories_do_not_make_test_code(tmp_path, monkeypatch, capsys):
    _tree(tmp_path / "tests", {"tool.py": VULN})  # no .git, pyproject.toml, setup.cfg or setup.py anywhere up
    if any((parent / marker).exists() for parent in tmp_path.parents
           for marker in (".git", "pyproject.toml", "setup.cfg", "setup.py")):
        pytest.skip("the temporary directory lies inside a project")
    monkeypatch.chdir(tmp_path)
    assert _found(_scan(capsys, "tests")[1]) == [("tests/tool.py", 5, "SR101")]  # better shown than hidden


def test_patterns_through_a_symlinked_project(tmp_path, monkeypatch, capsys):
    real = _tree(tmp_path / "real", {"scripts/run.py": VULN, "app.py": VULN,
                                     "pyproject.toml": '[tool.secreview.per-file-ignores]\n"scripts/*" = ["SR101"]\n'})
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    monkeypatch.chdir(tmp_path / "link")
    assert _found(_scan(capsys, str(tmp_path / "link" / "scripts"), "--confidence", "low")[1]) == []
    assert _found(_scan(capsys, ".")[1]) == [("app.py", 5, "SR101")]


def test_single_path_patterns_reach_files_outside_the_working_directory(tmp_path, monkeypatch, capsys):
    _tree(tmp_path / "svc", {"scripts/a.py": VULN, "b.py": VULN, "setup.py": ""})
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    found = _found(_scan(capsys, "../svc", "--per-file-ignores", "scripts:SR101")[1])
    assert found == [("../svc/b.py", 5, "SR101")]


def test_diff_takes_command_line_patterns_from_the_current_directory(tmp_path, monkeypatch, capsys):
    from change_repo import Repo

    repo = Repo(tmp_path / "repo")
    repo.commit("one", **{"sub__gen__x.py": "x = 1\n", "gen__x.py": "x = 1\n"})
    repo.write("sub/gen/x.py", VULN)
    repo.write("gen/x.py", VULN)
    monkeypatch.chdir(repo.root / "sub")
    code = main(["diff", "--exclude", "gen/*", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert (code, _found(report)) == (1, [("gen/x.py", 5, "SR101")])  # sub/gen/x.py is what `gen/*` means here


def test_baseline_records_what_the_thresholds_hide(tmp_path, monkeypatch, capsys):
    root = _tree(tmp_path, {"app/core.py": VULN, "tests/test_core.py": TEST_VULN, "setup.cfg": ""})
    monkeypatch.chdir(root)
    assert main(["baseline", "create", ".", "-o", "b.json"]) == 0
    recorded = json.loads((root / "b.json").read_text())["findings"]
    assert sorted((f["path"], f["line"]) for f in recorded) == [("app/core.py", 5), ("tests/test_core.py", 7)]
    capsys.readouterr()
    code, report = _scan(capsys, ".", "--baseline", "b.json", "--test-code", "keep")
    assert (code, report["findings"]) == (0, [])
