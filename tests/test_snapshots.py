"""Snapshot fixtures: everything a user reads of every finding on every fixture, compared exactly.

The marker tests (test_rule_fixtures, test_taint_fixtures, test_provenance_dos) pin (line, rule)
pairs; a regression in a message, a column, a fix, a suggested rewrite or a trace step passes them.
Here each fixture is reviewed the way its marker test reviews it, and the findings are compared
field by field with a reviewed expectation file under tests/snapshots/ (see its README).
Regenerate after an intended change, then read the diff:

    python -m pytest tests/test_snapshots.py --update-snapshots && git diff tests/snapshots
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from test_taint_fixtures import review_project  # the taint marker test's own options, so both see one review

from conftest import FIXTURES, ROOT
from secreview.engine import review_text
from secreview.model import Finding
from secreview.ruleset import Rule, load_rules

SNAPSHOTS = ROOT / "tests" / "snapshots"
UPDATE = "python -m pytest tests/test_snapshots.py --update-snapshots"
# What a reviewed project reads of a finding, in this order. Not the fingerprint (tested on its own), nor
# title, CWE name, pillar and type, which follow from the rule code and the CWE id (test_rule_meta).
FIELDS = ("path", "line", "column", "end_line", "end_column", "rule", "name", "cwe", "severity", "confidence",
          "test_code", "message", "fix", "suggestion", "trace")
STEP_FIELDS = ("path", "line", "column", "snippet", "note")
# How each kind of fixture is reviewed: as its marker test does it.
HOW = {
    "rules": "one file: engine.review_text(file name, text, load_rules()), as test_rule_fixtures",
    "provenance": "one file: engine.review_text(file name, text, load_rules()), as test_provenance_dos",
    "taint": "one project rooted at the case: test_taint_fixtures.review_project (no project scope, "
             "test code kept)",
}


@dataclass(frozen=True)
class Case:
    kind: str  # a key of HOW
    fixture: Path  # a file, or for taint a directory reviewed as one project
    snapshot: Path

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.snapshot.stem}"


def case(kind: str, fixture: Path) -> Case:
    name = fixture.name if fixture.is_dir() else fixture.stem
    return Case(kind, fixture, SNAPSHOTS / kind / f"{name}.json")


def all_cases() -> list[Case]:
    taint = FIXTURES / "taint"
    return ([case("rules", p) for p in sorted((FIXTURES / "rules").glob("*.py"))]
            + [case("provenance", p) for p in sorted((FIXTURES / "provenance").glob("*.py"))]
            + [case("taint", d) for d in sorted(taint.iterdir()) if d.is_dir()])


CASES = all_cases()


def record(finding: Finding) -> dict:
    """A finding as the snapshot holds it (paths relative to the fixture, as reports show them)."""
    values = {name: getattr(finding, name) for name in FIELDS if name != "trace"}
    values["severity"], values["confidence"] = str(finding.severity), str(finding.confidence)
    values["trace"] = [{name: getattr(step, name) for name in STEP_FIELDS} for step in finding.trace]
    return values


def order(item: dict) -> tuple:
    return (item["path"], item["line"], item["column"], item["rule"], item["end_line"], item["end_column"],
            item["message"], json.dumps(item["trace"]))


def review(item: Case, rules: tuple[Rule, ...]) -> dict:
    """The snapshot document of one fixture, from a fresh review."""
    if item.kind == "taint":
        report = review_project(item.fixture)
        findings, errors = report.findings, report.errors
    else:
        result = review_text(item.fixture.name, item.fixture.read_text(encoding="utf-8"), rules)
        findings, errors = result.findings, result.errors
    assert not errors, f"{item.id}: the review did not finish: {errors}"
    return {"fixture": item.fixture.relative_to(ROOT).as_posix(), "review": HOW[item.kind],
            "findings": sorted((record(f) for f in findings), key=order)}


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def dump(document: dict) -> str:
    """Indented JSON with one line per field and per trace step, so a diff shows what changed."""
    findings = []
    for item in document["findings"]:
        fields = [f'      "{k}": {_json(v)}' for k, v in item.items() if k != "trace"]
        steps = ",\n".join(f"        {_json(step)}" for step in item["trace"])
        fields.append(f'      "trace": [\n{steps}\n      ]' if steps else '      "trace": []')
        findings.append("    {\n" + ",\n".join(fields) + "\n    }")
    head = [f'  "{k}": {_json(v)}' for k, v in document.items() if k != "findings"]
    body = "[\n" + ",\n".join(findings) + "\n  ]" if findings else "[]"
    return "{\n" + ",\n".join([*head, f'  "findings": {body}']) + "\n}\n"


def where(item: dict) -> str:
    return f"{item['path']}:{item['line']}:{item['column']} {item['rule']} {item['name']}"


def _keyed(findings: list[dict]) -> dict[tuple, dict]:
    # (path, line, rule, n-th of them): a finding whose message or column changed is still paired with
    # its snapshot and shown field by field; one that moved to another line is missing plus unexpected
    keyed: dict[tuple, dict] = {}
    for item in findings:
        key = (item["path"], item["line"], item["rule"])
        n = sum(1 for k in keyed if k[:3] == key)
        keyed[(*key, n)] = item
    return keyed


def _value_lines(label: str, old: object, new: object) -> list[str]:
    return [f"  {label}:", f"    snapshot: {json.dumps(old, ensure_ascii=False)}",
            f"    review:   {json.dumps(new, ensure_ascii=False)}"]


def field_differences(old: dict, new: dict) -> list[str]:
    """Each field of two findings that differs (a trace step by step, field by field)."""
    lines: list[str] = []
    for name in dict.fromkeys([*FIELDS, *old, *new]):
        if name == "trace" and old.get(name) != new.get(name):
            before, after = old.get("trace") or [], new.get("trace") or []
            for i in range(max(len(before), len(after))):
                if i >= len(after):
                    lines += [f"  trace[{i}]: only in the snapshot: {json.dumps(before[i], ensure_ascii=False)}"]
                elif i >= len(before):
                    lines += [f"  trace[{i}]: only in the review: {json.dumps(after[i], ensure_ascii=False)}"]
                else:
                    for key in dict.fromkeys([*STEP_FIELDS, *before[i], *after[i]]):
                        if before[i].get(key) != after[i].get(key):
                            lines += _value_lines(f"trace[{i}].{key}", before[i].get(key), after[i].get(key))
        elif old.get(name) != new.get(name):
            lines += _value_lines(name, old.get(name), new.get(name))
    return lines


def differences(expected: dict, actual: dict, shown: int = 5) -> list[str]:
    """Readable lines saying how a review differs from its snapshot; [] when they are identical."""
    if expected == actual:
        return []
    lines = [line for key in ("fixture", "review") if expected.get(key) != actual.get(key)
             for line in _value_lines(key, expected.get(key), actual.get(key))]
    old, new = _keyed(expected.get("findings", [])), _keyed(actual.get("findings", []))
    changed = [k for k in old if k in new and old[k] != new[k]]
    missing = [k for k in old if k not in new]
    unexpected = [k for k in new if k not in old]
    lines.append(f"snapshot {len(old)} findings, review {len(new)}: {len(changed)} changed, "
                 f"{len(missing)} missing, {len(unexpected)} unexpected")
    if changed:
        lines += [f"first changed finding, {where(old[changed[0]])}:", *field_differences(old[changed[0]],
                                                                                           new[changed[0]])]
    for title, keys, side in (("missing (in the snapshot, not reported)", missing, old),
                              ("unexpected (reported, not in the snapshot)", unexpected, new)):
        if keys:
            lines.append(f"{title}:")
            lines += [f"  {where(side[k])}: {side[k]['message']}" for k in keys[:shown]]
            lines += [f"  ... and {len(keys) - shown} more"] if len(keys) > shown else []
    if not (changed or missing or unexpected) and old != new:
        lines.append("the same findings in another order (snapshots are written sorted; edited by hand?)")
    return lines


def verify(item: Case, actual: dict, update: bool) -> None:
    """Compare a review with its snapshot (or, with `update`, write it); fail with the differences."""
    text = dump(actual)
    assert str(ROOT) not in text, f"{item.id}: an absolute path in the review would tie the snapshot to this checkout"
    if update:
        item.snapshot.parent.mkdir(parents=True, exist_ok=True)
        if not item.snapshot.is_file() or item.snapshot.read_text(encoding="utf-8") != text:
            item.snapshot.write_text(text, encoding="utf-8")
        return
    shown = item.snapshot.relative_to(ROOT) if item.snapshot.is_relative_to(ROOT) else item.snapshot
    if not item.snapshot.is_file():
        pytest.fail(f"{item.id}: no snapshot at {shown} (a new fixture?); write it with\n  {UPDATE}\n"
                    "and review it before committing", pytrace=False)
    lines = differences(json.loads(item.snapshot.read_text(encoding="utf-8")), actual)
    if lines:
        pytest.fail("\n".join([f"{item.id}: the review differs from {shown}", *lines,
                               "if the change is intended, regenerate and review the diff:",
                               f"  {UPDATE} && git diff tests/snapshots"]), pytrace=False)


@pytest.fixture(scope="module")
def rules() -> tuple[Rule, ...]:
    return load_rules()


@pytest.fixture(scope="module")
def update(request) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@pytest.mark.parametrize("item", CASES, ids=[c.id for c in CASES])
def test_review_matches_its_snapshot(item, rules, update):
    verify(item, review(item, rules), update)


def test_every_snapshot_has_its_fixture(update):
    wanted = {c.snapshot for c in CASES}
    stale = sorted(p for p in SNAPSHOTS.rglob("*.json") if p not in wanted)
    if update:
        for path in stale:
            path.unlink()
        return
    assert not stale, (f"snapshots without a fixture: {[p.relative_to(ROOT).as_posix() for p in stale]}; "
                       f"remove them with {UPDATE}")


# -- the comparison fails on what users read --------------------------------------------------------

PLANTED = " (planted)"


def _planted_failure(item: Case, rules: tuple[Rule, ...]) -> str:
    with pytest.raises(pytest.fail.Exception) as failed:
        verify(item, review(item, rules), update=False)
    return str(failed.value)


def _first(item: Case, name: str, with_trace: bool = False) -> dict:
    findings = json.loads(item.snapshot.read_text(encoding="utf-8"))["findings"]
    return next(f for f in findings if f["name"] == name and (f["trace"] or not with_trace))


def test_a_reworded_rule_message_fails_field_by_field(rules):
    name = "weak-hash-for-security"
    [rule] = [r for r in rules if r.meta.name == name]
    check = rule.check

    def reworded(node, ctx):
        return [replace(hit, message=hit.message + PLANTED) for hit in check(node, ctx)]

    item = case("rules", FIXTURES / "rules" / f"{name}.py")
    first = _first(item, name)
    findings = json.loads(item.snapshot.read_text(encoding="utf-8"))["findings"]
    total, count = len(findings), sum(1 for f in findings if f["name"] == name)
    text = _planted_failure(item, tuple(replace(r, check=reworded) if r is rule else r for r in rules))
    assert text.splitlines()[:6] == [
        f"rules/{name}: the review differs from tests/snapshots/rules/{name}.json",
        f"snapshot {total} findings, review {total}: {count} changed, 0 missing, 0 unexpected",
        f"first changed finding, {where(first)}:",
        "  message:",
        f"    snapshot: {json.dumps(first['message'], ensure_ascii=False)}",
        f"    review:   {json.dumps(first['message'] + PLANTED, ensure_ascii=False)}",
    ]
    assert text.splitlines()[-1] == f"  {UPDATE} && git diff tests/snapshots"


def test_a_changed_trace_step_fails_at_that_step(rules):
    name = "remote-command-injection"
    [rule] = [r for r in rules if r.meta.name == name]
    assert rule.taint is not None
    for_sink = rule.taint.for_sink

    def renoted(hit, call, ctx):
        hit = for_sink(hit, call, ctx) if for_sink is not None else hit
        if hit is None or not hit.trace:
            return hit
        last = hit.trace[-1]
        return replace(hit, trace=(*hit.trace[:-1], replace(last, note=last.note + PLANTED)))

    item = case("rules", FIXTURES / "rules" / f"{name}.py")
    first = _first(item, name, with_trace=True)
    planted = replace(rule, taint=replace(rule.taint, for_sink=renoted))
    text = _planted_failure(item, tuple(planted if r is rule else r for r in rules))
    last = len(first["trace"]) - 1
    assert f"first changed finding, {where(first)}:\n  trace[{last}].note:\n" in text
    assert f"    review:   {json.dumps(first['trace'][last]['note'] + PLANTED, ensure_ascii=False)}\n" in text


def test_a_fixture_without_snapshot_fails_and_says_how_to_write_it(rules, tmp_path):
    item = replace(case("provenance", FIXTURES / "provenance" / "wsgi_sized_read.py"),
                   snapshot=tmp_path / "wsgi_sized_read.json")
    text = _planted_failure(item, rules)
    assert text.startswith(f"provenance/wsgi_sized_read: no snapshot at {tmp_path / 'wsgi_sized_read.json'}")
    assert UPDATE in text


def test_moved_and_dropped_findings_are_listed():
    def finding(line: int, message: str) -> dict:
        return {"path": "a.py", "line": line, "column": 5, "end_line": line, "end_column": 9, "rule": "SR101",
                "name": "x", "cwe": 78, "severity": "high", "confidence": "high", "test_code": False,
                "message": message, "fix": "f", "suggestion": "", "trace": []}

    old = {"fixture": "f", "review": "r", "findings": [finding(3, "m"), finding(7, "n"), finding(9, "o")]}
    new = {"fixture": "f", "review": "r", "findings": [finding(3, "m"), finding(8, "n")]}
    assert differences(old, new) == [
        "snapshot 3 findings, review 2: 0 changed, 2 missing, 1 unexpected",
        "missing (in the snapshot, not reported):",
        "  a.py:7:5 SR101 x: n",
        "  a.py:9:5 SR101 x: o",
        "unexpected (reported, not in the snapshot):",
        "  a.py:8:5 SR101 x: n",
    ]
    assert differences(old, old) == []
