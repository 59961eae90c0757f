"""Exit codes (README "Exit codes"): 0 clean, 1 findings at or above --fail-on, 2 usage/config/internal
error or a review that did not finish. A review that could not finish never passes a CI gate unless the
user says so (`--allow-incomplete`, `allow-incomplete = true`)."""

from __future__ import annotations

import json
import subprocess

import pytest

from secreview.change.patch import image_from_hunks, parse_patch
from secreview.cli import main

VULN = 'import os\n\n\ndef f(x):\n    os.system("ls " + x)\n'


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_missing_path_is_a_usage_error_before_any_review(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.py").write_text(VULN)
    code, out, err = _run(capsys, "scan", "ok.py", "nonexistent_dir")
    assert code == 2
    assert out == ""  # nothing reviewed, nothing rendered
    assert err == "secreview: error: nonexistent_dir: no such file or directory\n"


def test_missing_path_for_baseline_create(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "baseline", "create", "nope", "-o", "b.json")
    assert (code, err) == (2, "secreview: error: nope: no such file or directory\n")
    assert not (tmp_path / "b.json").exists()


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("bad.py", b"def f(:\n", "syntax"),
    ("latin.py", b"# -*- coding: utf-8 -*-\nx = '\xff\xfe'\n", "decode"),
    ("nul.py", b"x = 1\x00\n", "nul-bytes"),
])
def test_a_file_that_cannot_be_reviewed_exits_2(tmp_path, monkeypatch, capsys, name, data, kind):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.py").write_text("x = 1\n")
    (tmp_path / name).write_bytes(data)
    code, out, err = _run(capsys, "scan", ".", "--format", "json")
    report = json.loads(out)
    assert code == 2
    assert (report["verdict"], report["complete"]) == ("incomplete", False)
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [(name, kind)]
    assert err == ("secreview: exit 2, the review is incomplete: 1 file could not be reviewed (see errors); "
                   "--allow-incomplete exits by the findings alone\n")
    code, _, err = _run(capsys, "scan", ".", "--allow-incomplete")
    assert (code, err) == (0, "")


def test_incomplete_wins_over_findings_and_exit_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vuln.py").write_text(VULN)
    (tmp_path / "bad.py").write_text("def f(:\n")
    assert _run(capsys, "scan", ".")[0] == 2
    assert _run(capsys, "scan", ".", "--exit-zero")[0] == 2  # --exit-zero is about findings, not failures
    assert _run(capsys, "scan", ".", "--allow-incomplete")[0] == 1
    assert _run(capsys, "scan", ".", "--allow-incomplete", "--exit-zero")[0] == 0
    (tmp_path / "bad.py").unlink()
    assert _run(capsys, "scan", ".")[0] == 1
    assert _run(capsys, "scan", ".", "--fail-on", "critical")[0] == 0


def test_allow_incomplete_from_pyproject_and_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text("def f(:\n")
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\nallow-incomplete = true\n")
    assert _run(capsys, "scan", ".")[0] == 0
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n")
    assert _run(capsys, "scan", ".")[0] == 2
    monkeypatch.setenv("SECREVIEW_ALLOW_INCOMPLETE", "1")
    assert _run(capsys, "scan", ".")[0] == 0


def test_empty_tree_is_not_called_clean(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    code, out, _ = _run(capsys, "scan", "docs")
    assert code == 0
    assert out.rstrip("\n").splitlines()[-1] == "No Python file was found; nothing was reviewed."


def test_baseline_create_of_an_incomplete_review_writes_the_file_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vuln.py").write_text(VULN)
    (tmp_path / "bad.py").write_text("def f(:\n")
    code, _, err = _run(capsys, "baseline", "create", ".", "-o", "b.json")
    assert code == 2
    assert "the baseline does not cover files that could not be reviewed: bad.py" in err
    assert len(json.loads((tmp_path / "b.json").read_text())["findings"]) == 1
    assert _run(capsys, "baseline", "create", ".", "-o", "b.json", "--allow-incomplete")[0] == 0


def _git(root, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(root), "PATH": "/usr/bin:/bin"})


