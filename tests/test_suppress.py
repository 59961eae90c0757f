"""Suppression comments: ours and Bandit's, on any line of a multi-line statement,
only real comments, unused ones reported, with the ids that name no rule."""

from __future__ import annotations

from secreview.api import review
from secreview.config import Config
from secreview.engine import review_text
from secreview.model import Suppression
from secreview.report import render
from secreview.ruleset import load_rules, select_rules
from secreview.suppress import LLM_RULE_IDS, find_comments, rule_ids, unused

RULES = load_rules()


def _review(source: str):
    return review_text("s.py", source, RULES)


def _lines(result, code="SR101"):
    return [f.line for f in result.findings if f.rule == code]


def test_our_comment_by_code_and_by_name_and_nosec_with_bandit_id():
    source = (
        "import os\n"
        "os.system('a' + x)  # secreview: ignore[SR101] checked by caller\n"
        "os.system('b' + x)  # secreview: ignore[shell-command-injection]\n"
        "os.system('c' + x)  # nosec B605\n"
        "os.system('d' + x)  # nosec\n"
        "os.system('e' + x)  # secreview: ignore[SR999]\n"
        "os.system('f' + x)\n"
    )
    result = _review(source)
    assert _lines(result) == [6, 7]
    assert result.suppressed == 4
    assert [(s.line, s.kind, s.codes) for s in result.unused_suppressions] == [(6, "secreview", ("SR999",))]


def test_comment_on_any_line_of_a_multiline_statement():
    source = (
        "import subprocess\n"
        "subprocess.call(\n"
        "    'ls ' + x,\n"
        "    shell=True,  # secreview: ignore[SR101] reviewed\n"
        ")\n"
        "subprocess.call(  # nosec\n"
        "    'ls ' + y, shell=True)\n"
        "subprocess.call(\n"
        "    'ls ' + z, shell=True)\n"
    )
    result = _review(source)
    assert _lines(result) == [8]
    assert result.unused_suppressions == []


def test_text_inside_a_string_does_not_suppress():
    source = "import os\nos.system('# nosec ' + x)\nos.system(\"# secreview: ignore[SR101]\" + x)\n"
    assert _lines(_review(source)) == [2, 3]


def test_unused_bandit_only_nosec_is_left_to_bandit():
    source = "import os\nx = 1  # nosec B101\ny = 2  # nosec\n"
    result = _review(source)
    assert [(s.line, s.kind) for s in result.unused_suppressions] == [(3, "nosec")]


# -- unknown ids and rules that did not run ---------------------------------------------------------

CLEAN_LINE = "x = 1"


def _unused(comment: str, rules=RULES):
    return review_text("s.py", f"import os\n{CLEAN_LINE}  {comment}\n", rules).unused_suppressions


def test_unknown_code_and_name_are_recorded():
    assert _unused("# secreview: ignore[SR999]") == [
        Suppression("s.py", 2, "secreview", ("SR999",), "# secreview: ignore[SR999]", ("SR999",))]
    assert _unused("# secreview: ignore[no-such-rule] typo") == [
        Suppression("s.py", 2, "secreview", ("no-such-rule",), "# secreview: ignore[no-such-rule] typo",
                    ("no-such-rule",))]
    # a Bandit id no rule answers for silences nothing in our own comment
    assert _unused("# secreview: ignore[B999]") == [
        Suppression("s.py", 2, "secreview", ("B999",), "# secreview: ignore[B999]", ("B999",))]
    assert _unused("# nosec SR999") == [Suppression("s.py", 2, "nosec", ("SR999",), "# nosec SR999", ("SR999",))]


def test_only_the_unknown_ids_of_a_comment_are_unknown():
    text = "# secreview: ignore[SR101, SR998, sr101]"
    assert _unused(text) == [Suppression("s.py", 2, "secreview", ("SR101", "SR998", "sr101"), text, ("SR998",))]


