"""The command line: subcommands, exit codes, and the seed file review."""

from __future__ import annotations

import json
import subprocess
import sys

from secreview.cli import main
from secreview.model import CLEAN_SENTENCE, DEFECT_TYPES, PILLARS


def test_rules_json_lists_every_rule_with_its_classification(capsys):
    assert main(["rules", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(
        set(r) >= {"code", "name", "cwe", "pillar", "type", "severity", "confidence"} for r in rows
    )
    assert all(r["pillar"] in PILLARS and r["type"] in DEFECT_TYPES for r in rows)
    shell = next(r for r in rows if r["code"] == "SR101")
    assert (shell["name"], shell["cwe"], shell["pillar"], shell["type"]) == ("shell-command-injection", 78, 707, "cmdi")


def test_cwe_command_prints_chain_and_pillar(capsys):
    assert main(["cwe", "CWE-78"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("CWE-78: Improper Neutralization of Special Elements used in an OS Command")
    assert all(f"CWE-{n}" in out for n in (78, 77, 74, 707))
    assert main(["cwe", "99999"]) == 2
    assert main(["cwe", "banana"]) == 2


def test_exit_codes_and_fail_on(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "v.py").write_text('import os\nos.system("ls " + x)\n')
    (tmp_path / "c.py").write_text("x = 1\n")
    assert main(["scan", "c.py"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == CLEAN_SENTENCE
    assert main(["scan", "v.py"]) == 1
    assert main(["scan", "v.py", "--fail-on", "critical"]) == 0
    assert main(["scan", "v.py", "--exit-zero"]) == 0
    assert main(["scan", "v.py", "--ignore", "SR101"]) == 0
    assert main(["scan", "v.py", "--select", "SR999"]) == 2
    assert main(["scan", "v.py", "--severity", "bogus"]) == 2
    capsys.readouterr()


def test_incomplete_review_is_never_clean(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "c.py").write_text("x = 1\n")
    main(["scan", "."])
    out = capsys.readouterr().out
    assert CLEAN_SENTENCE not in out
    assert out.splitlines()[-1].startswith("The review is incomplete: 1 file could not be reviewed")
    main(["scan", ".", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "incomplete" and data["errors"][0]["kind"] == "syntax"


def test_module_entry_point_runs_without_a_terminal(tmp_path):
    (tmp_path / "c.py").write_text("x = 1\n")
    proc = subprocess.run([sys.executable, "-m", "secreview", "scan", "c.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[-1] == CLEAN_SENTENCE
    assert proc.stderr == ""  # no progress bar in a pipe


def test_seed_file_is_reviewed_clean(seeds_dir, capsys):
    # The seed is a functional test that drives an API: it has no security defect a
    # reviewer would report, and five LLM answers invented some. The report must be
    # complete and clean, with the exact sentence as its last line.
    code = main(["scan", str(seeds_dir / "test_bug_1718455.py"), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert (code, data["verdict"], data["findings"], data["errors"]) == (0, "clean", [], [])
    main(["scan", str(seeds_dir / "test_bug_1718455.py")])
    assert capsys.readouterr().out.splitlines()[-1] == CLEAN_SENTENCE
