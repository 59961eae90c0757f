"""The shared analysis layer: qualified names, literals, local provenance."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.values import is_literal, string_building
from secreview.taint.provenance import is_route_handler, source_of


def _ctx(source: str) -> FileContext:
    return FileContext("t.py", source, ast.parse(source), frozenset({ast.Call}))


def _calls(ctx: FileContext) -> list[str | None]:
    return [ctx.call_name(c) for c in ctx.nodes_by_type[ast.Call]]


def test_qualified_names_through_imports_aliases_and_builtins():
    ctx = _ctx(
        "import yaml\nimport yaml as y\nfrom yaml import load as ld\nimport os.path\n"
        "from subprocess import run\nrunner = run\n"
        "yaml.load(a)\ny.load(a)\nld(a)\nos.path.join(a)\nrunner(a)\nopen(a)\nrequests.Session().get(a)\n"
        "def f(open):\n    open(a)\n"
    )
    assert _calls(ctx) == ["yaml.load", "yaml.load", "yaml.load", "os.path.join", "subprocess.run",
                           "builtins.open", "requests.Session().get", "requests.Session", "open"]


def test_literals_and_built_strings():
    ctx = _ctx('BASE = "SELECT 1"\nx = f"a{BASE}"\n')
    assert is_literal(ast.parse('"a" + "b"').body[0].value)
    assert is_literal(ast.Name(id="BASE"), ctx)
    assert string_building(ast.parse('"a %s" % x').body[0].value) == "%-formatting"
    assert string_building(ast.parse('f"a{x}"').body[0].value) == "f-string"
    assert string_building(ast.parse('"a {}".format(1)').body[0].value) is None


def _source_of_last_call(source: str):
    ctx = _ctx(source)
    call = ctx.nodes_by_type[ast.Call][-1]
    found = source_of(ctx, call.args[0])
    return found.description if found else None


def test_request_data_through_local_names():
    src = "from flask import request\ndef h():\n    a = request.args['q']\n    b = 'x' + a\n    sink(b)\n"
    assert _source_of_last_call(src) == "request data (request.args)"


def test_bare_request_counts_only_in_a_web_module():
    body = "def send(request):\n    sink(request.body)\n"
    assert _source_of_last_call(body) is None  # e.g. an outgoing requests.PreparedRequest
    assert _source_of_last_call("import django.http\n" + body) == "request data (request.body)"


def test_mock_patch_is_not_a_route():
    ctx = _ctx("from unittest import mock\nfrom flask import Flask\napp = Flask(__name__)\n"
               "@mock.patch('x.y')\ndef test_a(m):\n    pass\n@app.route('/a')\ndef a(name):\n    pass\n")
    funcs = [n for n in ctx.tree.body if isinstance(n, ast.FunctionDef)]
    assert [is_route_handler(ctx, f) for f in funcs] == [False, True]


def test_lines_follow_python_numbering_not_str_splitlines():
    source = "x = 1\f\ny = '\u2028'\nimport os\nos.system('a' + y)\n"
    ctx = _ctx(source)
    call = ctx.nodes_by_type[ast.Call][-1]
    assert call.lineno == 4 and ctx.line_text(4) == "os.system('a' + y)"
    assert ctx.segment(call) == "os.system('a' + y)"
