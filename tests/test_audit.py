"""Audit on small synthetic answers about tests/fixtures/audit/app.py: each flag, each line-reference form,
CWE names, Markdown layouts, verdict paraphrases, grounding details, consensus and truth labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from secreview.audit import FLAGS, audit, parse_answer
from secreview.audit.code_index import build
from secreview.audit.truth import TruthError, load_truth

HERE = Path(__file__).parent / "fixtures" / "audit"
CODE = (HERE / "app.py").read_text(encoding="utf-8")


def _audit(name: str, **options):
    text = (HERE / "answers" / name).read_text(encoding="utf-8")
    return audit(CODE, "app.py", [(name, text)], **options).answers[0]


def _flags(a) -> set[tuple[str, int | None]]:
    return {(f.code, f.claim) for f in a.flags}


# -- verdicts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "No security defects are detected in the code.",
    "no security defects are detected in the code",
    "No security vulnerabilities were found.",
    "No issues were identified in this code.",
    "The code does not contain any security defects.",
    "I did not find any security issues.",
    "I found no vulnerabilities.",
    "There are no security issues in this snippet.",
    "The code appears secure.",
    "Overall, the code looks to be safe.",
])
def test_clean_verdict_paraphrases(text):
    parsed = parse_answer(text)
    assert (parsed.verdict, parsed.verdict_conflict, parsed.claims) == ("none", False, ())


@pytest.mark.parametrize("text", [
    "Apart from that, no other security issues were found.",
    "If no security defects are found, say so.",
    "I'll analyze the code to identify any potential security defects.",
])
def test_not_a_clean_verdict(text):
    assert parse_answer(text).verdict == "unclear"


@pytest.mark.parametrize("tail", [
    "However, there are a few potential security-related issues that could be improved upon.",
    "Here are some observations and potential security defects that could be addressed.",
    "The code appears to be vulnerable to a race.",
    "This could potentially allow an attacker to read other users' data.",
])
def test_hedged_defects_after_a_clean_verdict_conflict(tail):
    parsed = parse_answer("No security defects are detected in the code. " + tail)
    assert (parsed.verdict, parsed.verdict_conflict) == ("none", True)


@pytest.mark.parametrize("item", [
    "CWE-284 (Improper Access Control): No apparent issues of improper access control are evident here.",
    "CWE-682 (Incorrect Calculation): There isn't any complex calculation in the provided code.",
    "CWE-697 (Incorrect Comparison): The comparisons made in the code are correct.",
    "CWE-703: No explicit handling of API errors, which is a robustness point rather than a direct security issue.",
    "CWE-707: Input validation issues lead to injection attacks, none of which are applicable here.",
    "CWE-710: The code generally adheres to coding standards.",
])
def test_per_cwe_denials_are_not_defect_claims(item):
    parsed = parse_answer(f"Analysis per CWE:\n\n1. {item}\n\nNo security defects are detected in the code.")
    assert [c.stance for c in parsed.claims] == ["none"]
    assert (parsed.verdict, parsed.verdict_conflict) == ("none", False)


def test_a_missing_protection_is_a_defect_not_a_denial():
    parsed = parse_answer("1. CWE-20: There is no input validation of `user_id` at line 15.")
    assert [c.stance for c in parsed.claims] == ["defect"]


def test_all_denied_points_without_a_verdict_mean_none():
    parsed = parse_answer("1. CWE-89: No issues.\n2. CWE-79: There is no indication of XSS.")
    assert (parsed.verdict, [c.stance for c in parsed.claims]) == ("none", ["none", "none"])


# -- structure and extraction -----------------------------------------------------------------------

def test_line_reference_forms():
    a = _audit("syntax.txt")
    cited = [[r.text for r in c.lines] for c in a.claims]
    assert cited == [["line 15"], ["lines 15-16"], ["line 15"], ["line 15"], ["line 15", "line 16"],
                     ["line 15", "line 16", "line 37"], ["line 15"], ["line 15"], ["lines 15-16"], ["lines 15-16"]]
    assert _flags(a) == {("bad-line-reference", 5)} | {("missing-fix", i) for i in range(10)}
    line37 = next(r for r in a.references if r.value == "37")
    assert line37.problem == "mismatch" and "15-16" in line37.note  # SQL is at 15-16, not at `return False`


def test_refs_cited_together_share_their_words():
    (claim,) = parse_answer("1. There are cleanup methods (line 60 and line 69) to reset state.").claims
    assert [(r.start, r.before) for r in claim.lines] == [(60, "There are cleanup methods ("),
                                                          (69, "There are cleanup methods (")]


def test_cwe_names_map_to_ids_through_the_catalog():
    a = _audit("names.txt")
    assert [c.cwe_ids for c in a.claims] == [(89,), (78,), (327,), (284,)]
    assert [c.stance for c in a.claims] == ["defect"] * 4
    assert a.flags == ()  # "(line 21): use an argument list" is a fix after the colon


def test_markdown_headings_per_cwe_ground_perfectly():
    a = _audit("perfect.md", allowed_cwes=())
    assert [(c.title, c.cwe_ids, c.stance) for c in a.claims] == [
        ("CWE-89: SQL Injection (line 15)", (89,), "defect"), ("CWE-78: OS Command Injection", (78,), "defect"),
        ("CWE-328: Use of Weak Hash", (328,), "defect")]
    assert a.flags == ()
    assert all(a.grounded(c.index) for c in a.claims)
    assert [a.locations[c.index] for c in a.claims] == [(15, 16), (21,), (25,)]
    # code named in a fix need not exist
    scrypt = next(r for r in a.references if r.value == "hashlib.scrypt")
    assert (scrypt.found, scrypt.fix, scrypt.problem) == (False, True, None)


def test_off_list_cwe_against_the_default_pillars():
    a = _audit("perfect.md")
    assert _flags(a) == {("off-list-cwe", 0), ("off-list-cwe", 1), ("off-list-cwe", 2)}
    note = next(r.note for r in a.references if r.value == "CWE-89")
    assert note == "not on the allowed list; its pillar CWE-707 is on it"


def test_field_lists_under_issue_headings_are_one_claim_each():
    a = _audit("fields.md", allowed_cwes=())
    assert [(c.title, c.cwe_ids, [r.start for r in c.lines]) for c in a.claims] == [
        ("Issue 1: Command injection", (78,), [21]), ("Issue 2: Weak hash", (328,), [25])]
    assert a.flags == ()


def test_nested_bullets_and_ellipsis_in_quoted_code():
    a = _audit("nested.md", allowed_cwes=())
    assert [c.title for c in a.claims] == ["SQL injection (CWE-89)", "Resource leak (CWE-772)"]
    quoted = next(r for r in a.references if r.value == "open(...)")
    assert (quoted.found, [w.line for w in quoted.where]) == (True, [29])
    assert a.flags == ()


def test_labelled_issues_without_markdown():
    a = _audit("issues.txt", allowed_cwes=())
    assert [(c.title, c.cwe_ids, bool(c.fix)) for c in a.claims] == [
        ("Hard-coded secret", (798,), True), ("Timing attack", (208,), True)]
    assert a.flags == ()


def test_a_paragraph_answer_is_one_claim():
    a = _audit("para.txt", allowed_cwes=())
    assert (a.verdict, len(a.claims), a.claims[0].cwe_ids, a.flags) == ("defects", 1, (89,), ())


def test_generic_words_never_become_identifiers():
    parsed = parse_answer("The method in the code uses the class, e.g. OpenStack or GitHub; snake_case and "
                          "camelCase are naming styles. See https://example.com/a_b.html and setup.py.")
    assert [m.value for m in parsed.mentions if not m.soft] == []


# -- every flag ---------------------------------------------------------------------------------------

def test_flags_each_rule():
    a = _audit("flags.txt", allowed_cwes=(284, 435, 664, 682, 691, 693, 697, 703, 707, 710))
    assert _flags(a) == {
        ("verdict-conflict", None),
        ("off-list-cwe", 0),  # CWE-798
        ("unknown-identifier", 1), ("bad-line-reference", 1), ("missing-fix", 1),  # sanitize_input; comment line
        ("off-list-cwe", 2), ("bad-line-reference", 2), ("missing-fix", 2),  # line 120 of 37
        ("vague", 3), ("missing-fix", 3),
        ("unknown-cwe", 4), ("missing-location", 4), ("missing-fix", 4),
        ("cwe-mismatch", 5),  # CWE-89 named as Cross-site Scripting
        ("bad-line-reference", 6),  # "the comparison on line 30": it is at 35
        ("non-security", 7),  # docstring advice
        ("misquoted-code", 8),
        ("bad-line-reference", 9),  # a blank line
        ("not-in-code", 10), ("missing-location", 10),  # `deliberate` is only in the docstring
        ("non-security", 11), ("missing-location", 11),  # naming advice
    }
    problems = {r.value: r.problem for r in a.references if r.kind == "line"}
    assert problems == {"10": None, "14": "comment", "120": "out-of-range", "16": None, "30": "mismatch",
                        "20": None, "15": None, "11": "blank"}
    assert {f.code for f in a.flags} | {"verbose", "unknown-construct", "unclear-verdict"} == set(FLAGS)


def test_verbose_unclear_and_construct_flags():
    assert _flags(_audit("verbose.txt")) == {("verbose", None)}
    assert _flags(_audit("unclear.txt")) == {("unclear-verdict", None)}
    a = _audit("construct.txt")
    assert [f.code for f in a.flags] == ["unknown-construct", "unknown-construct"]
    assert {r.value for r in a.references if r.kind == "construct"} == {"exception-handling", "logging"}


def test_clean_answer_has_no_flags():
    assert _flags(_audit("none_para.txt")) == set()


# -- code index ---------------------------------------------------------------------------------------

def test_code_index_line_classes_and_names():
    index = build(CODE, "app.py")
    assert [index.line_class(n) for n in (1, 2, 5, 6, 14, 20, 21, 38, 0)] == [
        "docstring", "docstring", "blank", "code", "comment", "docstring", "code", "out-of-range", "out-of-range"]
    assert [(o.line, o.role) for o in index.find_name(("md5",))] == [(25, "call")]
    assert [o.line for o in index.find_name(("hashlib", "md5"))] == [25]
    assert [(o.line, o.kind) for o in index.find_text("tar")] == [(20, "docstring"), (21, "string")]


def test_code_that_is_not_python_is_indexed_as_text():
    index = build("int main() {\n  // say hi\n  printf(\"hi\");\n}\n", "main.c")
    assert not index.parsed and index.error
    assert [index.line_class(n) for n in (1, 2, 3)] == ["code", "comment", "code"]
    assert [o.line for o in index.find_name(("printf",))] == [3]
    report = audit("int main() {\n  return 0;\n}\n", "main.c", [("a", "`main` at line 2 and `foo()` at line 9")])
    assert not report.code.parsed
    assert {(r.value, r.problem) for r in report.answers[0].references} == {
        ("main", None), ("foo", "unknown"), ("2", None), ("9", "out-of-range")}


# -- consensus and truth ------------------------------------------------------------------------------

def test_consensus_clusters_grounded_claims_by_pillar_and_location():
    names = ["perfect.md", "names.txt", "para.txt", "none_para.txt", "flags.txt"]
    report = audit(CODE, "app.py", [(n, (HERE / "answers" / n).read_text(encoding="utf-8")) for n in names])
    c = report.consensus
    assert (c.majority, c.verdicts, c.conflicts) == ("defects", {"defects": 3, "none": 2, "unclear": 0}, 1)
    top = c.clusters[0]
    assert (top.pillar, top.answers, top.cwes) == (707, ("perfect.md", "names.txt", "para.txt"), (89,))
    assert top.lines == (15, 16)


def test_truth_labels():
    answers = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((HERE / "answers").iterdir())]
    truth = load_truth((HERE / "truth.json").read_text(encoding="utf-8"))
    report = audit(CODE, "app.py", answers, truth_defects=truth)
    assert {a.source: label.label for a, label in zip(report.answers, report.labels, strict=True)} == {
        "perfect.md": "Instrumental", "names.txt": "Instrumental", "para.txt": "Instrumental",
        "nested.md": "Instrumental", "syntax.txt": "Helpful", "flags.txt": "Helpful",
        "none_para.txt": "Misleading", "verbose.txt": "Misleading", "issues.txt": "Misleading",
        "fields.md": "Misleading", "construct.txt": "Misleading", "unclear.txt": "Uncertain"}
    clean = load_truth((HERE / "truth-clean.json").read_text(encoding="utf-8"))
    assert clean == ()
    report = audit(CODE, "app.py", answers, truth_defects=clean)
    labels = {a.source: label.label for a, label in zip(report.answers, report.labels, strict=True)}
    assert (labels["none_para.txt"], labels["perfect.md"], labels["flags.txt"]) == (
        "Instrumental", "Misleading", "Uncertain")


@pytest.mark.parametrize("text", ["", "[1]", '{"type": "nonsense"}', '{"cwe": "abc"}', '{"lines": ["x"]}', "{}"])
def test_bad_truth_files(text):
    with pytest.raises(TruthError):
        load_truth(text)


def test_truth_forms():
    assert load_truth('[{"cwe": "CWE-362", "lines": ["10-12", 20]}, {"type": "leak"}]') == (
        load_truth('{"cwe": 362, "lines": [10, 11, 12, 20]}')[0], load_truth('{"type": "leak"}')[0])
