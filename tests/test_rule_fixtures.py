"""Every rule fires exactly on its fixture's `ruleid`/`todook` lines and nowhere else
among the lines its markers describe (exact (line, rule) sets, never counts)."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from secreview.engine import review_text
from secreview.markers import Marker, expected_lines, parse_markers
from secreview.ruleset import load_rules

RULES = load_rules()
FIXTURE_FILES = sorted((FIXTURES / "rules").glob("*.py"))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_fixture_exact_lines(path):
    source = path.read_text(encoding="utf-8")
    markers = parse_markers(source)
    names = {m.rule for m in markers}
    unknown = names - {r.meta.name for r in RULES}
    assert not unknown, f"markers name unknown rules: {sorted(unknown)}"
    result = review_text(path.name, source, RULES)
    assert not result.errors, result.errors
    for name in sorted(names):
        # A finding in a test function is the run policy's to demote and hide (policy.py), as in any review.
        actual = {f.line for f in result.findings if f.name == name and not f.test_code}
        assert actual == expected_lines(markers, name), f"rule {name} in {path.name}"


def test_markers_parse_trailing_and_preceding():
    source = "x = 1  # ruleid: a-b\n# ok: a-b, c-d\n\ny = 2\n"
    assert parse_markers(source) == [Marker(1, "ruleid", "a-b"), Marker(4, "ok", "a-b"), Marker(4, "ok", "c-d")]
