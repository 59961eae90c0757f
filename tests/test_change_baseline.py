"""Baselines (`secreview baseline create`, `--baseline FILE`) and the selection of findings by changed lines."""

from __future__ import annotations

import json
from collections import Counter

from change_repo import Repo, diff

from secreview.change.select import minus_known, on_changed_lines
from secreview.cli import main
from secreview.model import ChangedFile, Confidence, Finding, Severity, TraceStep

ONLY = ("--select", "SR510,SR302")
LOAD = "import yaml\n\n\ndef load(data):\n    return yaml.load(data)\n"


def _finding(path: str, line: int, fingerprint: str = "fp", trace: tuple[TraceStep, ...] = (),
             end_line: int | None = None) -> Finding:
    return Finding("SR101", "shell-command-injection", "t", 78, "", 707, "", "cmdi", Severity.HIGH, Confidence.HIGH,
                   path, line, end_line or line, 1, 2, "x", "m", "f", fingerprint, trace)


def test_findings_are_kept_for_their_own_lines_or_any_trace_step():
    files = [ChangedFile("a.py", "a.py", "modified", (7,), (4, 5, 6, 7, 8, 9, 10)),
             ChangedFile("b.py", "b.py", "modified", (3,), (1, 2, 3))]
    source_changed = _finding("a.py", 9, trace=(TraceStep("a.py", 7, 5, "", "source"),
                                                TraceStep("a.py", 9, 5, "", "sink")))
    other_file_step = _finding("c.py", 20, trace=(TraceStep("b.py", 3, 1, "", "source"),))
    spans_changed = _finding("a.py", 6, end_line=8)
    untouched = _finding("a.py", 9, trace=(TraceStep("a.py", 8, 5, "", "source"),))
    step_elsewhere = _finding("b.py", 9, trace=(TraceStep("a.py", 3, 1, "", "source"),))
    kept = on_changed_lines([source_changed, other_file_step, spans_changed, untouched, step_elsewhere], files)
    assert kept == [source_changed, other_file_step, spans_changed]


def test_one_known_fingerprint_hides_one_finding_only():
    findings = [_finding("a.py", 3, "same"), _finding("a.py", 9, "same"), _finding("a.py", 12, "other")]
    kept, dropped = minus_known(findings, Counter({"same": 1, "gone": 4}))
    assert ([f.line for f in kept], dropped) == ([9, 12], 1)


def test_baseline_create_then_scan_and_diff_report_only_new_findings(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(LOAD)
    assert main(["baseline", "create", "a.py", "-o", "base.json", *ONLY]) == 0
    assert "baseline base.json records 1 finding" in capsys.readouterr().err
    data = json.loads((tmp_path / "base.json").read_text())
    assert data["secreview_baseline"] == 2 and [(f["path"], f["line"], f["rule"]) for f in data["findings"]] == [
        ("a.py", 5, "SR510")]
    assert main(["scan", "a.py", "--baseline", "base.json", *ONLY]) == 0
    assert "1 finding hidden by the baseline base.json" in capsys.readouterr().err
    # A copy of the grandfathered line in the same function is a second occurrence: it is reported.
    (tmp_path / "a.py").write_text(LOAD.replace("    return yaml.load(data)\n",
                                                "    return yaml.load(data)\n    return yaml.load(data)\n"))
    assert main(["scan", "a.py", "--baseline", "base.json", "--format", "json", *ONLY]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["line"], f["rule"]) for f in out["findings"]] == [("a.py", 6, "SR510")]
    assert sum(p["findings"] for p in out["pillars"]) == 1


def test_diff_honours_a_baseline_made_at_the_repository_root(tmp_path, monkeypatch, capsys):
    repo = Repo(tmp_path / "r")
    repo.commit("one", **{"a.py": "x = 1\n", "b.py": "x = 1\n"})
    repo.write("a.py", LOAD)
    monkeypatch.chdir(repo.root)  # scan paths are relative to here; diff paths to the repository root
    assert main(["baseline", "create", ".", "-o", str(tmp_path / "b.json"), *ONLY]) == 0
    repo.write("b.py", LOAD)
    assert diff(capsys, *ONLY)[1] == [("a.py", 5, "SR510"), ("b.py", 5, "SR510")]
    code, found, _ = diff(capsys, "--baseline", str(tmp_path / "b.json"), *ONLY)
    assert (code, found) == (1, [("b.py", 5, "SR510")])


def test_bad_baseline_files_are_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(LOAD)
    cases = {"missing.json": None, "junk.json": "{not json", "other.json": '{"findings": []}',
             "future.json": '{"secreview_baseline": 99, "findings": []}',
             "shape.json": '{"secreview_baseline": 2, "findings": [{"rule": "SR510"}]}'}
    messages = {"missing.json": "cannot read baseline", "junk.json": "not a JSON baseline file",
                "other.json": "not a secreview baseline", "future.json": "format version 99 is not supported",
                "shape.json": "'findings' must be a list of objects with a 'fingerprint' string"}
    for name, content in cases.items():
        if content is not None:
            (tmp_path / name).write_text(content)
        assert main(["scan", "a.py", "--baseline", name]) == 2, name
        assert messages[name] in capsys.readouterr().err, name
