"""The command line: subcommands, exit codes, and the seed file review."""

from __future__ import annotations

import json
import subprocess
import sys

from secreview import __version__, api
from secreview.cli import main
from secreview.config import Config
from secreview.model import CLEAN_SENTENCE, DEFECT_TYPES, PILLARS
from secreview.ruleset import load_rules


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


def test_short_version_option(capsys):
    assert main(["-V"]) == 0
    assert capsys.readouterr().out == f"secreview {__version__}\n"


def test_scan_without_a_path_reviews_the_current_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "v.py").write_text('import os\n\n\ndef f(x):\n    os.system("ls " + x)\n')
    assert main(["scan", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["line"], f["rule"]) for f in data["findings"]] == [("pkg/v.py", 5, "SR101")]


def test_rules_table_has_a_header_a_count_and_fits_the_width(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    count = len(load_rules())
    assert lines[0] == "CODE  NAME                          CWE  PILLAR TYPE     SEVERITY CONFIDENCE TITLE"
    assert lines[1] == ("SR101 shell-command-injection       78   707    cmdi     high     high       "
                        "Shell command built fr…")
    assert lines[-1] == f"{count} rules" and len(lines) == count + 2
    assert max(map(len, lines)) == 100
    monkeypatch.setenv("COLUMNS", "160")  # wide enough: no title is cut
    main(["rules"])
    wide = capsys.readouterr().out.splitlines()
    assert wide[1].endswith("Shell command built from a non-literal value") and "…" not in "".join(wide)


def test_rule_explains_one_rule(capsys):
    meta = next(r.meta for r in load_rules() if r.meta.code == "SR101")
    assert main(["rule", "sr101"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:11] == [
        "SR101 shell-command-injection",
        meta.title,
        "",
        "CWE:         CWE-78 Improper Neutralization of Special Elements used in an OS Command ('OS Command",
        "             Injection')",
        "Pillar:      CWE-707 Improper Neutralization",
        "Type:        cmdi (command injection)",
        "Severity:    high (default)",
        "Confidence:  high (default)",
        "Bandit:      B602, B605, B609",
        lines[10],
    ]
    fix = lines[10 : lines.index("", 10)]
    assert fix[0].startswith("Fix:         ") and all(line.startswith(" " * 13) for line in fix[1:])
    assert " ".join(line[13:] for line in fix) == meta.fix
    for heading, first in (("What it flags", "  Calls that hand a command string to a shell (`subprocess.*` with "
                                             "`shell=True`,"),
                           ("Example", "    import subprocess"), ("Use instead", "    import subprocess"),
                           ("References", "  - CWE-78: Improper Neutralization of Special Elements used in an OS "
                                          "Command")):
        assert lines[lines.index(heading) + 1] == first
    assert "```python" not in lines
    assert main(["rule", "Shell-Command-Injection"]) == 0  # a name, in any case
    assert capsys.readouterr().out.splitlines() == lines


def test_rule_of_a_taint_rule_names_its_sources_and_sinks(capsys):
    assert main(["rule", "SR104"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Sources:"))
    assert [line[:30] for line in lines[start:start + 5]] == [
        "Sources:     remote_input: dat", "             cookies, route pa", "             socket_input: dat",
        "Sinks:       command: an opera", lines[start + 4][:30]]


def test_rule_as_json_gives_the_fields(capsys):
    assert main(["rule", "SR104", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["code"], data["cwe"], data["pillar"], data["type"], data["bandit"]) == ("SR104", 78, 707, "cmdi",
                                                                                       ["B601"])
    assert data["taint"] == {"sources": ["remote_input", "socket_input"], "sinks": ["command"]}
    assert list(data["sections"]) == ["What it flags", "Why it matters", "Example", "Use instead", "References"]


def test_unknown_rule_is_a_usage_error_with_close_matches(capsys):
    assert main(["rule", "SR999"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == ["secreview: error: unknown rule 'SR999'; `secreview rules` lists them",
                                         "did you mean: SR509, SR309, SR209"]
    assert main(["rule", "nothing-like-it-at-all"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "secreview: error: unknown rule 'nothing-like-it-at-all'; `secreview rules` lists them"]


def test_progress_names_the_project_phase_then_the_review(tmp_path):
    (tmp_path / "helpers.py").write_text("import os\n\ndef run(cmd):\n    os.system(cmd)\n")
    (tmp_path / "app.py").write_text("import sys\nfrom helpers import run\n\nrun(sys.argv[1])\n")
    config = Config(jobs=1, cache_dir=str(tmp_path / "cache"))
    seen: list[tuple[str, int, int]] = []
    report = api.review(["."], config, cwd=tmp_path, progress=lambda *call: seen.append(call))
    # app.py: argv reaches the helper's shell; helpers.py: the helper runs a parameter through a shell (low)
    assert [(f.path, f.line) for f in report.findings] == [("app.py", 4), ("helpers.py", 4)]
    # helpers.py is imported by app.py, so the phase summarises it before any file is reviewed
    assert seen == [("summarising modules", 1, 1), ("reviewing", 1, 2), ("reviewing", 2, 2)]
    seen.clear()
    api.review(["."], config, cwd=tmp_path, progress=lambda *call: seen.append(call))
    # warm: the summary comes from the cache (still counted), no file is reviewed again
    assert seen == [("summarising modules", 1, 1), ("reviewing", 1, 2), ("reviewing", 2, 2)]