def test_known_ids_in_any_case_are_unused_not_unknown():
    assert _unused("# secreview: ignore[sr101]") == [
        Suppression("s.py", 2, "secreview", ("sr101",), "# secreview: ignore[sr101]")]
    assert _unused("# secreview: ignore[Shell-Command-Injection]") == [
        Suppression("s.py", 2, "secreview", ("Shell-Command-Injection",),
                    "# secreview: ignore[Shell-Command-Injection]")]
    assert _unused("# nosec B602") == [Suppression("s.py", 2, "nosec", ("B602",), "# nosec B602")]


def test_llm_review_code_is_known_and_not_claimed_unused_by_a_static_review():
    # The LLM layer (SR900) did not run here: whether it would report on this line is not known.
    assert _unused("# secreview: ignore[SR900]") == []
    assert _unused("# secreview: ignore[llm-review]") == []


def test_bandit_ids_we_do_not_implement_are_left_to_bandit():
    assert _unused("# nosec B999") == []
    assert _unused("# nosec B101") == []


def test_rules_that_did_not_run_may_need_their_suppressions():
    only_redirects = select_rules(RULES, ["SR212"])
    assert _unused("# secreview: ignore[SR101]", only_redirects) == []
    assert _unused("# nosec B602", only_redirects) == []
    # without ids, any rule may need it
    assert _unused("# nosec", only_redirects) == []
    assert _unused("# secreview: ignore", only_redirects) == []
    # the rule ran and found nothing: unused
    assert _unused("# secreview: ignore[open-redirect]", only_redirects) == [
        Suppression("s.py", 2, "secreview", ("open-redirect",), "# secreview: ignore[open-redirect]")]
    # an unknown id is reported whatever ran
    assert _unused("# secreview: ignore[SR101, SR999]", only_redirects) == [
        Suppression("s.py", 2, "secreview", ("SR101", "SR999"), "# secreview: ignore[SR101, SR999]", ("SR999",))]
    # every rule ran: a comment without ids that silenced nothing is unused
    assert _unused("# secreview: ignore") == [Suppression("s.py", 2, "secreview", (), "# secreview: ignore")]


def test_unknown_is_judged_against_every_rule_not_the_selected_ones():
    every = rule_ids(RULES) | LLM_RULE_IDS
    assert every == {i.upper() for r in RULES for i in (r.meta.code, r.meta.name, *r.meta.bandit)} | {
        "SR900", "LLM-REVIEW"}
    comments = find_comments("x = 1  # secreview: ignore[SR101, SR212]\n")
    assert unused(comments, "s.py", select_rules(RULES, ["SR212"]), every) == []
    assert unused(comments, "s.py", select_rules(RULES, ["SR212"]), frozenset({"SR212"})) == [
        Suppression("s.py", 1, "secreview", ("SR101", "SR212"), "# secreview: ignore[SR101, SR212]", ("SR101",))]


def test_llm_rule_ids_are_the_llm_layers():
    from secreview.llm.review import RULE_CODE, RULE_NAME

    assert {RULE_CODE, RULE_NAME.upper()} == LLM_RULE_IDS


def test_text_report_names_the_unknown_codes(tmp_path):
    (tmp_path / "s.py").write_text(
        "x = 1  # secreview: ignore[SR999]\n"
        "y = 2  # secreview: ignore[SR998, no-such-rule]\n"
        "z = 3  # secreview: ignore[SR101]\n", encoding="utf-8")
    report = review(["s.py"], Config(jobs=1, cache=False), cwd=tmp_path)
    text = render(report, "text")
    start = text.index("Unused suppressions:")
    assert text[start:].splitlines()[:5] == [
        "Unused suppressions:",
        "  s.py:1: # secreview: ignore[SR999] — unknown rule code SR999",
        "  s.py:2: # secreview: ignore[SR998, no-such-rule] — unknown rule codes SR998, no-such-rule",
        "  s.py:3: # secreview: ignore[SR101]",
        "",
    ]
    assert [s.unknown for s in report.unused_suppressions] == [("SR999",), ("SR998", "no-such-rule"), ()]
