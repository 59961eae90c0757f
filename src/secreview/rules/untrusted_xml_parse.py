"""Untrusted XML parsed by a parser that resolves entities.

## What it flags
A document from a network client or a socket that reaches an XML parser which
resolves entities or loads DTDs (lxml's default parsers, `xml.dom.minidom`,
`xml.sax`, `xml.dom.pulldom`) — followed through assignments, helpers in other
modules and attributes of `self`. defusedxml's parsers are not sinks.

## Why it matters
An external entity reads local files (`file:///etc/passwd`) or makes the server
fetch internal URLs; nested entities exhaust memory (CWE-611, CWE-776).

## Example
```python
from flask import Flask, request
from lxml import etree

app = Flask(__name__)

@app.route("/import", methods=["POST"])
def import_feed():
    root = etree.fromstring(request.get_data())
    return root.tag
```

## Use instead
```python
import defusedxml.ElementTree
from flask import Flask, request

app = Flask(__name__)

@app.route("/import", methods=["POST"])
def import_feed():
    root = defusedxml.ElementTree.fromstring(request.get_data())
    return root.tag
```

## References
- CWE-611: Improper Restriction of XML External Entity Reference
- Python docs, XML vulnerabilities; defusedxml documentation
"""

from __future__ import annotations

import ast
from dataclasses import replace

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta, TaintQuery

META = Meta(
    code="SR509",
    name="untrusted-xml-parse",
    title="Untrusted XML parsed by a parser that resolves entities",
    cwe=611,
    type="other",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Parse untrusted XML with defusedxml's drop-in modules (defusedxml.ElementTree, defusedxml.minidom, "
    "defusedxml.sax, defusedxml.pulldom); with lxml, pass a parser created with "
    "lxml.etree.XMLParser(resolve_entities=False, no_network=True).",
    bandit=("B320",),
    restates=("SR505",),
)
def _safe_parser(call: ast.Call, arg: ast.AST, ctx: FileContext) -> bool:
    """The parse is given a parser built not to resolve entities (`etree.XMLParser(resolve_entities=False)`):
    a variable the specs' `unless` cannot see through."""
    parser = next((kw.value for kw in call.keywords if kw.arg == "parser"), None)
    if parser is None and len(call.args) > 1:
        parser = call.args[1]
    if isinstance(parser, ast.Name):
        parser = reaching_value(ctx, parser)
    if not isinstance(parser, ast.Call):
        return False
    return any(kw.arg == "resolve_entities" and isinstance(kw.value, ast.Constant) and kw.value.value is False
               for kw in parser.keywords)


LXML_FIX = ("Give lxml a parser that resolves no entities: `parser = lxml.etree.XMLParser(resolve_entities=False, "
            "no_network=True)`, then `etree.fromstring(data, parser)`; or parse with defusedxml.ElementTree.")
# the standard library's parsers and defusedxml's drop-in replacement of each
_DEFUSED = {
    "xml.etree.ElementTree": "defusedxml.ElementTree",
    "xml.etree.cElementTree": "defusedxml.ElementTree",
    "xml.dom.minidom": "defusedxml.minidom",
    "xml.dom.pulldom": "defusedxml.pulldom",
    "xml.sax": "defusedxml.sax",
}


def fix_for_sink(sink: str) -> str | None:
    """The fix for an XML parser by its qualified name (None: the rule's general fix)."""
    if sink.startswith("lxml."):
        return LXML_FIX
    module = next((m for m in sorted(_DEFUSED, key=len, reverse=True) if sink.startswith(m + ".")), None)
    if module is None:
        return None
    replacement = _DEFUSED[module] + sink[len(module):]
    return (f"Parse with defusedxml's drop-in replacement: `{replacement}(...)` instead of `{sink}(...)`; it "
            "rejects entity declarations and external references.")


def _for_sink(hit: Hit, sink: str, ctx: FileContext) -> Hit:
    return replace(hit, fix=fix_for_sink(sink))


# A taint rule: the engine reports every flow from these source kinds to these sink kinds
# (secreview/taint/README.md); the specs (taint/specs/*.toml) say which calls they are.
TAINT = TaintQuery(
    sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"xml"}), validated=_safe_parser,
    for_sink=_for_sink,
)
