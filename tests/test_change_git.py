"""`secreview diff` on real git repositories: ranges, the working tree, renames, deletions, merges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from change_repo import Repo, diff, error
from jsonschema import Draft202012Validator

from secreview.cli import main
from secreview.model import CLEAN_SENTENCE

ONLY = ("--select", "SR510,SR302")  # two simple, stable rules: unsafe-yaml-load and password-fast-hash
LOAD = "import yaml\n\n\ndef load(data):\n    return yaml.load(data)\n"  # SR510 on line 5
SAFE = "import yaml\n\n\ndef load(data):\n    return yaml.safe_load(data)\n"
SECOND = "\n\ndef load_again(data):\n    return yaml.load(data)\n"  # appended to LOAD: SR510 on line 9


@pytest.fixture
def repo(tmp_path) -> Repo:
    return Repo(tmp_path / "repo")


def test_default_is_the_working_tree_and_index_against_head(repo, capsys):
    repo.commit("base", **{"a.py": LOAD})
    repo.write("a.py", LOAD + SECOND)  # unstaged
    repo.write("b.py", LOAD)
    repo.git("add", "b.py")  # staged
    repo.write("untracked.py", LOAD)  # not part of `git diff HEAD`
    code, found, data = diff(capsys, "--root", str(repo.root), *ONLY)
    assert code == 1
    assert found == [("a.py", 9, "SR510"), ("b.py", 5, "SR510")]
    change = data["change"]
    assert change["description"] == "working tree and index against HEAD" and change["head"] is None
    files = {f["path"]: f for f in change["files"]}
    assert files["a.py"]["status"] == "modified" and files["a.py"]["changed_lines"] == [6, 7, 8, 9]
    assert files["a.py"]["diff_lines"] == [3, 4, 5, 6, 7, 8, 9]
    assert files["b.py"]["status"] == "added" and files["b.py"]["old_path"] is None
    assert diff(capsys, "--root", str(repo.root), *ONLY, "--exclude", "b.py")[1] == [("a.py", 9, "SR510")]


def test_two_dot_range_reads_git_objects_not_the_working_tree(repo, capsys):
    first = repo.commit("one", **{"a.py": LOAD})
    second = repo.commit("two", **{"a.py": LOAD + SECOND})
    repo.write("a.py", SAFE)  # the working tree must not matter for a range
    for spec in (f"{first}..{second}", "HEAD~1..HEAD", "HEAD~1.."):
        code, found, data = diff(capsys, spec, "--root", str(repo.root), *ONLY)
        assert (code, found) == (1, [("a.py", 9, "SR510")]), spec
        assert (data["change"]["base"], data["change"]["head"]) == (first, second)


def test_single_revision_compares_the_working_tree_with_it(repo, capsys):
    repo.commit("one", **{"a.py": SAFE})
    repo.commit("two", **{"b.py": "x = 1\n"})
    repo.write("a.py", LOAD)
    code, found, data = diff(capsys, "HEAD~1", "--root", str(repo.root), *ONLY)
    assert (code, found) == (1, [("a.py", 5, "SR510")])
    assert data["change"]["description"] == "working tree against HEAD~1"


def test_three_dots_diff_from_the_merge_base_and_merges(repo, capsys):
    repo.commit("base", **{"a.py": LOAD})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature adds f.py", **{"f.py": LOAD})
    repo.git("checkout", "-q", "main")
    repo.commit("main fixes a.py", **{"a.py": SAFE})
    root = ("--root", str(repo.root), *ONLY)
    # A...B: what the feature branch did since it forked.
    assert diff(capsys, "main...feature", *root)[:2] == (1, [("f.py", 5, "SR510")])
    # A..B: the trees of the two tips; the feature tip still has the unfixed a.py.
    assert diff(capsys, "main..feature", *root)[:2] == (1, [("a.py", 5, "SR510"), ("f.py", 5, "SR510")])
    repo.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    # Against the first parent the merge brings f.py; against the second it brings only the a.py fix.
    assert diff(capsys, "HEAD^1..HEAD", *root)[:2] == (1, [("f.py", 5, "SR510")])
    code, found, data = diff(capsys, "HEAD^2..HEAD", *root)
    assert (code, found, data["summary"]) == (0, [], CLEAN_SENTENCE)
    assert [f["path"] for f in data["change"]["files"]] == ["a.py"]


def test_rename_reports_only_modified_lines_and_new_only_sees_through_it(repo, capsys):
    filler = "\n\n" + "".join(f"SETTING_{i} = {i}\n" for i in range(20))  # enough in common to be a rename
    first = repo.commit("one", **{"old.py": LOAD + filler})
    repo.git("mv", "old.py", "new.py")
    digest = "\n\ndef digest(password):\n    return hashlib.md5(password)\n"  # SR302
    repo.write("new.py", "import hashlib\n" + LOAD.replace("return yaml.load", "return  yaml.load") + filler + digest)
    second = repo.commit("rename, re-space the yaml.load line, add digest()")
    spec = (f"{first}..{second}", "--root", str(repo.root), *ONLY)
    code, found, data = diff(capsys, *spec)
    assert found == [("new.py", 6, "SR510"), ("new.py", 32, "SR302")]
    (changed,) = data["change"]["files"]
    assert (changed["path"], changed["old_path"], changed["status"]) == ("new.py", "old.py", "renamed")
    assert changed["changed_lines"] == [1, 6, 29, 30, 31, 32]
    # The base version is reviewed under the new path, so the re-spaced (and moved) line is recognised as old.
    assert diff(capsys, *spec, "--new-only")[:2] == (1, [("new.py", 32, "SR302")])


def test_pure_rename_and_mode_change_introduce_nothing(repo, capsys):
    first = repo.commit("one", **{"old.py": LOAD})
    repo.git("mv", "old.py", "new.py")
    (repo.root / "new.py").chmod(0o755)
    second = repo.commit("rename and chmod")
    code, found, data = diff(capsys, f"{first}..{second}", "--root", str(repo.root), *ONLY)
    assert (code, found) == (0, [])
    assert data["change"]["files"] == [{"path": "new.py", "old_path": "old.py", "status": "renamed",
                                        "changed_lines": [], "diff_lines": [], "binary": False}]


def test_new_only_matches_by_fingerprint_with_counts(repo, capsys):
    # Moving a function is not new code; a second copy of a flawed line is, even though it is identical.
    other = "def other():\n" + "".join(f"    step_{i}()\n" for i in range(10))  # long: git keeps it as context
    load = "def load(data):\n    return yaml.load(data)\n"
    body = f"import yaml\n\n\n{other}\n\n{load}"
    first = repo.commit("one", **{"a.py": body})
    moved = f"import yaml\n\n\n{load}\n\n{other}"
    second = repo.commit("move load() up", **{"a.py": moved})
    spec = ("--root", str(repo.root), *ONLY)
    assert diff(capsys, f"{first}..{second}", *spec)[1] == [("a.py", 5, "SR510")]
    assert diff(capsys, f"{first}..{second}", *spec, "--new-only")[:2] == (0, [])
    copied = moved.replace("    return yaml.load(data)\n", "    return yaml.load(data)\n    return yaml.load(data)\n")
    third = repo.commit("copy the flawed line", **{"a.py": copied})
    assert diff(capsys, f"{second}..{third}", *spec)[1] == [("a.py", 6, "SR510")]
    # Two occurrences now (same scope, same normalised code), one in the base: exactly one is new,
    # and it is the added line, not the one that was already there.
    code, found, data = diff(capsys, f"{second}..{third}", *spec, "--new-only")
    assert (code, found, data["change"]["new_only"]) == (1, [("a.py", 6, "SR510")], True)
    assert diff(capsys, f"{first}..{third}", *spec, "--new-only")[1] == [("a.py", 6, "SR510")]


def test_deletions_binaries_and_non_python_files(repo, capsys):
    first = repo.commit("one", **{"gone.py": "x = 1\ny = 2\n", "keep.py": "x = 1\n"})
    (repo.root / "gone.py").unlink()
    (repo.root / "blob.bin").write_bytes(b"\x00\x01yaml.load(data)\x00")
    repo.write("notes.txt", LOAD)
    repo.write("tool", "#!/usr/bin/env python3\n" + LOAD)  # a script: Python by its shebang
    repo.write("crlf.py", LOAD.replace("\n", "\r\n"))
    second = repo.commit("mixed")
    code, found, data = diff(capsys, f"{first}..{second}", "--root", str(repo.root), *ONLY)
    assert (code, found) == (1, [("crlf.py", 5, "SR510"), ("tool", 6, "SR510")])
    files = {f["path"]: f for f in data["change"]["files"]}
    assert files["gone.py"]["status"] == "deleted" and files["gone.py"]["changed_lines"] == []
    assert files["blob.bin"]["binary"] is True
    assert data["stats"]["files"] == 2  # crlf.py and tool: the deleted, binary and text files are not reviewed


def test_paths_are_relative_to_the_repository_root_from_a_subdirectory(repo, capsys):
    first = repo.commit("one", **{"pkg__mod.py": SAFE})
    second = repo.commit("two", **{"pkg__mod.py": LOAD})
    assert diff(capsys, f"{first}..{second}", "--root", str(repo.root / "pkg"), *ONLY)[1] == [
        ("pkg/mod.py", 5, "SR510")]


def test_text_report_says_what_change_was_reviewed(repo, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")  # the line is 115 columns: it wraps at the default 100 of a pipe
    repo.commit("one", **{"a.py": LOAD})
    repo.write("a.py", SAFE)
    assert main(["diff", "--root", str(repo.root), *ONLY]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "Change reviewed: working tree and index against HEAD — 1 file, 1 added or modified line; " \
           "reported: findings on the changed lines" in out
    assert out[-1] == CLEAN_SENTENCE


def test_bad_ranges_and_places_are_clear_errors(repo, tmp_path, capsys):
    repo.commit("one", **{"a.py": LOAD})
    root = ("--root", str(repo.root))
    code, err = error(capsys, "nope..HEAD", *root)
    assert code == 2 and "unknown revision 'nope': git cannot resolve it to a commit" in err
    code, err = error(capsys, *root, "--", "--upload-pack=x..HEAD")
    assert code == 2 and "invalid revision" in err
    repo.git("checkout", "-q", "--orphan", "other")
    repo.commit("unrelated", **{"z.py": "x = 1\n"})
    code, err = error(capsys, "main...other", *root)
    assert code == 2 and "have no common ancestor" in err
    empty = Repo(tmp_path / "empty")
    code, err = error(capsys, "--root", str(empty.root))
    assert code == 2 and "HEAD does not name a commit" in err
    outside = tmp_path / "plain"
    outside.mkdir()
    code, err = error(capsys, "--root", str(outside))
    assert code == 2 and "is not inside a git repository" in err
    code, err = error(capsys, "HEAD", "--patch", "x.diff", *root)
    assert code == 2 and "either a REV_RANGE or --patch" in err


def test_a_finding_is_reported_when_a_step_of_its_trace_changed(repo, capsys):
    before = ("import os\nfrom flask import request\n\n\ndef listing():\n    pass\n"
              '    name = "static"\n    cmd = "ls " + name\n    os.system(cmd)\n')
    first = repo.commit("one", **{"app.py": before})
    second = repo.commit("two", **{"app.py": before.replace('name = "static"', 'name = request.args.get("n")')})
    code, found, data = diff(capsys, f"{first}..{second}", "--root", str(repo.root), "--select", "SR101")
    # Only line 7 changed; the sink on line 9 is reported because the tainted value now flows through line 7.
    assert (code, found) == (1, [("app.py", 9, "SR101")])
    assert 7 in [step["line"] for step in data["findings"][0]["trace"]]


def test_json_report_of_a_change_validates_against_the_schema(repo, capsys):
    schema = json.loads((Path(__file__).resolve().parent.parent / "src/secreview/report/report-schema.json")
                        .read_text())
    repo.commit("one", **{"a.py": LOAD, "b.py": "x = 1\n"})
    repo.git("mv", "b.py", "c.py")
    repo.write("a.py", LOAD + SECOND)
    code, found, data = diff(capsys, "--root", str(repo.root), *ONLY)
    assert found == [("a.py", 9, "SR510")]
    Draft202012Validator(schema).validate(data)
    assert {f["status"] for f in data["change"]["files"]} == {"modified", "renamed"}
    assert main(["diff", "--root", str(repo.root), "--format", "sarif", *ONLY]) == 1
    sarif = json.loads(capsys.readouterr().out)
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]] == [
        "a.py"]
