"""XPath expression built from untrusted input.

## What it flags
A value from a network client or a socket that reaches the expression of lxml's
`xpath()`/`XPath()`/`find*()` calls, where it becomes XPath syntax. Values passed
as XPath variables (keyword arguments of `xpath()`) are not flagged.

## Why it matters
A quote in the value ends the literal: `' or '1'='1` makes a lookup match every
node, exposing data or bypassing a check built on the query (CWE-643).

## Example
```python
from flask import Flask, request
from lxml import etree

app = Flask(__name__)
USERS = etree.parse("users.xml")

@app.route("/user")
def user():
    name = request.args["name"]
    return str(USERS.xpath(f"//user[@name='{name}']"))
```

## Use instead
```python
from flask import Flask, request
from lxml import etree

app = Flask(__name__)
USERS = etree.parse("users.xml")

@app.route("/user")
def user():
    name = request.args["name"]
    return str(USERS.xpath("//user[@name=$name]", name=name))
```

## References
- CWE-643: Improper Neutralization of Data within XPath Expressions ('XPath Injection')
- lxml documentation, XPath variables
"""

from __future__ import annotations

from dataclasses import replace

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta, TaintQuery

META = Meta(
    code="SR115",
    name="xpath-injection",
    title="XPath expression built from untrusted input",
    cwe=643,
    type="other",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Keep the expression text constant: with lxml's xpath() pass values as XPath variables "
    "(`tree.xpath(\"//user[@name=$name]\", name=value)`); find()/findall() take no variables, so use a fixed path "
    "and compare the value in Python.",
)
XPATH_FIX = ("Pass values as XPath variables (`tree.xpath(\"//user[@name=$name]\", name=value)`, "
             "`etree.XPath(\"//user[@name=$name]\")(tree, name=value)`) instead of building the expression text.")
# ElementPath (find, findall, findtext, iterfind) has no variables
ELEMENTPATH_FIX = ("Keep the path constant and compare the value in Python: "
                   "`[e for e in root.iterfind(\".//user\") if e.get(\"name\") == name]`; "
                   "ElementPath (find/findall) has no variables to bind it to.")
_ELEMENTPATH = ("find", "findall", "findtext", "iterfind")


def _for_sink(hit: Hit, sink: str, ctx: FileContext) -> Hit:
    return replace(hit, fix=ELEMENTPATH_FIX if sink.rpartition(".")[2] in _ELEMENTPATH else XPATH_FIX)


# A taint rule: the engine reports every flow from these source kinds to these sink kinds
# (secreview/taint/README.md); the specs (taint/specs/*.toml) say which calls they are.
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"xpath"}),
                   for_sink=_for_sink)
