"""`secreview audit` on the command line: formats, stdin, --output, --truth, --allowed-cwes, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from secreview.cli import main

HERE = Path(__file__).parent / "fixtures" / "audit"
CODE = str(HERE / "app.py")
ANSWERS = HERE / "answers"


def test_json_output_is_documented_shape(capsys):
    assert main(["audit", "--code", CODE, "--format", "json", str(ANSWERS / "perfect.md")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"schema_version", "tool", "code", "allowed_cwes", "answers", "consensus", "truth"}
    assert data["code"] == {"path": CODE, "lines": 37, "parsed": True, "error": None}
    assert data["allowed_cwes"] == [284, 435, 664, 682, 691, 693, 697, 703, 707, 710]
    (answer,) = data["answers"]
    assert {"source", "verdict", "verdict_conflict", "claims", "references", "flags"} <= set(answer)
    assert (answer["source"], answer["verdict"], answer["verdict_conflict"]) == (str(ANSWERS / "perfect.md"),
                                                                                   "defects", False)
    assert [f["code"] for f in answer["flags"]] == ["off-list-cwe"] * 3
    assert [f["claim"] for f in answer["flags"]] == [0, 1, 2]
    line = next(r for r in answer["references"] if r["kind"] == "line")
    assert line == {"claim": 0, "kind": "line", "value": "15", "found": True, "in_code": True,
                    "where": [{"line": 15, "kind": "code",
                               "text": "query = \"SELECT * FROM users WHERE id = '%s'\" % user_id"}],
                    "problem": None, "note": "", "fix": False}
    cwe = next(r for r in answer["references"] if r["kind"] == "cwe")
    assert cwe["where"] == [{"kind": "catalog", "pillar": 707, "name": "Improper Neutralization of Special "
                             "Elements used in an SQL Command ('SQL Injection')"}]
    assert data["consensus"]["majority_verdict"] == "defects"


def test_stdin_and_text_output(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"No security defects are detected in the code.")))
    assert main(["audit", "--code", CODE, "-"]) == 0
    out = capsys.readouterr().out
    assert "== -: verdict none" in out and "flags: none" in out


def test_allowed_cwes_and_fail_on_flags(capsys):
    perfect = str(ANSWERS / "perfect.md")
    assert main(["audit", "--code", CODE, "--fail-on-flags", "all", perfect]) == 1
    assert main(["audit", "--code", CODE, "--allowed-cwes", "89,CWE-78,328", "--fail-on-flags", "all", perfect]) == 0
    assert main(["audit", "--code", CODE, "--allowed-cwes", "any", "--fail-on-flags", "all", perfect]) == 0
    assert main(["audit", "--code", CODE, "--fail-on-flags", "vague,verbose", perfect]) == 0
    flags = str(ANSWERS / "flags.txt")
    assert main(["audit", "--code", CODE, flags]) == 0  # flags alone never fail the run
    assert main(["audit", "--code", CODE, "--fail-on-flags", "verdict-conflict", flags]) == 1
    capsys.readouterr()


def test_truth_and_output_file(tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["audit", "--code", CODE, "--format", "json", "--truth", str(HERE / "truth.json"), "-o", str(out),
                 str(ANSWERS / "perfect.md"), str(ANSWERS / "none_para.txt")]) == 0
    assert capsys.readouterr().out == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [a["label"]["label"] for a in data["answers"]] == ["Instrumental", "Misleading"]
    assert data["truth"] == [{"type": "sqli", "cwe": [89], "lines": [15, 16]}]
    assert data["consensus"]["labels"] == {"Instrumental": 1, "Misleading": 1}


@pytest.mark.parametrize("args, message", [
    (["--code", "missing.py", "a.txt"], "cannot read code file"),
    (["--code", CODE, "missing-answer.txt"], "cannot read answer"),
    (["--code", CODE, "--allowed-cwes", "banana", str(ANSWERS / "para.txt")], "--allowed-cwes"),
    (["--code", CODE, "--fail-on-flags", "nope", str(ANSWERS / "para.txt")], "unknown flag"),
    (["--code", CODE, "-", "-"], "only once"),
    (["--code", CODE, "--truth", str(ANSWERS / "para.txt"), str(ANSWERS / "para.txt")], "not JSON"),
    (["--code", CODE], "the following arguments are required"),
    (["--code", CODE, "--format", "xml", str(ANSWERS / "para.txt")], "invalid choice"),
])
def test_usage_errors_exit_2(args, message, capsys):
    assert main(["audit", *args]) == 2
    assert message in capsys.readouterr().err


def test_unreadable_code_exits_2(tmp_path, capsys):
    nul = tmp_path / "nul.py"
    nul.write_bytes(b"x = 1\n\x00\n")
    assert main(["audit", "--code", str(nul), str(ANSWERS / "para.txt")]) == 2
    assert "NUL byte" in capsys.readouterr().err
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n")
    assert main(["audit", "--code", str(latin), str(ANSWERS / "para.txt")]) == 0  # PEP 263 honoured
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n    pass\n")
    assert main(["audit", "--code", str(broken), str(ANSWERS / "para.txt")]) == 0
    assert "checking names and lines as text" in capsys.readouterr().err


def test_real_process_reads_stdin():
    done = subprocess.run([sys.executable, "-m", "secreview", "audit", "--code", CODE, "--format", "json", "-"],
                          input="1. CWE-89: `get_user` at line 15 builds SQL. Use parameters.", capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)["answers"][0]
    assert (answer["source"], answer["verdict"], answer["claims"][0]["cwes"]) == ("-", "defects", [89])
