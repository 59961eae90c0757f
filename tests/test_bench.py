"""`secreview bench`: exact figures on tiny datasets in tests/fixtures/bench/."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES
from secreview.bench import DatasetError, Hit, load_dataset, score, secreview_hits
from secreview.bench.datasets import Label
from secreview.bench.render import render_text, summary
from secreview.bench.sarif_input import SarifError, read_sarif
from secreview.cli import main

BENCH = FIXTURES / "bench"
PAIRS = BENCH / "pairs" / "labels.jsonl"
SARIF = BENCH / "other-tool.sarif"


@pytest.fixture(scope="module")
def pairs():
    return load_dataset(PAIRS)


@pytest.fixture(scope="module")
def pairs_score(pairs):
    hits, notes = secreview_hits(pairs, jobs=1)
    assert notes == []
    return score(pairs, hits)


def test_pairs_dataset_loads(pairs):
    assert pairs.kind == "lines"
    assert len(pairs.labels) == 6 and len(pairs.files) == 6
    delete = [lab for lab in pairs.labels if lab.file == "src/delete_vuln.py"][0]
    assert (delete.cwe, delete.pillar, delete.type, delete.polarity, delete.pair) == (862, 284, "access", "vuln",
                                                                                      "delete")
    lookup = [lab for lab in pairs.labels if lab.file == "src/lookup_vuln.py"][0]
    assert lookup.type == "cmdi"  # derived from the rules that check CWE-78


def test_pairs_line_level_exact(pairs_score):
    # ping: vuln hit, safe clean; delete (CWE-862): vuln missed; lookup: vuln hit, safe twin flagged.
    assert pairs_score["findings"] == 3
    assert pairs_score["line"] == {"tp": 2, "fp": 1, "fn": 1, "precision": 0.6667, "recall": 0.6667,
                                   "f1": 0.6667, "safe_labels": 3, "safe_flagged": 1}


def test_pairs_file_level_and_youden(pairs_score):
    assert pairs_score["file"] == {"tp": 2, "fp": 1, "fn": 1, "precision": 0.6667, "recall": 0.6667,
                                   "f1": 0.6667, "files": 6}
    assert pairs_score["paired"] == {"vuln": 3, "safe": 3, "tpr": 0.6667, "fpr": 0.3333, "youden": 0.3333,
                                     "pairs": 3, "pairs_told_apart": 1}
    assert "top_k" not in pairs_score


def test_pairs_breakdowns(pairs_score):
    by = pairs_score["by"]
    assert by["rule"]["shell-command-injection"]["tp"] == 2 and by["rule"]["shell-command-injection"]["fp"] == 1
    assert by["rule"]["(none)"] == {"tp": 0, "fp": 0, "fn": 1, "precision": None, "recall": 0.0, "f1": 0.0}
    assert set(by["cwe"]) == {"CWE-78", "CWE-862"}
    assert by["pillar"]["CWE-707"] == {"tp": 2, "fp": 1, "fn": 0, "precision": 0.6667, "recall": 1.0, "f1": 0.8}
    assert by["pillar"]["CWE-284"]["fn"] == 1
    assert set(by["type"]) == {"cmdi", "access"}


def _label(line: int, cwe: int = 78, pillar: int | None = 707, polarity: str = "vuln") -> Label:
    return Label("a.py", (line,), cwe, pillar, polarity, "cmdi")


def _hit(line: int, cwe: int = 78, pillar: int | None = 707, path: str = "a.py", severity: int = 3) -> Hit:
    return Hit("r", cwe, pillar, "cmdi", path, line, severity)


def _dataset(*labels: Label):
    from pathlib import Path

    from secreview.bench.datasets import Dataset

    return Dataset("t", Path("."), "lines", labels, tuple(sorted({lab.file for lab in labels})))


@pytest.mark.parametrize(("hit", "tolerance", "tp"), [
    (_hit(12), 2, 1), (_hit(8), 2, 1), (_hit(13), 2, 0), (_hit(13), 3, 1), (_hit(10), 0, 1),
    (_hit(10, cwe=89, pillar=707), 2, 1),  # same pillar, other CWE
    (_hit(10, cwe=862, pillar=284), 2, 0),  # other pillar
    (_hit(10, cwe=0, pillar=None), 2, 1),  # no CWE: location only
    (_hit(10, path="b.py"), 2, 0),
])
def test_tolerance_and_pillar(hit, tolerance, tp):
    result = score(_dataset(_label(10)), [hit], tolerance)
    assert (result["line"]["tp"], result["line"]["fp"], result["line"]["fn"]) == (tp, 1 - tp, 1 - tp)


def test_finding_goes_to_the_nearest_label():
    data = _dataset(_label(5), _label(6, polarity="safe"))
    on_vuln = score(data, [_hit(5)])
    assert on_vuln["line"]["tp"] == 1 and on_vuln["line"]["safe_flagged"] == 0
    on_safe = score(data, [_hit(6)])
    assert on_safe["line"]["tp"] == 0 and on_safe["line"]["fp"] == 1 and on_safe["line"]["safe_flagged"] == 1
    assert on_safe["paired"]["youden"] == -1.0
    both = score(data, [_hit(5), _hit(5)])  # two findings on one label count once
    assert (both["line"]["tp"], both["line"]["fp"]) == (1, 0)


def test_samples_top_k():
    data = load_dataset(BENCH / "samples")
    assert data.kind == "samples" and data.files == ("code/delete.py", "code/ping.py", "code/server.py")
    result = score(data, secreview_hits(data, jobs=1)[0])
    # server.py: three high-severity shell findings rank above the labeled low-severity bind-all finding.
    assert result["top_k"] == {"samples": 3, "top_1": {"detected": 1, "rate": 0.3333},
                               "top_3": {"detected": 1, "rate": 0.3333}, "top_10": {"detected": 2, "rate": 0.6667},
                               "all": {"detected": 2, "rate": 0.6667}}
    assert result["line"]["tp"] == 2 and result["line"]["fp"] == 3 and result["line"]["fn"] == 1


def test_directory_of_labels_files_is_loaded_recursively():
    data = load_dataset(BENCH)
    assert data.kind == "mixed"
    assert "pairs/src/ping_vuln.py" in data.files and "samples/code/server.py" in data.files
    assert len(data.labels) == 9


def test_markers_directory():
    data = load_dataset(BENCH / "markers")
    assert data.kind == "markers"
    got = {(lab.file, lab.lines[0], lab.polarity, lab.rule, lab.cwe) for lab in data.labels}
    assert got == {("commands.py", 5, "vuln", "shell-command-injection", 78),
                   ("commands.py", 6, "safe", "shell-command-injection", 78),
                   ("queries.py", 8, "vuln", "sql-string-built", 89),
                   ("queries.py", 15, "safe", "shell-command-injection", 78)}
    result = score(data, secreview_hits(data, jobs=1)[0])
    assert result["line"] == {"tp": 1, "fp": 1, "fn": 1, "precision": 0.5, "recall": 0.5, "f1": 0.5,
                              "safe_labels": 2, "safe_flagged": 1}
    assert result["by"]["rule"]["sql-string-built"]["fn"] == 1
    assert result["paired"]["youden"] == 0.0


def test_other_tools_sarif(pairs):
    hits, notes = read_sarif(SARIF, pairs.root, pairs.files)
    assert sorted((h.path, h.line, h.rule, h.cwe) for h in hits) == [
        ("src/delete_safe.py", 4, "OT608", 89), ("src/delete_vuln.py", 4, "OT900", 0),
        ("src/lookup_safe.py", 8, "OT605", 78), ("src/ping_vuln.py", 5, "OT602", 78)]
    assert any("1 result(s)" in n and "no CWE" in n for n in notes)
    assert any("outside" in n for n in notes)
    result = score(pairs, hits)
    assert result["line"] == {"tp": 2, "fp": 2, "fn": 1, "precision": 0.5, "recall": 0.6667, "f1": 0.5714,
                              "safe_labels": 3, "safe_flagged": 1}
    assert result["paired"]["pairs_told_apart"] == 2
    assert result["by"]["type"]["sqli"]["fp"] == 1


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "not JSON"),
    ('["a"]', "JSON object"),
    ('{"file": "src/ping_vuln.py", "line": 5, "cwe": 999999, "polarity": "vuln"}', "unknown CWE-999999"),
    ('{"file": "src/ping_vuln.py", "line": 5, "cwe": "xss", "polarity": "vuln"}', "'cwe' must be"),
    ('{"file": "src/ping_vuln.py", "line": 0, "cwe": 78, "polarity": "vuln"}', "needs 'line'"),
    ('{"file": "src/ping_vuln.py", "line": 5, "cwe": 78, "polarity": "bad"}', "'polarity' must be"),
    ('{"file": "src/ping_vuln.py", "line": 5, "cwe": 78, "polarity": "vuln", "type": "x"}', "unknown defect type"),
    ('{"file": "src/ping_vuln.py", "lines": [], "cwe": 78, "type": "cmdi"}', "'lines' must be"),
    ('{"file": "src/nope.py", "line": 5, "cwe": 78, "polarity": "vuln"}', "does not exist"),
    ('{"file": "../outside.py", "line": 5, "cwe": 78, "polarity": "vuln"}', "outside the dataset"),
])
def test_malformed_datasets(tmp_path, line, message):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ping_vuln.py").write_text("x = 1\n", encoding="utf-8")
    path = tmp_path / "data.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        load_dataset(path)


def test_unknown_marker_rule(tmp_path):
    (tmp_path / "a.py").write_text("x = 1  # ruleid: no-such-rule\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="unknown rule 'no-such-rule'"):
        load_dataset(tmp_path)


def test_bad_sarif(tmp_path, pairs):
    bad = tmp_path / "bad.sarif"
    bad.write_text('{"version": "2.1.0"}', encoding="utf-8")
    with pytest.raises(SarifError, match="no 'runs'"):
        read_sarif(bad, pairs.root, pairs.files)


def test_cli_json_two_tools(capsys):
    code = main(["bench", str(PAIRS), "--sarif", f"other={SARIF}", "--format", "json", "--jobs", "1"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tools"] == ["secreview", "other"]
    assert data["dataset"] == {"name": "labels.jsonl", "kind": "lines", "labels": 6, "vuln": 3, "safe": 3,
                               "files": 6}
    assert data["results"]["secreview"]["line"]["fp"] == 1 and data["results"]["other"]["line"]["fp"] == 2
    assert data["tolerance"] == 2 and len(data["notes"]) == 2


def test_cli_text_tables(capsys):
    assert main(["bench", str(BENCH / "markers"), "--sarif", str(SARIF), "-k", "0", "-j", "1"]) == 0
    out = capsys.readouterr().out
    for title in ("Line level (±0)", "File level", "Paired vulnerable/safe", "By rule", "By cwe", "By pillar",
                  "By type"):
        assert title in out
    assert "secreview  other-tool" in out


def test_cli_only_sarif_and_output_file(tmp_path):
    out = tmp_path / "bench.txt"
    assert main(["bench", str(PAIRS), "--no-secreview", "--sarif", f"x={SARIF}", "-o", str(out)]) == 0
    assert "x" in out.read_text(encoding="utf-8").splitlines()[2]


@pytest.mark.parametrize("argv", [
    ["bench", "does/not/exist.jsonl"],
    ["bench", str(PAIRS), "--no-secreview"],
    ["bench", str(PAIRS), "--sarif", "=x"],
    ["bench", str(PAIRS), "--sarif", "a=missing.sarif", "--no-secreview"],
    ["bench", str(PAIRS), "--tolerance", "-1"],
])
def test_cli_errors_exit_2(capsys, argv):
    assert main(argv) == 2
    assert "secreview: error:" in capsys.readouterr().err


def test_render_text_handles_no_findings(pairs):
    data = summary(pairs, 2, {"none": score(pairs, [])}, [])
    text = render_text(data)
    assert "precision" in text and "  -" in text
