"""What a regex check and a hand-written escape clear (`taint/regexes.py`, `taint/escapes.py`)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from secreview.analysis.context import FileContext
from secreview.engine import review_text
from secreview.ruleset import load_rules
from secreview.taint.escapes import escaped_kinds
from secreview.taint.regexes import pattern_clears


@pytest.mark.parametrize(("pattern", "how", "cleared", "open_"), [
    (r"[a-z][a-z0-9_.]{1,31}", "fullmatch", {"xpath", "sql", "command", "html"}, {"path", "url", "code"}),
    (r"[0-9]{6,8}", "fullmatch", {"xpath", "sql", "command", "path", "code", "url"}, set()),
    (r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}", "match", set(), {"command", "sql"}),  # no end anchor
    (r"^\w+$", "match", {"html", "path", "log", "command"}, set()),  # a final newline `$` lets in is inert
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


RULES = load_rules()


def _findings(source: str) -> list[tuple[int, str, str]]:
    result = review_text("app.py", textwrap.dedent(source), RULES)
    assert not result.errors, result.errors
    return sorted((f.line, f.name, f.confidence.value) for f in result.findings)


def test_shell_pattern_defers_its_source_claim_to_data_flow():
    # the value is checked with a full match before it reaches the shell: data flow clears it, so the
    # pattern part no longer claims request data is in the command (its "built from non-literals" stays)
    found = _findings('''
        import re
        import subprocess
        from flask import Flask, abort, request

        app = Flask(__name__)
        BRANCH_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")

        @app.route("/log")
        def log():
            branch = request.args.get("branch", "main")
            if not BRANCH_RE.fullmatch(branch):
                abort(400)
            return subprocess.run("git log %s" % branch, shell=True, capture_output=True).stdout

        @app.route("/log-prefix")
        def log_prefix():
            branch = request.args.get("branch", "main")
            if not BRANCH_RE.match(branch):
                abort(400)
            return subprocess.run("git log %s" % branch, shell=True, capture_output=True).stdout
    ''')
    # (review_text keeps both parts on line 21; the report drops the pattern one beside the traced one)
    assert [f for f in found if "command" in f[1]] == [
        (14, "shell-command-injection", "medium"),
        (21, "remote-command-injection", "high"),
        (21, "shell-command-injection", "high"),
    ]


def test_referrer_is_no_open_redirect_but_still_client_data():
    found = _findings('''
        from flask import Flask, redirect, request

        app = Flask(__name__)

        @app.route("/back")
        def back():
            return redirect(request.referrer or "/")

        @app.route("/next")
        def forward():
            return redirect(request.args.get("next") or "/")
    ''')
    assert [f for f in found if f[1] == "open-redirect"] == [(12, "open-redirect", "high")]
