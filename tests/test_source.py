"""Discovery and bad input: every failure is an error for that file, the rest is reviewed."""

from __future__ import annotations

import os
from pathlib import Path

from secreview.api import review
from secreview.config import Config
from secreview.source import discover

VULN = 'import os\n\ndef f(x):\n    os.system("ls " + x)\n'


def _write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_discovery_skips_vcs_venv_build_node_modules_and_gitignored(tmp_path):
    for rel in ["pkg/a.py", "pkg/sub/b.py", ".git/hooks/x.py", "venv2/lib/x.py", "node_modules/m/x.py",
                "build/lib/x.py", "pkg/generated/gen.py", "pkg/notes.txt", "tools/runme"]:
        _write(tmp_path, rel, "#!/usr/bin/env python3\nx = 1\n" if rel == "tools/runme" else "x = 1\n")
    _write(tmp_path, "venv2/pyvenv.cfg", "home = /usr\n")
    _write(tmp_path, ".gitignore", "generated/\n")
    files, errors = discover([str(tmp_path)], cwd=tmp_path)
    assert [f.display for f in files] == ["pkg/a.py", "pkg/sub/b.py", "tools/runme"]
    assert errors == []


def test_exclude_glob_and_no_gitignore(tmp_path):
    _write(tmp_path, "a.py", "x = 1\n")
    _write(tmp_path, "migrations/0001.py", "x = 1\n")
    _write(tmp_path, "gen/out.py", "x = 1\n")
    _write(tmp_path, ".gitignore", "gen/\n")
    files, _ = discover([str(tmp_path)], excludes=["migrations/*"], respect_gitignore=False, cwd=tmp_path)
    assert [f.display for f in files] == ["a.py", "gen/out.py"]


def test_bad_inputs_are_errors_and_the_rest_is_reviewed(tmp_path):
    _write(tmp_path, "good.py", VULN)
    _write(tmp_path, "py2.py", 'print "hello"\n')
    _write(tmp_path, "latin.py", b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n")
    _write(tmp_path, "badutf8.py", b"name = '\xff\xfe'\n")
    _write(tmp_path, "nul.py", b"x = 1\n\x00\n")
    _write(tmp_path, "big.py", "x = 1\n" * 100)
    os.symlink("loop_b.py", tmp_path / "loop_a.py")
    os.symlink("loop_a.py", tmp_path / "loop_b.py")
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "up")
    report = review([str(tmp_path)], Config(max_file_size=500), cwd=tmp_path)
    kinds = {(e.path, e.kind) for e in report.errors}
    assert kinds == {
        ("py2.py", "syntax"), ("badutf8.py", "decode"), ("nul.py", "nul-bytes"), ("big.py", "too-large"),
        ("loop_a.py", "symlink-loop"), ("loop_b.py", "symlink-loop"), ("sub/up", "symlink-loop"),
    }
    py2 = next(e for e in report.errors if e.path == "py2.py")
    assert "Python 2" in py2.message and py2.line == 1
    assert [(f.path, f.line) for f in report.findings] == [("good.py", 4)]
    assert report.verdict == "defects" and not report.complete
    assert "could not be reviewed" in report.verdict_sentence


def test_unreadable_file_is_an_error(tmp_path, monkeypatch):
    _write(tmp_path, "a.py", "x = 1\n")
    _write(tmp_path, "b.py", "x = 1\n")
    original = Path.read_bytes

    def deny(self):
        if self.name == "b.py":
            raise PermissionError(13, "Permission denied")
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    report = review([str(tmp_path)], Config(), cwd=tmp_path)
    assert [(e.path, e.kind) for e in report.errors] == [("b.py", "unreadable")]
    assert report.verdict == "incomplete"
    assert report.stats.reviewed == 1


def test_missing_path_is_an_error(tmp_path):
    report = review([str(tmp_path / "nope.py")], Config(), cwd=tmp_path)
    assert [(e.path, e.kind) for e in report.errors] == [("nope.py", "not-found")]
    assert report.verdict == "incomplete"


def test_pep263_cookie_is_honoured(tmp_path):
    _write(tmp_path, "latin.py", b"# -*- coding: latin-1 -*-\nimport os\nos.system('caf\xe9 ' + x)\n")
    report = review([str(tmp_path / "latin.py")], Config(), cwd=tmp_path)
    assert report.errors == ()
    assert [(f.line, f.snippet) for f in report.findings] == [(3, "os.system('café ' + x)")]


def test_columns_are_characters_not_bytes(tmp_path):
    _write(tmp_path, "u.py", "import os\nr = 'é' if os.system('é' + x) else 0\n")
    report = review([str(tmp_path / "u.py")], Config(), cwd=tmp_path)
    assert [(f.line, f.column) for f in report.findings] == [(2, 12)]


def test_parallel_review_matches_serial(tmp_path):
    for i in range(30):
        _write(tmp_path, f"m{i:02}.py", VULN if i % 3 == 0 else "x = 1\n")
    serial = review([str(tmp_path)], Config(jobs=1), cwd=tmp_path)
    parallel = review([str(tmp_path)], Config(jobs=2), cwd=tmp_path)
    assert serial.findings == parallel.findings
    assert [f.path for f in parallel.findings] == [f"m{i:02}.py" for i in range(0, 30, 3)]
