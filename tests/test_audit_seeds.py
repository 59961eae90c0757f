"""`secreview audit` on the five seed answers against the seed file: what ../shared/seeds/README.md says,
with the exact names and lines (read against test_bug_1718455.py line by line)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from secreview.audit import audit
from secreview.audit.model import AuditReport
from secreview.cli import main

SEED_FILE = "test_bug_1718455.py"


@pytest.fixture
def report(seeds_dir: Path) -> AuditReport:
    answers = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((seeds_dir / "responses").glob("*.txt"))]
    assert len(answers) == 5
    return audit((seeds_dir / SEED_FILE).read_text(encoding="utf-8"), SEED_FILE, answers)


def _answer(report: AuditReport, prefix: str):
    return next(a for a in report.answers if a.source.startswith(prefix))


def _unknown(a) -> set[str]:
    return {r.value for r in a.references if r.kind == "identifier" and r.problem == "unknown"}


def _bad_lines(a) -> dict[str, str]:
    return {r.value: r.problem for r in a.references if r.kind == "line" and r.problem}


def _flags(a) -> Counter:
    return Counter(f.code for f in a.flags)


def test_all_five_conclude_none_three_contradict_themselves(report):
    got = {a.source[:3]: (a.verdict, a.parsed.verdict_conflict) for a in report.answers}
    assert got == {"000": ("none", True), "001": ("none", False), "002": ("none", True), "003": ("none", True),
                   "004": ("none", False)}


def test_000_seven_hedged_vulnerabilities_then_none(report):
    a = _answer(report, "000")
    assert [c.stance for c in a.claims] == ["potential"] * 7
    assert [c.cwe_ids for c in a.claims] == [(284,), (435,), (664,), (682,), (691,), (693,), (703,)]
    assert _unknown(a) == {"tearDown", "len", "test_live_migrate_one_instance", "neutron_fixture",
                           "placement_fixture"}
    assert {(f.claim, f.message.split("`")[1]) for f in a.flags if f.code == "unknown-identifier"} == {
        (0, "neutron_fixture"), (0, "placement_fixture"), (0, "tearDown"), (2, "tearDown"), (3, "len"),
        (4, "test_live_migrate_one_instance")}
    assert _bad_lines(a) == {}
    assert _flags(a) == Counter({"verdict-conflict": 1, "unknown-identifier": 6, "not-in-code": 1,
                                 "missing-location": 7, "missing-fix": 7})
    nodename = next(r for r in a.references if r.value == "nodename")
    assert (nodename.found, nodename.in_code, [w.line for w in nodename.where]) == (True, False, [64, 66, 67, 68])
    # names that are really in the file are found, with where they are
    found = {r.value: [w.line for w in r.where if w.kind == "code"] for r in a.references
             if r.kind == "identifier" and r.found}
    assert found["set_nodes"] == [69, 72]
    assert found["policy_fixture"] == [20, 47]
    assert found["TestLiveMigrateOneOfConcurrentlyCreatedInstances"] == [24, 45]
    assert found["post_server_action"] == [132]
    active = next(r for r in a.references if r.value == "ACTIVE")
    assert (active.in_code, [(w.line, w.kind) for w in active.where], active.note) == (
        True, [(95, "string")], "occurs only inside string literals")
    suggestion = next(r.note for r in a.references if r.value == "test_live_migrate_one_instance")
    assert "test_live_migrate_one_multi_created_instance" in suggestion


def test_001_style_advice_and_exception_handling_that_does_not_exist(report):
    a = _answer(report, "001")
    assert [c.stance for c in a.claims] == ["advice"] * 6
    assert [c.title for c in a.claims] == ["Consistent naming conventions", "Docstrings", "Comments",
                                           "Code organization", "Error handling", "Test isolation"]
    assert _unknown(a) == set()
    assert {(f.code, f.claim) for f in a.flags} == {("verbose", None), ("unknown-construct", 4)} | {
        ("non-security", i) for i in range(6)}
    assert {r.value for r in a.references if r.kind == "construct" and not r.found} == {"exception-handling",
                                                                                        "logging"}


def test_002_hedged_defects_after_the_clean_sentence(report):
    a = _answer(report, "002")
    assert a.parsed.assertions[0].startswith("Here are some observations and potential security defects")
    assert _unknown(a) == {"nova.tests.unit.image.fake.FakeImageService"}  # only FakeImageService_reset is
    fake_mini = next(r for r in a.references if r.value == "fake-mini")
    assert (fake_mini.found, fake_mini.in_code, [(w.line, w.kind) for w in fake_mini.where]) == (
        True, False, [(66, "comment")])
    assert _flags(a) == Counter({"verdict-conflict": 1, "unknown-identifier": 1, "verbose": 1, "not-in-code": 1,
                                 "missing-location": 7, "non-security": 6})
    assert not [c for c in a.claims if c.security and c.index != 2]


def test_003_hedged_issues_and_invented_fixture_names(report):
    a = _answer(report, "003")
    assert [c.stance for c in a.claims] == ["potential"] * 6
    assert _unknown(a) == {"neutron_fixture", "osapi_fixture"}
    assert _flags(a) == Counter({"verdict-conflict": 1, "unknown-identifier": 2, "missing-location": 6})
    # the second numbered list ("To address these ...") holds the fixes of the first
    assert all(c.fix for c in a.claims)
    assert "Configure security policies for fixtures" in a.claims[0].fix


def test_004_per_cwe_denials_are_no_conflict_but_its_lines_are_wrong(report):
    a = _answer(report, "004")
    assert [c.stance for c in a.claims] == ["none"] * 10
    assert [c.cwe_ids for c in a.claims] == [(p,) for p in (284, 435, 664, 682, 691, 693, 697, 703, 707, 710)]
    assert _bad_lines(a) == {"60": "mismatch", "69": "mismatch", "100": "docstring", "111": "mismatch"}
    notes = {r.value: r.note for r in a.references if r.kind == "line"}
    assert "58, 70, 73" in notes["60"] and "58, 70, 73" in notes["69"]  # where the cleanups really are
    assert "106-108, 121" in notes["111"]  # where the comparisons really are
    assert {(f.code, f.claim) for f in a.flags} == {("verbose", None), ("bad-line-reference", 2),
                                                    ("bad-line-reference", 6), ("not-in-code", 7)}
    assert _unknown(a) == set()


def test_no_name_in_the_file_is_ever_reported_unknown(report, seeds_dir):
    import re
    text = (seeds_dir / SEED_FILE).read_text(encoding="utf-8")
    for a in report.answers:
        for r in a.references:
            if r.kind == "identifier" and not r.found:
                assert not re.search(r"(?<![\w-])" + re.escape(r.value) + r"(?![\w-])", text), r.value


def test_consensus(report):
    c = report.consensus
    assert (c.majority, c.verdicts, c.conflicts) == ("none", {"defects": 0, "none": 5, "unclear": 0}, 3)
    assert c.flags["verdict-conflict"] == 3 and c.flags["bad-line-reference"] == 4
    by_pillar = {(k.pillar, k.lines) for k in c.clusters}
    assert (693, (132,)) in by_pillar  # 000's post_server_action claim, grounded but unsupported by others
    assert all(len(k.answers) == 1 for k in c.clusters)  # no two answers agree on any grounded defect


def test_cli_json_on_the_seeds(seeds_dir, capsys):
    files = [str(p) for p in sorted((seeds_dir / "responses").glob("*.txt"))]
    assert main(["audit", "--code", str(seeds_dir / SEED_FILE), "--format", "json", *files]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [a["source"] for a in data["answers"]] == files
    assert [a["verdict_conflict"] for a in data["answers"]] == [True, False, True, True, False]
    assert data["consensus"]["majority_verdict"] == "none"
    ref = next(r for r in data["answers"][4]["references"] if r["kind"] == "line" and r["value"] == "100")
    assert (ref["found"], ref["problem"], ref["where"][0]["kind"]) == (False, "docstring", "docstring")
    assert main(["audit", "--code", str(seeds_dir / SEED_FILE), "--fail-on-flags", "verdict-conflict",
                 *files]) == 1
