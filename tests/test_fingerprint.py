"""Fingerprints hash code tokens, so touching a line (a trailing comment, spaces) does not make an old
finding new for `diff --new-only` and baselines (issue 12, point 5)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from change_repo import Repo, diff

from secreview.cli import main
from secreview.fingerprint import fingerprint, normalized_code

ONLY = ("--select", "SR101")
BASE = 'import os\n\n\ndef purge(path):\n    os.system("rm -rf " + path)\n'


@pytest.mark.parametrize("touched", [
    'import os\n\n\ndef purge(path):\n    os.system("rm -rf " + path)  # TODO: validate\n',
    'import os\n\n\ndef purge(path):\n    os.system("rm -rf "+path)\n',
    'import os\n\n\ndef purge(path):\n    os.system( "rm -rf " + path )\n',
    'import os\n\n\n# moved, re-indented\nif True:\n    def purge(path):\n        os.system("rm -rf " + path)\n',
])
def test_touched_line_is_not_new(tmp_path, capsys, touched):
    repo = Repo(tmp_path / "repo")
    first = repo.commit("one", **{"tool.py": BASE})
    second = repo.commit("two", **{"tool.py": touched})
    code, found, _ = diff(capsys, "--root", str(repo.root), f"{first}..{second}", *ONLY)
    assert code == 1 and [rule for _, _, rule in found] == ["SR101"]  # the line was changed: it is in scope
    assert diff(capsys, "--root", str(repo.root), f"{first}..{second}", *ONLY, "--new-only")[:2] == (0, [])


def test_real_changes_stay_new(tmp_path, capsys):
    repo = Repo(tmp_path / "repo")
    first = repo.commit("one", **{"tool.py": BASE})
    changed = BASE.replace('"rm -rf " + path', '"rm -rf /tmp/" + path')  # different code in the string
    second = repo.commit("two", **{"tool.py": changed})
    code, found, _ = diff(capsys, "--root", str(repo.root), f"{first}..{second}", *ONLY, "--new-only")
    assert (code, found) == (1, [("tool.py", 5, "SR101")])


def test_baseline_survives_a_comment_on_the_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tool.py").write_text(BASE)
    assert main(["baseline", "create", "tool.py", "-o", "b.json", *ONLY]) == 0
    (tmp_path / "tool.py").write_text(BASE.replace("+ path)", "+ path)  # reviewed, see ticket 12"))
    capsys.readouterr()
    assert main(["scan", "tool.py", "--baseline", "b.json", *ONLY]) == 0
    assert "1 finding hidden by the baseline" in capsys.readouterr().err


def test_format_1_baseline_asks_to_be_recreated(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tool.py").write_text(BASE)
    (tmp_path / "old.json").write_text(json.dumps({"secreview_baseline": 1, "findings": []}))
    assert main(["scan", "tool.py", "--baseline", "old.json"]) == 2
    assert "recreate it with `secreview baseline create`" in capsys.readouterr().err


@pytest.mark.parametrize(("a", "b"), [
    ('os.system("ls "+x)', '    os.system("ls " + x)  # nosec'),
    ("run(\n    cmd,  # the command\n    shell=True)", "run(cmd, shell=True)"),
    ('x = f"a {b}"', 'x = f"a {b}"   # same f-string'),
])
def test_same_tokens_same_code(a, b):
    assert normalized_code(a) == normalized_code(b)
    assert fingerprint("SR101", "a.py", "f", a) == fingerprint("SR101", "a.py", "f", b)


@pytest.mark.parametrize(("a", "b"), [
    ('os.system("ls " + x)', 'os.system("ls  " + x)'),  # spaces inside a string are code
    ("a = b - c", "a = b + c"),
    ('x = f"a {b}"', 'x = f"a {c}"'),
])
def test_different_code_differs(a, b):
    assert normalized_code(a) != normalized_code(b)


def test_cut_statements_keep_their_text():
    assert normalized_code("subprocess.run(\n    cmd,") == "subprocess.run(cmd,"
    assert normalized_code('x = """abc') == 'x="""abc'
    assert normalized_code('y = "abc\nz = 1') == 'y="abc z=1'  # an unterminated string ends with its line
    assert normalized_code("return  x  # why") == "return x"  # one space between words, none elsewhere
    assert normalized_code("a = 1 \\\n    + 2") == "a=1+2"  # a line continuation is layout


def test_strings_are_kept_as_written():
    assert normalized_code("x = 'a  #  b'  # c") == "x='a  #  b'"
    assert normalized_code('s = rb"q\\"x" + f"{y}"') == 's=rb"q\\"x"+f"{y}"'


SAMPLES = ['x = f"a {b} c"', "x = f'{a!r:>{w}}' + f\"{1}\"  # c", 'y = f"""a\n{b}\n""" + z', 'f"open {',
           'q = f"{x:{y}}"[1:]', 'os.system("ls "+x)', "run(\n  cmd,", 'x = rb"abc',
           r"    ^\d{3}-\d{4}$   # phone", "    ),\n        ),\n    ]", 'f"{x["a"]}" + y', "a = $b ? `c`"]


def _other_pythons() -> list[str]:
    """Interpreters of other minor versions that really run (a pyenv shim of an inactive version does not)."""
    found = []
    root = Path.home() / ".pyenv" / "versions"
    for version in ("3.10", "3.12", "3.13"):
        if version == f"{sys.version_info.major}.{sys.version_info.minor}":
            continue
        candidates = [str(p / "bin" / "python3") for p in sorted(root.glob(f"{version}.*"))] if root.is_dir() else []
        candidates += [exe for exe in [shutil.which(f"python{version}")] if exe]
        for exe in candidates:
            if Path(exe).is_file() and subprocess.run([exe, "-c", "pass"], capture_output=True).returncode == 0:
                found.append(exe)
                break
    return found


@pytest.mark.skipif(not _other_pythons(), reason="no other Python (3.10, 3.12, 3.13) on this machine to compare with")
def test_same_normalisation_on_every_python():
    """A team shares one baseline across interpreters: 3.12 tokenizes f-strings differently."""
    src = Path(__file__).resolve().parents[1] / "src"
    here = [normalized_code(s) for s in SAMPLES]
    script = ("import json, sys; from secreview.fingerprint import normalized_code; "
              "print(json.dumps([normalized_code(s) for s in json.loads(sys.argv[1])]))")
    for exe in _other_pythons():
        result = subprocess.run([exe, "-c", script, json.dumps(SAMPLES)], capture_output=True, text=True,
                                env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}, check=True)
        assert json.loads(result.stdout) == here, exe
