"""Host or URL allow-check that a look-alike domain passes.

## What it flags
Checks that decide whether a host or URL is trusted by matching part of the
string: `host.endswith("example.com")` (also true for `evilexample.com`),
`url.startswith("https://example.com")` with no `/` after the host (also true for
`https://example.com.evil.net/`), and `"example.com" in url` (true for
`https://evil.net/?example.com`). Only values whose name says they hold a host,
URL, origin or referrer are considered.

## Why it matters
Redirect allow-lists, CORS origin checks, webhook and SSRF guards built this way
are bypassed by registering a domain that contains the trusted one (CWE-1023:
the comparison misses the factor "the match ends at a label boundary").

## Example
```python
from urllib.parse import urlparse

def is_trusted(url):
    host = urlparse(url).hostname or ""
    return host.endswith("example.com")
```

## Use instead
```python
from urllib.parse import urlparse

def is_trusted(url):
    host = urlparse(url).hostname or ""
    return host == "example.com" or host.endswith(".example.com")
```

## References
- CWE-1023: Incomplete Comparison with Missing Factors
- CWE-697: Incorrect Comparison
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.words import identifier_of
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR230",
    name="incomplete-host-check",
    title="Host or URL check that a look-alike domain passes",
    cwe=1023,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Parse the URL (urllib.parse.urlsplit) and compare the hostname exactly, or with "
    "`host == d or host.endswith('.' + d)`; for URL prefixes include the `/` after the host.",
)
NODES = (ast.Call, ast.Compare)

_HOSTISH = re.compile(r"(host|domain|netloc|origin|referr?er|redirect|next_?url|return_?url|callback|url|uri|"
                      r"location|webhook|endpoint)", re.IGNORECASE)
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$", re.IGNORECASE)
_URL_PREFIX = re.compile(r"^(https?|wss?|ftp)://[^/?#]+$", re.IGNORECASE)


def check(node: ast.AST, ctx: FileContext) -> Iterator[Hit]:
    if isinstance(node, ast.Call):
        yield from _affix_check(node)
    elif isinstance(node, ast.Compare):
        yield from _substring_check(node, ctx)


def _affix_check(call: ast.Call) -> Iterator[Hit]:
    if not (isinstance(call.func, ast.Attribute) and call.func.attr in ("endswith", "startswith")):
        return
    if len(call.args) != 1 or not _HOSTISH.search(_name(call.func.value)):
        return
    for literal in _literals(call.args[0]):
        if call.func.attr == "endswith" and _DOMAIN.match(literal):
            yield Hit(call, f"`{literal}` also matches `evil{literal}`: the suffix check does not stop at a dot.",
                      fix=f"Compare `host == {literal!r} or host.endswith('.{literal}')` on the parsed hostname.")
            return
        if call.func.attr == "startswith" and _URL_PREFIX.match(literal):
            yield Hit(call, f"`{literal}` is also a prefix of `{literal}.evil.net/`: the prefix does not end "
                      "the host.", fix=f"Check the parsed hostname, or use the prefix `{literal}/`.")
            return


def _substring_check(node: ast.Compare, ctx: FileContext) -> Iterator[Hit]:
    if len(node.ops) != 1 or not isinstance(node.ops[0], ast.In):
        return
    needle, haystack = node.left, node.comparators[0]
    if not (isinstance(needle, ast.Constant) and isinstance(needle.value, str)):
        return
    if not (_DOMAIN.match(needle.value) or _URL_PREFIX.match(needle.value)):
        return
    if not _HOSTISH.search(_name(haystack)) or not _decides(node, ctx):
        return
    yield Hit(node, f"`{needle.value!r} in {_name(haystack)}` is true for any URL that merely contains the text "
              f"(`https://evil.net/?{needle.value}`).",
              fix="Parse the URL and compare its hostname exactly against an allow-list.")


def _decides(node: ast.AST, ctx: FileContext) -> bool:
    """Used as a decision (if/while/assert/return/boolean), not e.g. in a log message."""
    parent = ctx.parent(node)
    while isinstance(parent, (ast.BoolOp, ast.UnaryOp)):
        node, parent = parent, ctx.parent(parent)
    return isinstance(parent, (ast.If, ast.While, ast.Assert, ast.Return, ast.IfExp)) and (
        not isinstance(parent, ast.IfExp) or parent.test is node
    )


def _name(expr: ast.AST) -> str:
    if isinstance(expr, ast.Call):  # urlparse(u).hostname.lower() -> the attribute before the call
        return _name(expr.func.value) if isinstance(expr.func, ast.Attribute) else ""
    return identifier_of(expr)


def _literals(expr: ast.AST) -> list[str]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.Tuple):
        return [e.value for e in expr.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []
