"""`secreview diff --patch`: unified diffs without a repository, and what each one means for a review."""

from __future__ import annotations

import io
import sys

import pytest
from change_repo import Repo, diff, error

from secreview.change.patch import PatchError, check_path, image_from_hunks, parse_patch
from secreview.cli import main

ONLY = ("--select", "SR510,SR302")
BODY = ("import yaml\n\n\nclass Loader:\n    def first(self, data):\n        x = 1\n        y = 2\n        z = 3\n"
        "        return yaml.safe_load(data)\n\n    def second(self, data):\n        a = 1\n        b = 2\n"
        "        c = 3\n        return yaml.safe_load(data)\n")
# The change: second() now calls yaml.load (line 15); the hunk starts inside the class, indented.
AFTER = BODY.replace("        c = 3\n        return yaml.safe_load(data)\n",
                     "        c = 3\n        return yaml.load(data)\n")


@pytest.fixture
def git_patch(tmp_path) -> tuple[Repo, str]:
    repo = Repo(tmp_path / "origin")
    repo.commit("one", **{"pkg__loader.py": BODY})
    repo.write("pkg/loader.py", AFTER)
    return repo, repo.git("diff", "HEAD")


def test_parse_counts_added_lines_and_hunk_lines():
    text = ("--- a/m.py\n+++ b/m.py\n@@ -1,4 +1,5 @@\n a = 1\n-b = 2\n+b = 3\n+c = 4\n d = 5\n e = 6\n"
            "@@ -20,2 +21,2 @@\n x = 1\n-y = 2\n+y = 3\n")
    (fp,) = parse_patch(text)
    cf = fp.changed
    assert (cf.path, cf.old_path, cf.status, cf.binary) == ("m.py", "m.py", "modified", False)
    assert cf.changed_lines == (2, 3, 22)
    assert cf.diff_lines == (1, 2, 3, 4, 5, 21, 22)


def test_parse_git_extended_headers():
    text = ("diff --git a/old.py b/new.py\nsimilarity index 100%\nrename from old.py\nrename to new.py\n"
            "diff --git a/run.py b/run.py\nold mode 100644\nnew mode 100755\n"
            "diff --git a/img.png b/img.png\nindex 1111111..2222222 100644\n"
            "Binary files a/img.png and b/img.png differ\n"
            "diff --git a/dead.py b/dead.py\ndeleted file mode 100644\nindex 3333333..0000000\n--- a/dead.py\n"
            "+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n"
            "diff --git a/crlf.py b/crlf.py\n--- a/crlf.py\n+++ b/crlf.py\n@@ -1,2 +1,2 @@\n x = 1\r\n-y\r\n+z = 2\r\n"
            "diff --git a/nonl.py b/nonl.py\n--- a/nonl.py\n+++ b/nonl.py\n@@ -1 +1,2 @@\n-q\n"
            "\\ No newline at end of file\n+q\n+r = 1\n\\ No newline at end of file\n")
    got = {fp.changed.path: fp.changed for fp in parse_patch(text)}
    assert (got["new.py"].status, got["new.py"].old_path, got["new.py"].changed_lines) == ("renamed", "old.py", ())
    assert (got["run.py"].status, got["run.py"].changed_lines, got["run.py"].diff_lines) == ("modified", (), ())
    assert got["img.png"].binary is True
    assert (got["dead.py"].status, got["dead.py"].path, got["dead.py"].changed_lines) == ("deleted", "dead.py", ())
    assert got["crlf.py"].changed_lines == (2,)
    assert got["nonl.py"].changed_lines == (1, 2)


@pytest.mark.parametrize("name", ["../evil.py", "a/../../evil.py", "/etc/evil.py", "C:/evil.py", "x/..\\..\\e.py"])
def test_paths_escaping_the_root_are_refused(name):
    with pytest.raises(PatchError, match="refusing patch path"):
        check_path(name.removeprefix("a/") if name.startswith("a/") else name)


def test_unsafe_patch_is_exit_2_with_a_clear_error(tmp_path, capsys):
    for header in ("--- a/../evil.py\n+++ b/../evil.py\n", "--- /etc/passwd.py\n+++ /etc/passwd.py\n"):
        (tmp_path / "p.diff").write_text(header + "@@ -1 +1 @@\n-x = 1\n+x = 2\n")
        code, err = error(capsys, "--patch", str(tmp_path / "p.diff"), "--root", str(tmp_path))
        assert code == 2 and "refusing patch path" in err and "escape" in err
    (tmp_path / "junk.diff").write_text("this is not a diff\n")
    code, err = error(capsys, "--patch", str(tmp_path / "junk.diff"), "--root", str(tmp_path))
    assert code == 2 and "not a unified diff" in err
    code, err = error(capsys, "--patch", str(tmp_path / "missing.diff"))
    assert code == 2 and "cannot read patch" in err


def test_patched_file_present_is_reviewed_whole(git_patch, tmp_path, capsys):
    repo, text = git_patch
    (tmp_path / "p.diff").write_text(text)
    code, found, data = diff(capsys, "--patch", str(tmp_path / "p.diff"), "--root", str(repo.root), *ONLY)
    assert (code, found) == (1, [("pkg/loader.py", 15, "SR510")])
    assert data["change"]["limited_context"] == [] and data["change"]["description"] == f"patch {tmp_path / 'p.diff'}"


