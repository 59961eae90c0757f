"""One provenance model: no module under `rules/` keeps its own list of where data comes from.

Which values come from a client, the command line, the environment, a socket or a file is
`secreview.taint.provenance`'s answer (built on the taint specs). A rule module that spells a source
itself (`"sys.argv"`, a set of request attributes such as `{"args", "form", "GET"}`) or imports a
provenance helper from anywhere else has started a second model; this test stops it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import secreview.rules
from secreview.taint import provenance_web
from secreview.taint.rules import spec_index

RULES_DIR = Path(secreview.rules.__file__).parent
SHARED = "secreview.taint.provenance"

# Qualified names of module-level sources (`sys.argv`, `os.getenv`), from the specs, plus the request
# spellings rules used to write out.
SOURCE_NAMES = frozenset(
    {key for key in (*spec_index().sources_by_attribute, *spec_index().sources_by_call)
     if key.split(".")[0] in {"sys", "os", "builtins"}}
    | {"input(", "raw_input", "request.args", "request.form", "request.GET", "request.POST", "request.json",
       "request.data", "request.headers", "request.cookies", "flask.request", "wsgi.input"}
)
# Request attributes distinctive enough that three of them in one collection are a list of sources.
REQUEST_WORDS = frozenset({"args", "form", "GET", "POST", "COOKIES", "META", "FILES", "cookies", "headers",
                           "query_params", "files", "view_args", "match_info", "path_params", "get_json"})
# Names of provenance helpers: importing one from anywhere but the shared module is a second model.
PROVENANCE_NAMES = frozenset({
    "external_source", "find_origin", "find_source", "web_source", "direct_input", "direct_data", "incoming",
    "is_request_value", "REQUEST_ATTRS", "REQUEST_OBJECTS", "is_route_handler", "is_web_module", "origin",
    "source_of", "view_parameter", "from_parameter", "read_directly", "supplied", "request_attribute",
})
# A literal that names the API a rule is *about*, not where its data comes from.
SUBJECTS = {
    ("unchecked_argv_index.py", "sys.argv"): "the rule reports unchecked indexing of sys.argv itself",
    ("_robustness/none_results.py", "os.environ"): "os.environ as a mapping whose .get() may give None",
    ("_robustness/none_results.py", "os.getenv"): "a call that returns None for an unset variable",
}


def violations(tree: ast.AST, where: str) -> list[str]:
    """What in one module's tree defines or imports provenance of its own."""
    found = []
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if node.value in SOURCE_NAMES and (where, node.value) not in SUBJECTS:
                found.append(f"{where}:{node.lineno}: source name {node.value!r} spelled in a rule")
            words = set(node.value.split())
            if len(words & REQUEST_WORDS) >= 3 and "\n" not in node.value.strip() and "(" not in node.value:
                found.append(f"{where}:{node.lineno}: a word list of request attributes")
        elif isinstance(node, (ast.Set, ast.List, ast.Tuple, ast.Dict)):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            strings = {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
            if len(strings & REQUEST_WORDS) >= 3:
                found.append(f"{where}:{node.lineno}: a collection of request attributes {sorted(strings)[:4]}...")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module != SHARED:
            if node.module.startswith("secreview.taint.provenance"):
                found.append(f"{where}:{node.lineno}: imports {node.module}; ask {SHARED}")
            for alias in node.names:
                if alias.name in PROVENANCE_NAMES:
                    found.append(f"{where}:{node.lineno}: imports {alias.name} from {node.module}, not {SHARED}")
    return found


def test_no_rule_module_defines_or_imports_its_own_provenance():
    problems = []
    for path in sorted(RULES_DIR.rglob("*.py")):
        where = path.relative_to(RULES_DIR).as_posix()
        problems += violations(ast.parse(path.read_text(encoding="utf-8")), where)
    assert not problems, "\n".join(problems)


def test_the_private_provenance_modules_are_gone():
    for name in ("_dos/provenance.py", "_access/web_sources.py", "_injection/sources.py",
                 "_crypto/supplied_values.py"):
        assert not (RULES_DIR / name).exists(), name


@pytest.mark.parametrize(("planted", "expected"), [
    ('ARGV = "sys.argv"\n', "source name 'sys.argv'"),
    ('READS = frozenset({"os.getenv", "x"})\n', "source name 'os.getenv'"),
    ('FIELDS = {"args", "form", "GET", "POST"}\n', "a collection of request attributes"),
    ('FIELDS = word_set("args form cookies headers")\n', "a word list of request attributes"),
    ("from secreview.analysis.flow import external_source\n", "imports external_source"),
    ("from secreview.rules._dos.helpers import find_origin\n", "imports find_origin"),
    ("from secreview.taint.provenance_web import direct\n", "imports secreview.taint.provenance_web"),
])
def test_a_planted_source_list_is_caught(planted, expected):
    found = violations(ast.parse(planted), "planted.py")
    assert len(found) == 1 and expected in found[0], found


def test_docstrings_examples_and_the_shared_module_are_not_violations():
    text = '"""Reads `sys.argv`."""\nEXAMPLE = """\nname = request.args["n"]\n"""\n' \
           "from secreview.taint.provenance import source_of, web_source\n"
    assert violations(ast.parse(text), "ok.py") == []


def test_the_vocabulary_lives_in_the_shared_module():
    assert {"args", "GET", "META"} <= provenance_web.REQUEST_ATTRS
