"""Property-based fuzzing of the answer parser and the whole audit: no crash, bounded time per answer."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secreview.audit import audit, parse_answer
from secreview.audit.model import STANCES, VERDICTS

CODE = (Path(__file__).parent / "fixtures" / "audit" / "app.py").read_text(encoding="utf-8")
LIMIT_SECONDS = 2.0  # CPU seconds per answer: a generous bound (a hang or blow-up fails it, a GC pause does not)
audit(CODE, "app.py", [("warm-up", "CWE-89 SQL Injection at line 15")])  # load the catalog and name index once

_FRAGMENTS = st.sampled_from([
    "No security defects are detected in the code.", "no vulnerabilities were found", "The code appears secure.",
    "However, there are a few potential security issues:", "could potentially allow an attacker",
    "CWE-89", "CWE-", "CWE-0", "CWE-99999999999999999999999", "cwe 284", "(CWE-79, CWE-352)", "SQL Injection",
    "Improper Access Control", "line 15", "lines 10-12", "L60", "(line 100)", "line 60 and line 69",
    "lines 3, 4 and 5", "line 0", "line 999999999999999999999999999999", "lines 9-1", "app.py:21", "L1-L2",
    "`get_user`", "`tearDown()`", "`self.api.post_server_action()`", "`a = b(`", "``", "`", "```python\nx = 1\n",
    "```", "\"quoted_name\"", "'single'", "len()", "os.path.join", "e.g.", "i.e.", "snake_case", "camelCase",
    "NoValidHost", "OpenStack", "1. ", "2) ", "- ", "* ", "## ", "### CWE-89: SQL Injection", "**bold**", "**",
    "Fix:", "Solution: use parameters.", "should be replaced", "Instead,", "There isn't any", "No apparent issues",
    "rather than a direct security issue", "none of which are applicable", ":", ";", ".", ",", "(", ")", "\n",
    "\n\n", "\t", "   ", "é", "Ω", "中文", "🙂", "\u200b", "\x00", "\r\n", "\\", "%s", "{}", "$", "#", "//",
    "Issue 1:", "Defect 2 -", "try/except", "catches and logs exceptions", "line", "lines", "CWE",
])
_ANSWERS = st.one_of(
    st.lists(_FRAGMENTS | st.text(max_size=12), max_size=30).map(" ".join),
    st.lists(_FRAGMENTS, max_size=40).map("".join),
    st.text(max_size=150),
    st.just(""),
)


@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(_ANSWERS)
def test_parser_never_crashes_and_is_fast(answer: str) -> None:
    started = time.process_time()
    parsed = parse_answer(answer)
    assert time.process_time() - started < LIMIT_SECONDS
    assert parsed.verdict in VERDICTS
    assert all(c.stance in STANCES for c in parsed.claims)
    assert [c.index for c in parsed.claims] == list(range(len(parsed.claims)))


@settings(max_examples=1_000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(_ANSWERS, min_size=1, max_size=3))
def test_whole_audit_never_crashes(answers: list[str]) -> None:
    started = time.process_time()
    report = audit(CODE, "app.py", [(f"a{i}", a) for i, a in enumerate(answers)])
    assert time.process_time() - started < LIMIT_SECONDS * len(answers) + 0.5
    for a in report.answers:
        assert all(f.claim is None or 0 <= f.claim < len(a.claims) for f in a.flags)
        assert all(r.kind in ("identifier", "snippet", "line", "cwe", "construct") for r in a.references)


def test_huge_answer_is_bounded() -> None:
    answer = ("1. CWE-89 `get_user` at line 15 could allow an attacker. Use parameters.\n" * 3000)
    started = time.process_time()
    report = audit(CODE, "app.py", [("big", answer)])
    assert time.process_time() - started < 30
    assert report.answers[0].verdict == "defects"
