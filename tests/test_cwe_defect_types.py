"""The CWE -> defect type table (`secreview.cwe.defect_types`) agrees with the rules, which declare both."""

from __future__ import annotations

from secreview.cwe.defect_types import DEFECT_TYPE_OF_CWE, type_for_cwe
from secreview.model import DEFECT_TYPES
from secreview.ruleset import load_rules


def test_every_rule_type_is_the_type_of_its_cwe():
    wrong = sorted((r.meta.name, r.meta.cwe, r.meta.type, type_for_cwe(r.meta.cwe))
                   for r in load_rules() if type_for_cwe(r.meta.cwe) != r.meta.type)
    assert wrong == []


def test_table_lists_only_cwes_of_rules_with_a_type_other_than_other():
    # a CWE no rule declares would give LLM claims and benchmark labels a type nothing in the tool stands for
    typed = {r.meta.cwe for r in load_rules() if r.meta.type != "other"}
    assert set(DEFECT_TYPE_OF_CWE) == typed
    assert set(DEFECT_TYPE_OF_CWE.values()) <= set(DEFECT_TYPES) - {"other"}


def test_lookups():
    assert (type_for_cwe(89), type_for_cwe(78), type_for_cwe(1333), type_for_cwe(416)) == ("sqli", "cmdi", "dos", "uaf")
    assert type_for_cwe(502) == "other"  # unsafe deserialization: its rules declare `other`
    assert type_for_cwe(0) == type_for_cwe(99999) == "other"