def test_diff_without_python_changes_says_nothing_was_reviewed(tmp_path, monkeypatch, capsys):
    _git(tmp_path, "init", "-q")
    (tmp_path / "README.md").write_text("one\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "one")
    (tmp_path / "README.md").write_text("two\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "diff")
    assert code == 0
    assert out.rstrip("\n").splitlines()[-1] == "No Python file was changed; nothing was reviewed."
    assert "No security defects" not in out


# A hunk cut out of its file: it starts inside a dict literal opened above it and ends on a `def` header
# whose body is below it. The changed line (13) is what the review is for.
PARTIAL = ("--- a/app/util.py\n+++ b/app/util.py\n@@ -10,6 +10,7 @@ class Runner:\n"
           '                 "key": value,\n'
           '                 "other": 2,\n'
           "             }\n"
           "-        return data\n"
           '+        os.system("ls " + data)\n'
           "+        return data\n"
           " \n"
           "     def stop(self):\n")


def test_partial_hunk_is_repaired_not_called_python_2(tmp_path, monkeypatch, capsys):
    (fp,) = parse_patch(PARTIAL)
    image = image_from_hunks(fp.hunks, post=True).splitlines()
    assert image[12] == '        os.system("ls " + data)'  # line 13, where the patch put it
    # the dict's tail, whose opening is not in the patch, is blanked; a header on a blank line indents the rest
    assert image[9:12] == ["", "", "if True:"]
    assert image[15] == ""  # `def stop(self):`, whose body is below the hunk, is blanked too
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.diff").write_text(PARTIAL)
    code, out, _ = _run(capsys, "diff", "--patch", "p.diff", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert [(f["path"], f["line"], f["rule"]) for f in report["findings"]] == [("app/util.py", 13, "SR101")]
    assert report["errors"] == []


def test_unrepairable_partial_hunk_says_why_and_exits_2(tmp_path, monkeypatch, capsys):
    # the changed line itself continues a call opened above the hunk: nothing to blank without losing it
    patch = ("--- a/app/util.py\n+++ b/app/util.py\n@@ -10,3 +10,3 @@ def run(x):\n"
             "         x,\n-        1)\n+        `2`)\n     return x\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.diff").write_text(patch)
    code, out, _ = _run(capsys, "diff", "--patch", "p.diff", "--format", "json")
    (error,) = json.loads(out)["errors"]
    assert code == 2
    assert error["kind"] == "syntax" and error["path"] == "app/util.py"
    assert "Python 2" not in error["message"]
    assert error["message"].endswith(f"only the patch hunks were available (app/util.py is not under {tmp_path}), "
                                     "and they do not parse on their own; run in the checkout the patch applies "
                                     "to, or pass --root DIR")


def test_counts_agree_with_each_other(tmp_path, capsys):
    """Files found = reviewed + not reviewed; paths that do not exist are not files (issue 12: "over 1 of 5
    files" next to "7 files could not be reviewed")."""
    from secreview import api
    from secreview.config import Config
    from secreview.report import render

    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\nz = 3")
    (tmp_path / "bad.py").write_text("def f(:\n")
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    report = api.review([".", "missing.py", "gone/"], Config(jobs=1, cache=False), cwd=tmp_path)
    assert (report.stats.files, report.stats.reviewed, report.stats.lines) == (4, 2, 3)
    assert report.verdict_sentence == ("The review is incomplete: 2 files could not be reviewed (see errors); "
                                       "2 given paths could not be read (see errors); no defects were found in "
                                       "the rest.")
    text = render(report, "text", width=200)
    assert (f"2 files reviewed (3 lines, {report.stats.rules} rules); 2 files could not be reviewed (see errors); "
            "2 given paths "
            "could not be read (see errors)") in text


def test_hunk_inside_a_docstring_is_not_turned_into_code(tmp_path, monkeypatch, capsys):
    # the hunk starts in a docstring (opened above it) and edits its example: blanking the context there would
    # make the example a statement and invent a finding; the review says the context was missing instead
    patch = ("--- a/app/tools.py\n+++ b/app/tools.py\n@@ -20,6 +20,6 @@ def run(user_input):\n"
             "     Example::\n"
             " \n"
             "-        subprocess.call(user_input, shell=True)\n"
             '+        subprocess.call(user_input + " --verbose", shell=True)\n'
             ' \n'
             '     """\n'
             "     return shlex.split(user_input)\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.diff").write_text(patch)
    code, out, _ = _run(capsys, "diff", "--patch", "p.diff", "--format", "json")
    report = json.loads(out)
    assert report["findings"] == []
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [("app/tools.py", "syntax")]
    assert code == 2
