"""What a regex check and a hand-written escape clear (`taint/regexes.py`, `taint/escapes.py`)."""

from __future__ import annotations

import ast

import pytest

from secreview.analysis.context import FileContext
from secreview.taint.escapes import escaped_kinds
from secreview.taint.regexes import pattern_clears


@pytest.mark.parametrize(("pattern", "how", "cleared", "open_"), [
    (r"[a-z][a-z0-9_.]{1,31}", "fullmatch", {"xpath", "sql", "command", "html"}, {"path", "url", "code"}),
    (r"[0-9]{6,8}", "fullmatch", {"xpath", "sql", "command", "path", "code", "url"}, set()),
    (r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}", "match", set(), {"command", "sql"}),  # no end anchor
    (r"^\w+$", "match", {"html", "path"}, {"log", "header", "command"}),  # `$` lets a final newline in
    (r"^\w+\Z", "search", {"log", "command", "sql"}, set()),
    (r"\w+$", "search", set(), {"html"}),  # not anchored at the start
    (r"[\w' ]+", "fullmatch", {"log", "path"}, {"xpath", "sql", "command", "html"}),
    (r".*", "fullmatch", set(), {"html", "trust_boundary", "deserialize"}),
    (r"[^<>]+", "fullmatch", set(), {"html", "sql"}),
    (r"(?P<x>a)(?P=x)", "fullmatch", set(), {"html"}),  # a back-reference is not modelled
    (r"[", "fullmatch", set(), {"html"}),  # not a pattern
])
def test_a_pattern_clears_what_its_characters_cannot_harm(pattern, how, cleared, open_):
    kinds = pattern_clears(pattern, how)
    assert cleared <= kinds
    assert not open_ & kinds


def _call(text: str) -> tuple[ast.Call, FileContext]:
    source = f'TABLE = {{"<": "&lt;", ">": "&gt;", "&": "&amp;"}}\nLT = {{"<": "&lt;"}}\nvalue = {text}\n'
    tree = ast.parse(source)
    value = tree.body[-1].value
    assert isinstance(value, ast.Call)
    return value, FileContext("m.py", source, tree, frozenset())


@pytest.mark.parametrize(("text", "kinds"), [
    ('v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")', {"html", "xml"}),
    ('v.replace("<", "&lt;").replace(">", "&gt;")', {"html"}),
    ('v.replace("<", "")', set()),
    ('v.replace("<", "<<").replace(">", "")', set()),
    ('v.replace("\\n", " ").replace("\\r", " ")', {"log", "header"}),
    ('"".join(TABLE.get(c, c) for c in v)', {"html", "xml"}),
    ('"".join(TABLE[c] if c in TABLE else c for c in v)', {"html", "xml"}),
    ('"".join(LT.get(c, c) for c in v)', set()),
    ('sep.join(TABLE.get(c, c) for c in v)', set()),
    ('v.translate(str.maketrans(TABLE))', {"html", "xml"}),
    ('v.upper()', set()),
])
def test_hand_written_escapes(text, kinds):
    call, ctx = _call(text)
    assert escaped_kinds(call, ctx) == frozenset(kinds)
