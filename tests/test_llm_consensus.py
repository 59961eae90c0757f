"""Consensus over answers: same place (±2 lines) and same CWE-1000 pillar, at least k distinct answers."""

from __future__ import annotations

from secreview.llm.consensus import combine, majority
from secreview.llm.verify import Checked, LLMClaim


def checked(model: str, sample: int, line: int, cwe: int, pillar: int, confidence: str = "medium") -> Checked:
    claim = LLMClaim(model, sample, cwe, line, line, "x", f"{model}#{sample}", "fix", confidence)
    return Checked(claim, (), line, line, pillar)


def test_majority_of_answers():
    assert [majority(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]


def test_claims_near_each_other_under_one_pillar_are_one_group():
    items = [checked("a", 1, 10, 78, 707), checked("a", 2, 12, 77, 707), checked("b", 1, 11, 89, 707)]
    kept, weak = combine(items, 3)
    assert weak == []
    assert len(kept) == 1
    assert kept[0].answers == {("a", 1), ("a", 2), ("b", 1)}
    assert kept[0].models == ("a", "b")


def test_different_pillar_or_three_lines_apart_are_separate_groups():
    items = [checked("a", 1, 10, 78, 707), checked("b", 1, 10, 328, 693), checked("c", 1, 13, 78, 707)]
    kept, weak = combine(items, 2)
    assert kept == []
    assert sorted((g.best.start, g.best.pillar) for g in weak) == [(10, 693), (10, 707), (13, 707)]


def test_one_answer_repeating_itself_counts_once():
    items = [checked("a", 1, 10, 78, 707), checked("a", 1, 11, 78, 707)]
    kept, weak = combine(items, 2)
    assert kept == [] and len(weak) == 1 and len(weak[0].answers) == 1


def test_the_representative_is_the_most_confident_claim():
    items = [checked("a", 1, 10, 78, 707, "low"), checked("b", 1, 11, 77, 707, "high")]
    kept, _ = combine(items, 1)
    assert kept[0].best.claim.model == "b"