def test_unapplied_patch_is_applied_to_the_present_pre_image(git_patch, tmp_path, capsys):
    repo, text = git_patch
    repo.write("pkg/loader.py", BODY)  # the checkout is at the base: the patch has not been applied
    (tmp_path / "p.diff").write_text(text)
    code, found, data = diff(capsys, "--patch", str(tmp_path / "p.diff"), "--root", str(repo.root), *ONLY)
    assert (code, found, data["change"]["limited_context"]) == (1, [("pkg/loader.py", 15, "SR510")], [])
    assert (repo.root / "pkg/loader.py").read_text() == BODY  # nothing is written


def test_absent_file_is_rebuilt_from_hunks_and_says_so(git_patch, tmp_path, capsys, monkeypatch):
    _, text = git_patch
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, found, data = diff(capsys, "--patch", "-", "--root", str(empty), *ONLY)
    # The hunk starts inside a method: the rebuilt image still parses, at the real line numbers.
    assert (code, found) == (1, [("pkg/loader.py", 15, "SR510")])
    assert data["change"]["limited_context"] == ["pkg/loader.py"]
    assert data["change"]["description"] == "patch from stdin"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    main(["diff", "--patch", "-", "--root", str(empty), *ONLY])
    out = " ".join(line.strip() for line in capsys.readouterr().out.splitlines())
    assert "Context was limited to the patch hunks (the files were absent or did not match the patch) for: " \
           "pkg/loader.py" in out


def test_image_from_hunks_keeps_line_numbers():
    text = "--- a/m.py\n+++ b/m.py\n@@ -10,3 +10,3 @@\n         a = 1\n-        b = 2\n+        b = 3\n     c = 4\n"
    (fp,) = parse_patch(text)
    image = image_from_hunks(fp.hunks, post=True).splitlines()
    assert image[9:12] == ["        a = 1", "        b = 3", "    c = 4"]
    assert image[7:9] == ["if True:", "    if True:"]  # headers on blank lines so the indented hunk parses
    compile("\n".join(image), "m.py", "exec")


def test_added_file_is_whole_even_when_absent_and_new_only_uses_the_pre_image(git_patch, tmp_path, capsys):
    repo, _ = git_patch
    repo.write("pkg/new.py", "import yaml\n\n\ndef f(d):\n    return yaml.load(d)\n")
    repo.git("add", "-A")
    text = repo.git("diff", "--cached")
    repo.git("reset", "-q", "--hard")
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "p.diff").write_text(text)
    args = ("--patch", str(tmp_path / "p.diff"), "--root", str(empty), *ONLY)
    code, found, data = diff(capsys, *args)
    assert found == [("pkg/loader.py", 15, "SR510"), ("pkg/new.py", 5, "SR510")]
    assert data["change"]["limited_context"] == ["pkg/loader.py"]
    assert diff(capsys, *args, "--new-only")[1] == [("pkg/loader.py", 15, "SR510"), ("pkg/new.py", 5, "SR510")]


def test_new_only_on_a_patch_drops_what_the_pre_image_had(tmp_path, capsys):
    repo = Repo(tmp_path / "r")
    before = "import yaml\n\n\ndef f(d):\n    return yaml.load(d)\n"
    repo.commit("one", **{"m.py": before})
    repo.write("m.py", before.replace("def f(d):\n", "def f(d):\n    d = d.strip()\n").replace(
        "return yaml.load(d)", "return yaml.load(d)  "))  # trailing spaces: a modified line, same code
    (tmp_path / "p.diff").write_text(repo.git("diff", "HEAD"))
    args = ("--patch", str(tmp_path / "p.diff"), "--root", str(repo.root), *ONLY)
    assert diff(capsys, *args)[1] == [("m.py", 6, "SR510")]
    assert diff(capsys, *args, "--new-only")[:2] == (0, [])


def test_symlink_leading_out_of_the_root_is_not_followed(tmp_path, capsys):
    outside = tmp_path / "outside.py"
    outside.write_text("import yaml\n\n\ndef f(d):\n    return yaml.safe_load(d)\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "m.py").symlink_to(outside)
    text = "--- a/m.py\n+++ b/m.py\n@@ -5 +5 @@\n-    return yaml.safe_load(d)\n+    return yaml.load(d)\n"
    (tmp_path / "p.diff").write_text(text)
    code, found, data = diff(capsys, "--patch", str(tmp_path / "p.diff"), "--root", str(root), *ONLY)
    assert (found, data["change"]["limited_context"]) == ([("m.py", 5, "SR510")], ["m.py"])


def test_a_file_named_dev_null_on_both_sides_is_exit_2_not_a_crash(tmp_path, capsys):
    # It crashed in change/review.py (PurePosixPath(None)) with exit 1, the findings code (found by mypy).
    (tmp_path / "p.diff").write_text("--- /dev/null\n+++ /dev/null\n@@ -0,0 +1 @@\n+x = 1\n")
    code, err = error(capsys, "--patch", str(tmp_path / "p.diff"), "--root", str(tmp_path))
    assert code == 2
    assert err == "secreview: error: a file in the patch has no name on either side (/dev/null -> /dev/null)\n"
