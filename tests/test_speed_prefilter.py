"""File-level prefilters (`NEEDS` / `prefilter(ctx)`) and the shared walks only make reviews cheaper:
they never change a finding. Checked on every rule fixture, the bench corpus and every rule's doc
examples, against the same rules with their prefilters removed."""

from __future__ import annotations

import ast
import dataclasses
import types
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from secreview.analysis.context import FileContext, walk
from secreview.engine import review_text
from secreview.model import Confidence, Severity
from secreview.ruleset import Meta, RuleError, load_rules, rule_from_module
from secreview.source import parse

RULES = load_rules()
UNFILTERED = tuple(dataclasses.replace(r, needs=frozenset(), prefilter=None) for r in RULES)
CORPUS = sorted((ROOT / "bench" / "corpus").rglob("*.py"))
FIXTURE_FILES = sorted((FIXTURES / "rules").glob("*.py"))


def _findings(display: str, source: str, rules) -> set[tuple]:
    result = review_text(display, source, rules)
    return {(f.rule, f.line, f.column, f.end_line, f.message, f.fingerprint) for f in result.findings}


def test_some_rules_declare_prefilters():
    assert sum(1 for r in RULES if r.needs) >= 20
    assert any(r.prefilter is not None for r in RULES)


@pytest.mark.parametrize("path", FIXTURE_FILES + CORPUS, ids=[p.name for p in FIXTURE_FILES + CORPUS])
def test_prefilters_change_no_finding(path: Path):
    source = path.read_text(encoding="utf-8")
    assert _findings(path.name, source, RULES) == _findings(path.name, source, UNFILTERED)


@pytest.mark.parametrize("rule", [r for r in RULES if r.needs or r.prefilter], ids=lambda r: r.meta.name)
def test_prefiltered_rule_still_fires_on_its_example(rule):
    example = rule.example
    assert _findings("example.py", example, (rule,)) == _findings(
        "example.py", example, (dataclasses.replace(rule, needs=frozenset(), prefilter=None),))
    assert rule.applies(_ctx(example)), f"{rule.meta.name}: its own Example is prefiltered away"


def _ctx(source: str) -> FileContext:
    parsed, error = parse(source, "t.py")
    assert parsed is not None, error
    return FileContext("t.py", parsed.source, parsed.tree)


def test_mentions_reads_identifiers_not_strings_or_comments():
    ctx = _ctx(
        "import xml.etree.ElementTree as ET\n"
        "from os import path as p\n"
        "def handler(request, *, timeout=3):\n"
        "    session.verify = False  # ssl off\n"
        "    call(sslmode='require', cert_reqs=None)\n"
        "    return 'hashlib'\n"
    )
    assert ctx.mentions(("etree",)) and ctx.mentions(("ET",)) and ctx.mentions(("os",))
    assert ctx.mentions(("path",)) and ctx.mentions(("handler",)) and ctx.mentions(("timeout",))
    assert ctx.mentions(("verify",)) and ctx.mentions(("cert_reqs",)) and ctx.mentions(("sslmode",))
    assert ctx.mentions(("ickle", "req"))  # a part of an identifier is enough (`request`)
    assert not ctx.mentions(("hashlib",))  # only in a string
    assert not ctx.mentions(("ssl off",)) and not ctx.mentions(("off",))  # only in a comment


def test_mentions_fold_case_and_nfkc_identifiers():
    ctx = _ctx("self.dbLock.acquire()\n\uff53\uff53\uff4c.wrap_socket(s)\n")  # fullwidth `ssl`
    assert ctx.mentions(("lock",), fold_case=True)
    assert not ctx.mentions(("lock",))
    assert ctx.mentions(("ssl",))  # the parser normalises identifiers (NFKC), and so does the prefilter


def test_rule_skipped_only_where_its_names_are_missing():
    weak_tls = next(r for r in RULES if r.meta.name == "weak-tls-version")
    assert weak_tls.needs
    assert not weak_tls.applies(_ctx("import requests\nrequests.get(url, timeout=3)\n"))
    assert weak_tls.applies(_ctx("import ssl as s\nctx = s.SSLContext(s.PROTOCOL_TLSv1)\n"))
    source = "import ssl as s\nctx = s.SSLContext(s.PROTOCOL_TLSv1)\n"
    assert [f.line for f in review_text("t.py", source, (weak_tls,)).findings] == [2]


def _module(**attrs) -> types.ModuleType:
    module = types.ModuleType("secreview.rules.fake_rule")
    module.__doc__ = "A fake rule."
    module.META = Meta(code="SR999", name="fake-rule", title="t", cwe=20, type="other", severity=Severity.LOW,
                       confidence=Confidence.LOW, fix="f")
    module.NODES = (ast.Call,)
    module.check = lambda node, ctx: iter(())
    for key, value in attrs.items():
        setattr(module, key, value)
    return module


def test_needs_and_prefilter_are_validated():
    assert rule_from_module(_module(NEEDS=("yaml",))).needs == frozenset({"yaml"})
    for bad in ("yaml", (), ("yaml", ""), ("yaml", 3)):
        with pytest.raises(RuleError, match="NEEDS"):
            rule_from_module(_module(NEEDS=bad))
    with pytest.raises(RuleError, match="prefilter"):
        rule_from_module(_module(prefilter=True))
    custom = rule_from_module(_module(NEEDS=("yaml",), prefilter=lambda ctx: "load" in ctx.source))
    assert custom.applies(_ctx("import yaml\nyaml.load(x)\n"))
    assert not custom.applies(_ctx("import yaml\nyaml.dump(x)\n"))
    assert not custom.applies(_ctx("load(x)\n"))


def test_walk_is_ast_walk_order():
    for path in [*FIXTURE_FILES[:40], ROOT / "src" / "secreview" / "engine.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert [id(n) for n in walk(tree)] == [id(n) for n in ast.walk(tree)]
    ctx = _ctx("class A:\n    def f(self):\n        return [x for x in y]\n")
    assert ctx.tree_nodes() is ctx.tree_nodes()  # computed once per file
    assert [type(n).__name__ for n in ctx.tree_nodes()][:3] == ["Module", "ClassDef", "FunctionDef"]
