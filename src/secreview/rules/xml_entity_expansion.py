"""Untrusted XML parsed without protection against entity expansion.

## What it flags
- an lxml parser built with `huge_tree=True` (`XMLParser`, `XMLPullParser`,
  `iterparse`, `objectify.makeparser`) that parses request, upload, socket or
  remote data in the same file;
- `xmltodict.parse(..., disable_entities=False)`;
- the standard library parsers (`xml.etree.ElementTree`, `xml.dom.minidom`,
  `xml.dom.pulldom`, `xml.sax`, `xml.parsers.expat`) applied to request,
  upload, socket or remote data. Python's bundled expat 2.4.1+ limits the
  amplification of nested entities, so these are reported with low confidence:
  the risk is real on older or system expat builds and for other XML attacks.
`defusedxml` and lxml's default parser are not reported.

## Why it matters
A document of a few hundred bytes can define entities that expand to
gigabytes ("billion laughs", quadratic blowup) or nest deeply enough to
exhaust memory and CPU while parsing (CWE-776).

## Example
```python
import xml.etree.ElementTree as ET
from flask import Flask, request

app = Flask(__name__)

@app.route("/orders", methods=["POST"])
def create_order():
    root = ET.fromstring(request.data)
    return {"id": root.findtext("id")}
```

## Use instead
```python
import defusedxml.ElementTree as ET
from flask import Flask, request

app = Flask(__name__)

@app.route("/orders", methods=["POST"])
def create_order():
    root = ET.fromstring(request.data)
    return {"id": root.findtext("id")}
```

## References
- CWE-776: Improper Restriction of Recursive Entity References in DTDs ('XML Entity Expansion')
- Python docs, "XML vulnerabilities"; defusedxml
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value, trace_for
from secreview.analysis.values import argument, is_false, is_true, keyword
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta
from secreview.taint import provenance

META = Meta(
    code="SR506",
    name="xml-entity-expansion",
    title="Untrusted XML parsed without entity-expansion limits",
    cwe=776,
    type="dos",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Parse untrusted XML with defusedxml (it rejects entity declarations), keep lxml's huge_tree off "
    "and xmltodict's disable_entities on.",
    bandit=("B313", "B314", "B315", "B316", "B317", "B318", "B319"),
)
NODES = (ast.Call,)
# Every parser below resolves through an xml / lxml / xmltodict / pyexpat import.
NEEDS = ("xml", "expat")

_LXML_PARSERS = frozenset(
    {
        "lxml.etree.XMLParser",
        "lxml.etree.XMLPullParser",
        "lxml.objectify.makeparser",
        "lxml.etree.ETCompatXMLParser",
    }
)
_LXML_PARSE = frozenset(
    {
        "lxml.etree.fromstring",
        "lxml.etree.XML",
        "lxml.etree.parse",
        "lxml.etree.iterparse",
        "lxml.objectify.fromstring",
        "lxml.objectify.parse",
        "lxml.objectify.XML",
        "lxml.etree.fromstringlist",
    }
)
_STDLIB = {}
for _module in ("xml.etree.ElementTree", "xml.etree.cElementTree"):
    for _func in ("fromstring", "XML", "parse", "iterparse", "fromstringlist", "XMLID"):
        _STDLIB[f"{_module}.{_func}"] = 0
for _func in ("parseString", "parse"):
    _STDLIB[f"xml.dom.minidom.{_func}"] = 0
    _STDLIB[f"xml.dom.pulldom.{_func}"] = 0
    _STDLIB[f"xml.sax.{_func}"] = 0
    _STDLIB[f"xml.dom.expatbuilder.{_func}"] = 0
_FEEDERS = {
    "xml.etree.ElementTree.XMLParser": "feed",
    "xml.etree.ElementTree.XMLPullParser": "feed",
    "xml.parsers.expat.ParserCreate": "Parse",
    "pyexpat.ParserCreate": "Parse",
}
_EXPAT_NOTE = (
    "Python's bundled expat (2.4.1+) caps entity amplification, so this mainly matters on older or "
    "system expat builds; defusedxml rejects such documents outright."
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    if name in _LXML_PARSERS or name == "lxml.etree.iterparse":
        if is_true(_kw(node, "huge_tree")):
            yield from _huge_tree(node, ctx, name)
    elif name == "xmltodict.parse":
        if is_false(_kw(node, "disable_entities")):
            origin = provenance.origin(ctx, argument(node, 0, "xml_input"), provenance.REMOTE)
            message = "`xmltodict.parse(disable_entities=False)` expands entities declared by the document"
            if origin:
                yield Hit(
                    node,
                    f"{message}, here {origin.source.description}.",
                    confidence=Confidence.HIGH,
                    trace=trace_for(ctx, origin.source, node, "xmltodict.parse"),
                )
            else:
                yield Hit(node, f"{message}.")
    elif name in _STDLIB:
        yield from _stdlib(node, ctx, name, argument(node, _STDLIB[name], "source"))
    elif isinstance(node.func, ast.Attribute) and node.func.attr in {"feed", "Parse"}:
        made = _made_by(ctx, node.func.value)
        if made in _FEEDERS and _FEEDERS[made] == node.func.attr:
            yield from _stdlib(node, ctx, f"{made}().{node.func.attr}", argument(node, 0, "data"))


def _stdlib(node: ast.Call, ctx: FileContext, name: str, data: ast.expr | None) -> Iterator[Hit]:
    if any(isinstance(a, ast.Starred) for a in node.args):
        return
    origin = provenance.origin(ctx, data, provenance.REMOTE)
    if origin is None:
        return
    yield Hit(
        node,
        f"`{name}` parses {origin.source.description} with the standard library parser, which "
        f"expands entities the document declares. {_EXPAT_NOTE}",
        confidence=Confidence.LOW,
        trace=trace_for(ctx, origin.source, node, name),
    )


def _huge_tree(node: ast.Call, ctx: FileContext, name: str) -> Iterator[Hit]:
    short = name.rsplit(".", 1)[-1]
    if name == "lxml.etree.iterparse":
        uses = [node]
    else:
        uses = _parser_uses(ctx, node)
    for use in uses:
        data = argument(use, 0, "source") if use is not node or name == "lxml.etree.iterparse" else None
        if isinstance(use.func, ast.Attribute) and use.func.attr == "feed":
            data = argument(use, 0, "data")
        origin = provenance.origin(ctx, data, provenance.REMOTE)
        if origin is not None:
            yield Hit(
                node,
                f"`{short}(huge_tree=True)` lifts libxml2's safety limits (tree depth, text size, "
                f"entity amplification) and parses {origin.source.description}.",
                confidence=Confidence.HIGH,
                trace=trace_for(ctx, origin.source, use, ctx.segment(use.func)),
            )
            return


def _parser_uses(ctx: FileContext, parser_call: ast.Call) -> list[ast.Call]:
    """Parse calls that receive this parser: inline, or through the name it is bound to."""
    parent = ctx.parent(parser_call)
    if isinstance(parent, ast.keyword):
        parent = ctx.parent(parent)
    if isinstance(parent, ast.Call) and ctx.call_name(parent) in _LXML_PARSE:
        return [parent]
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1):
        return []
    target = parent.targets[0]
    key = (
        target.id
        if isinstance(target, ast.Name)
        else target.attr
        if isinstance(target, ast.Attribute)
        else None
    )
    if key is None:
        return []
    uses = []
    # A name bound in a function is that function's parser; a module-level one is everyone's.
    scope = ctx.enclosing_function(parser_call) if isinstance(target, ast.Name) else None
    for call in ctx.nodes_by_type.get(ast.Call, ()):
        if not isinstance(call, ast.Call) or scope is not None and ctx.enclosing_function(call) is not scope:
            continue
        if ctx.call_name(call) in _LXML_PARSE:
            passed = argument(call, 1, "parser")
            if _names(passed, key):
                uses.append(call)
        elif (
            isinstance(call.func, ast.Attribute) and call.func.attr == "feed" and _names(call.func.value, key)
        ):
            uses.append(call)
    return uses


def _names(expr: ast.AST | None, key: str) -> bool:
    return (isinstance(expr, ast.Name) and expr.id == key) or (
        isinstance(expr, ast.Attribute) and expr.attr == key
    )


def _made_by(ctx: FileContext, receiver: ast.expr) -> str | None:
    if isinstance(receiver, ast.Call):
        return ctx.call_name(receiver)
    if isinstance(receiver, ast.Name):
        value = reaching_value(ctx, receiver)
        return ctx.call_name(value) if isinstance(value, ast.Call) else None
    return None


def _kw(node: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(node, name)
    return kw.value if kw else None
