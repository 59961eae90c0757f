"""Suppression comments: ours and Bandit's, on any line of a multi-line statement,
only real comments, unused ones reported."""

from __future__ import annotations

from secreview.engine import review_text
from secreview.ruleset import load_rules

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
