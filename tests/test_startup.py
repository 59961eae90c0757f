"""Start-up: what a fresh process imports for `--version` and for a scan answered from the cache, the rule
index that stands in for the rule modules, and the memo of secreview's code signature. Nothing here is
timed (benchmarks/startup.py prints the figures); these tests pin down the work that is not done."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from secreview import __version__, cache
from secreview.engine import review_text
from secreview.model import Confidence, Severity
from secreview.ruleindex import INDEX_FILE, index_entries, indexed_rules, rule_from_entry
from secreview.ruleset import DeferredFunction, load_rules, no_check, rule_info, with_code

VULNERABLE = 'import os\n\n\ndef list_directory(name):\n    return os.system("ls " + name)\n'

# Run in a child: the CLI's main, then the modules it imported and whether the CWE catalog was read.
CHILD = """
import json, sys
from secreview.cli import main
code = main(sys.argv[1:])
from secreview.cwe import load_catalog
print(json.dumps({"code": code, "modules": sorted(sys.modules),
                  "catalog_loaded": load_catalog.cache_info().currsize > 0}))
"""


def _env(cache_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECREVIEW_")}
    env.update(SECREVIEW_CACHE_DIR=str(cache_dir), PYTHONPATH=str(ROOT / "src"), CI="1")
    return env


def _child(args: list[str], cwd: Path, cache_dir: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], cwd=cwd, env=_env(cache_dir), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_version_imports_no_review_machinery(tmp_path):
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "secreview", "--version"], cwd=tmp_path,
                          env=_env(tmp_path / "cache"), capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout) == (0, f"secreview {__version__}\n")
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "secreview.cli" in imported  # the measurement works
    heavy = {"secreview.api", "secreview.audit", "secreview.engine", "secreview.cache", "httpx", "rich"}
    assert imported & heavy == set()
    assert [m for m in imported if m.split(".")[:2] == ["secreview", "rules"]] == []


def test_warm_one_file_scan_imports_no_rule_and_reads_no_spec_or_catalog(tmp_path):
    (tmp_path / "one.py").write_text(VULNERABLE)
    args = ["scan", "one.py", "--format", "json"]
    cold = _child([*args, "--output", "cold.json"], tmp_path, tmp_path / "cache")
    assert cold["code"] == 1
    assert "secreview.rules.subprocess_shell_injection" in cold["modules"]  # cold runs load them
    warm = _child([*args, "--output", "warm.json"], tmp_path, tmp_path / "cache")
    assert warm["code"] == 1
    assert [m for m in warm["modules"] if m.split(".")[:2] == ["secreview", "rules"]] == []
    assert "secreview.taint.loader" not in warm["modules"]  # the only reader of the TOML specs
    assert not warm["catalog_loaded"]
    reports = [json.loads((tmp_path / name).read_text()) for name in ("cold.json", "warm.json")]
    for report in reports:
        report["stats"].pop("seconds")
    assert reports[0] == reports[1]  # findings, verdict and the rules' info alike
    assert [(f["rule"], f["line"]) for f in reports[1]["findings"]] == [("SR101", 5)]


def test_warm_scan_of_a_summarised_project_reads_no_spec(tmp_path):
    # a module another one imports is summarised by the project phase; warm, its summary comes from the cache
    (tmp_path / "helpers.py").write_text("import os\n\ndef run(cmd):\n    os.system(cmd)\n")
    (tmp_path / "app.py").write_text("import sys\nfrom helpers import run\n\nrun(sys.argv[1])\n")
    cold = _child(["scan", ".", "--format", "json", "--output", "cold.json"], tmp_path, tmp_path / "cache")
    assert "secreview.taint.loader" in cold["modules"]
    warm = _child(["scan", ".", "--format", "json", "--output", "warm.json"], tmp_path, tmp_path / "cache")
    assert "secreview.taint.loader" not in warm["modules"]
    assert [m for m in warm["modules"] if m.split(".")[:2] == ["secreview", "rules"]] == []
    findings = [json.loads((tmp_path / n).read_text())["findings"] for n in ("cold.json", "warm.json")]
    assert findings[0] == findings[1] and findings[0]


def _same(indexed, real) -> None:
    assert (indexed.meta, indexed.nodes, indexed.doc, indexed.module, indexed.sections, indexed.needs) == \
        (real.meta, real.nodes, real.doc, real.module, real.sections, real.needs)
    assert (indexed.taint is None) == (real.taint is None)
    if real.taint is not None:
        assert (indexed.taint.sources, indexed.taint.sinks) == (real.taint.sources, real.taint.sinks)
        assert (indexed.taint.validated is None) == (real.taint.validated is None)
        assert (indexed.taint.for_sink is None) == (real.taint.for_sink is None)
    assert (indexed.prefilter is None) == (real.prefilter is None)
    assert rule_info(indexed) == rule_info(real)


def test_index_holds_every_rule_as_its_module_defines_it(tmp_path):
    real = load_rules()
    assert indexed_rules(tmp_path, "sig-1") is real  # no index yet: the modules' rules, and the index written
    indexed = indexed_rules(tmp_path, "sig-1")
    assert [r.meta.code for r in indexed] == [r.meta.code for r in real]
    for a, b in zip(indexed, real, strict=True):
        _same(a, b)
    with_functions = [r.meta.code for r in real if r.check is not no_check or r.prefilter
                      or (r.taint and (r.taint.validated or r.taint.for_sink))]
    assert [r.meta.code for r in indexed if r.deferred] == with_functions
    assert with_code(indexed) == real
    assert with_code(real) is real


@pytest.mark.parametrize("fixture", ["shell-command-injection", "path-traversal", "open-redirect",
                                     "remote-command-injection", "lock-order-inversion"])
def test_index_rules_find_what_the_modules_find(fixture):  # check, validated, for_sink, prefilter called
    text = (FIXTURES / "rules" / f"{fixture}.py").read_text()
    real = load_rules()
    indexed = tuple(rule_from_entry(e) for e in index_entries(real))
    expected = review_text("x.py", text, real).findings
    assert expected and review_text("x.py", text, indexed).findings == expected
    assert isinstance(indexed[0].check, DeferredFunction)


def test_index_of_another_code_signature_is_compiled_again(tmp_path):
    indexed_rules(tmp_path, "old")
    data = json.loads((tmp_path / INDEX_FILE).read_text())
    data["rules"][0]["title"] = "changed by an older secreview"
    (tmp_path / INDEX_FILE).write_text(json.dumps(data))
    assert indexed_rules(tmp_path, "old")[0].meta.title == "changed by an older secreview"  # same signature: used
    assert indexed_rules(tmp_path, "new") is load_rules()  # another signature: compiled from the modules
    assert json.loads((tmp_path / INDEX_FILE).read_text())["signature"] == "new"


@pytest.mark.parametrize("damage", [b"not json", b"{}", b'{"format": 1, "signature": "s", "rules": [{}]}'])
def test_damaged_index_is_compiled_again(tmp_path, damage):
    (tmp_path / INDEX_FILE).write_bytes(damage)
    assert indexed_rules(tmp_path, "s") is load_rules()
    assert len(indexed_rules(tmp_path, "s")) == len(load_rules())


def test_index_never_names_a_module_outside_the_rules_package(tmp_path):
    indexed_rules(tmp_path, "s")
    data = json.loads((tmp_path / INDEX_FILE).read_text())
    data["rules"][0]["module"] = "antigravity"  # importing it would open a web browser
    (tmp_path / INDEX_FILE).write_text(json.dumps(data))
    assert indexed_rules(tmp_path, "s") is load_rules()
    assert "antigravity" not in sys.modules


def test_index_entry_round_trip_keeps_severity_and_confidence():
    rule = next(r for r in load_rules() if r.meta.code == "SR101")
    back = rule_from_entry(index_entries((rule,))[0])
    assert (back.meta.severity, back.meta.confidence) == (Severity.HIGH, Confidence.HIGH)
    assert back.meta == rule.meta


def _package(root: Path) -> Path:
    (root / "taint" / "specs").mkdir(parents=True)
    (root / "cwe").mkdir()
    (root / "__pycache__").mkdir()
    (root / "a.py").write_text("x = 1\n")
    (root / "taint" / "specs" / "lib.toml").write_text("[library]\n")
    (root / "cwe" / "catalog.json").write_text("{}")
    (root / "__pycache__" / "a.py").write_text("not signed")
    (root / "notes.txt").write_text("not signed")
    return root


def test_signature_covers_sources_specs_and_catalog_only(tmp_path):
    root = _package(tmp_path / "pkg")
    first = cache.signature_of(root, None)
    (root / "notes.txt").write_text("still not signed")
    (root / "__pycache__" / "a.py").write_text("nor this")
    assert cache.signature_of(root, None) == first
    for changed in ("a.py", "taint/specs/lib.toml", "cwe/catalog.json"):
        before = cache.signature_of(root, None)
        (root / changed).write_text((root / changed).read_text() + " ")
        assert cache.signature_of(root, None) != before, changed


def test_signature_memo_is_used_while_the_stats_stand(tmp_path):
    root = _package(tmp_path / "pkg")
    memo = tmp_path / "memo.json"
    signature = cache.signature_of(root, memo)
    assert signature == cache.signature_of(root, None)
    remembered = json.loads(memo.read_text())
    memo.write_text(json.dumps({**remembered, "signature": "from the memo"}))
    assert cache.signature_of(root, memo) == "from the memo"  # stats unchanged: the files are not read
    (root / "a.py").write_text("x = 2\n")  # same size, new content (and mtime): hashed again
    assert cache.signature_of(root, memo) == cache.signature_of(root, None) != signature
    assert json.loads(memo.read_text())["signature"] == cache.signature_of(root, None)


def test_signature_of_touched_files_is_unchanged(tmp_path):
    root = _package(tmp_path / "pkg")
    memo = tmp_path / "memo.json"
    signature = cache.signature_of(root, memo)
    stats = json.loads(memo.read_text())["stats"]
    os.utime(root / "a.py", ns=(1, 1))  # a fresh install of the same code: other mtimes, same contents
    assert cache.signature_of(root, memo) == signature
    assert json.loads(memo.read_text())["stats"] != stats


def test_unwritable_memo_only_costs_a_hash(tmp_path):
    root = _package(tmp_path / "pkg")
    blocker = tmp_path / "file"
    blocker.write_text("a file where the memo's directory should be")
    assert cache.signature_of(root, blocker / "memo.json") == cache.signature_of(root, None)
