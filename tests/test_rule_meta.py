"""The rule contract: doc headings, runnable doc examples, fixture coverage, CWE
in the catalog, unique ids — checked for every rule module present."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conftest import FIXTURES
from secreview.cwe import load_catalog
from secreview.engine import review_text
from secreview.markers import parse_markers
from secreview.model import DEFECT_TYPES, PILLARS
from secreview.ruleset import DOC_HEADINGS, Rule, RuleError, check_overlaps, load_rules

RULES = load_rules()
IDS = [r.meta.name for r in RULES]


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_doc_has_every_heading(rule):
    missing = [h for h in DOC_HEADINGS if h not in rule.sections]
    assert not missing, f"{rule.module} doc lacks {missing}"
    assert rule.example.strip() and rule.use_instead.strip()


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_doc_example_fires_and_use_instead_does_not(rule):
    fired = review_text("example.py", rule.example, (rule,))
    assert not fired.errors
    assert any(f.rule == rule.meta.code for f in fired.findings), "Example does not fire"
    quiet = review_text("use_instead.py", rule.use_instead, (rule,))
    assert not quiet.errors
    assert [f.line for f in quiet.findings] == [], "Use instead fires"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_fixture_has_ruleid_and_ok(rule):
    """A pattern rule has `fixtures/rules/<name>.py`; a taint-only rule (no NODES) has its
    markers in the project cases of `fixtures/taint/` (a flow needs several modules)."""
    if rule.taint is not None and not rule.nodes:
        paths = sorted((FIXTURES / "taint").rglob("*.py"))
    else:
        paths = [FIXTURES / "rules" / f"{rule.meta.name}.py"]
        assert paths[0].is_file(), f"missing fixture {paths[0]}"
    kinds = {m.kind for path in paths for m in parse_markers(path.read_text(encoding="utf-8"))
             if m.rule == rule.meta.name}
    assert {"ruleid", "ok"} <= kinds


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_cwe_is_a_live_weakness_with_a_pillar(rule):
    entry = load_catalog().get(rule.meta.cwe)
    assert entry is not None and entry.kind == "weakness" and entry.status != "Deprecated"
    assert entry.pillar in PILLARS
    assert rule.meta.type in DEFECT_TYPES and rule.meta.fix.strip()


def test_codes_and_names_are_unique():
    assert len({r.meta.code for r in RULES}) == len(RULES)
    assert len({r.meta.name for r in RULES}) == len(RULES)


def test_rule_reference_is_current(capsys):
    from secreview.cli import main

    main(["rules", "--format", "markdown"])
    generated = capsys.readouterr().out
    committed = (FIXTURES.parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == generated, "docs/rules.md is stale: run `secreview rules --format markdown > docs/rules.md`"


def _declaring(**overlap) -> Rule:
    """A copy of SR113 sql-injection whose META declares `overlap` instead."""
    rule = next(r for r in RULES if r.meta.code == "SR113")
    return replace(rule, meta=replace(rule.meta, **overlap))


def test_overlap_declarations_name_rules_of_the_registry():
    check_overlaps(RULES)  # what load_rules() ran: every declared code is a rule
    others = [r for r in RULES if r.meta.code != "SR113"]
    with pytest.raises(RuleError, match=r"META restates names unknown rule\(s\) \['SR999'\]"):
        check_overlaps([*others, _declaring(restates=("SR110", "SR999"))])
    with pytest.raises(RuleError, match=r"META defers_to names unknown rule\(s\) \['SR998'\]"):
        check_overlaps([*others, _declaring(defers_to=("SR998",))])
    with pytest.raises(RuleError, match="META restates names the rule itself"):
        check_overlaps([*others, _declaring(restates=("SR113",))])
    shell = next(r for r in RULES if r.meta.code == "SR101")
    with pytest.raises(RuleError, match="META restates needs TAINT"):
        restating = replace(shell, meta=replace(shell.meta, restates=("SR103",)))
        check_overlaps([*(r for r in RULES if r is not shell), restating])
    with pytest.raises(RuleError, match=r"META defers_to names rule\(s\) without TAINT \['SR110'\]"):
        check_overlaps([*others, _declaring(defers_to=("SR110",))])
