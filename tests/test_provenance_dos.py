"""Provenance beyond plain assignments (issue 15): a parameter of a helper that this module calls with
client data, bytes written into a spool file, a body the framework parses (`await request.json()`),
and a read sized by the client's Content-Length. Each fixture holds its own markers; every marked
line is checked exactly, for the rules it names."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from secreview.engine import review_text
from secreview.markers import expected_lines, parse_markers
from secreview.ruleset import load_rules
from secreview.taint import provenance

RULES = load_rules()
CASES = sorted((FIXTURES / "provenance").glob("*.py"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_marked_lines_exactly(path):
    source = path.read_text(encoding="utf-8")
    markers = parse_markers(source)
    result = review_text(path.name, source, RULES)
    assert not result.errors, result.errors
    for name in sorted({m.rule for m in markers}):
        actual = {f.line for f in result.findings if f.name == name}
        assert actual == expected_lines(markers, name), name


def test_the_sources_named_in_messages():
    path = FIXTURES / "provenance" / "upload_helpers.py"
    result = review_text(path.name, path.read_text(encoding="utf-8"), RULES)
    messages = {f.name: f.message for f in result.findings}
    assert "parses the uploaded file `layer` of `upload_map()`" in messages["xml-entity-expansion"]
    assert "the uploaded file `bundle` of `upload_map()`" in messages["decompression-bomb"]
    path = FIXTURES / "provenance" / "wsgi_sized_read.py"
    result = review_text(path.name, path.read_text(encoding="utf-8"), RULES)
    (finding,) = [f for f in result.findings if f.name == "unbounded-request-read"]
    assert "as many bytes as the WSGI request (environ.get(\"CONTENT_LENGTH\")) declares" in finding.message
    assert [step.line for step in finding.trace] == [5, 7]


def test_kinds_are_parameters():
    import ast

    from secreview.analysis.context import FileContext

    text = ("import os, sys\nfrom flask import request\n\n"
            "def f():\n    return (request.args['a'], sys.argv[1], os.environ['H'])\n")
    ctx = FileContext("k.py", text, ast.parse(text))
    value = ctx.tree.body[2].body[0].value
    args, argv, env = value.elts
    assert provenance.origins(ctx, args) == {"remote_input"}
    assert provenance.origins(ctx, argv) == {"cli_input"}
    assert provenance.origins(ctx, env) == {"env_input"}
    assert provenance.comes_from(ctx, value, {"env_input"}) and not provenance.comes_from(ctx, argv, provenance.REMOTE)
    found = provenance.origin(ctx, value, provenance.OPERATOR)
    assert (found.kind, found.part, found.source.description) == ("cli_input", "argv", "the command line (sys.argv)")
