"""XML parser explicitly configured to resolve external entities (XXE).

## What it flags
Parser settings that turn external entity resolution on:
- lxml `etree.XMLParser(...)`, `etree.XMLPullParser(...)`, `etree.iterparse(...)`
  and `objectify.makeparser(...)` with `resolve_entities=True`, `no_network=False`,
  or `load_dtd=True` / `dtd_validation=True` without `resolve_entities=False`;
- `setFeature(feature_external_ges, True)` or `setFeature(feature_external_pes,
  True)` on an `xml.sax` / `xml.dom.pulldom` parser (the stdlib default is off).
lxml's defaults are not reported (whether they resolve entities depends on the
lxml version), nor anything from `defusedxml`.

## Why it matters
With external entities on, a document can say `<!ENTITY x SYSTEM
"file:///etc/passwd">` and the parser pastes the file (or the answer of an
internal URL) into the data the application returns or stores: file
disclosure and server-side request forgery (CWE-611).

## Example
```python
from lxml import etree

def parse_invoice(xml_bytes):
    parser = etree.XMLParser(resolve_entities=True)
    return etree.fromstring(xml_bytes, parser)
```

## Use instead
```python
from lxml import etree

def parse_invoice(xml_bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(xml_bytes, parser)
```

## References
- CWE-611: Improper Restriction of XML External Entity Reference
- OWASP XML External Entity Prevention Cheat Sheet
- Python docs, "XML vulnerabilities"; defusedxml
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import is_false, is_true, keyword
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR505",
    name="xml-external-entities",
    title="XML parser configured to resolve external entities",
    cwe=611,
    type="other",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Use defusedxml, or build the lxml parser with resolve_entities=False, no_network=True and "
    "load_dtd=False; never enable feature_external_ges/pes on SAX parsers for untrusted input.",
)
NODES = (ast.Call,)
# lxml parsers, or a `setFeature(...)` call.
NEEDS = ("xml", "setFeature")

_LXML_PARSERS = frozenset(
    {
        "lxml.etree.XMLParser",
        "lxml.etree.XMLPullParser",
        "lxml.etree.iterparse",
        "lxml.objectify.makeparser",
        "lxml.etree.XMLTreeBuilder",
        "lxml.etree.ETCompatXMLParser",
    }
)
_FEATURES = {
    "feature_external_ges": "external general entities",
    "feature_external_pes": "external parameter entities",
}
_FEATURE_URIS = {
    "http://xml.org/sax/features/external-general-entities": "external general entities",
    "http://xml.org/sax/features/external-parameter-entities": "external parameter entities",
}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    if name in _LXML_PARSERS:
        yield from _lxml(node, name)
    elif isinstance(node.func, ast.Attribute) and node.func.attr == "setFeature" and len(node.args) >= 2:
        feature = _feature(ctx, node.args[0])
        state = node.args[1]
        enabled = is_true(state) or (isinstance(state, ast.Constant) and state.value == 1)
        if feature and enabled:
            yield Hit(
                node,
                f"`setFeature(...)` turns on {feature}: the parser fetches the files and URLs "
                "that a document's DOCTYPE names.",
            )


def _lxml(node: ast.Call, name: str) -> Iterator[Hit]:
    if any(k.arg is None for k in node.keywords):
        return  # **options: cannot tell
    resolve = _kw(node, "resolve_entities")
    no_network = _kw(node, "no_network")
    short = name.rsplit(".", 1)[-1]
    if is_true(resolve):
        yield Hit(
            node,
            f"`{short}(resolve_entities=True)` substitutes external entities: a document can pull "
            "local files or internal URLs into the parsed data.",
        )
    elif is_false(no_network):
        yield Hit(
            node,
            f"`{short}(no_network=False)` lets entities and DTDs be fetched over the network "
            "(server-side requests from document content).",
        )
    elif not is_false(resolve) and (is_true(_kw(node, "load_dtd")) or is_true(_kw(node, "dtd_validation"))):
        yield Hit(
            node,
            f"`{short}` loads the document's DTD without resolve_entities=False: external entities "
            "it declares are resolved.",
            confidence=Confidence.MEDIUM,
        )


def _kw(node: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(node, name)
    return kw.value if kw else None


def _feature(ctx: FileContext, expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return _FEATURE_URIS.get(expr.value)
    qualified = ctx.qualname(expr) or ""
    return _FEATURES.get(qualified.rsplit(".", 1)[-1])
