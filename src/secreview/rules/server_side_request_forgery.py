"""Outgoing request whose URL or host comes from the client.

## What it flags
With data flow (the taint part): data from a network client or a socket that
reaches a `url` sink of the taint specs, followed through assignments, helpers in
other modules and attributes of `self`, reported with its trace. Where the specs name
the sink call, data flow decides; the pattern part below speaks for the rest.
Confidence: medium for data from a network client; low for data from a socket or
the reply of a remote service (an address a peer the code chose hands back, such
as a storage cluster listing its nodes: hostile only if that peer is).

HTTP client calls (`requests.*` and `requests.Session()` methods, `httpx.*` and
`httpx.Client()`/`AsyncClient()`, `urllib.request.urlopen`/`Request`,
`aiohttp.ClientSession()` methods, `urllib3.PoolManager().request`,
`http.client.HTTPConnection`/`HTTPSConnection`) whose URL is request data or a
route parameter, either whole or in the host part: `f"http://{host}/status"`,
`"https://" + host`, `urljoin(base, user_url)`. Interpolating only the path or
query after a fixed host (`f"https://api.example.com/users/{uid}"`) is fine, and
so is a function that checks the parsed host (`urlparse(url).hostname in
ALLOWED`) or an allow-list.

## Why it matters
The server makes the request with its own network position and credentials: a
client can reach internal services, cloud metadata endpoints
(169.254.169.254), or localhost-only admin APIs, and read the responses
(CWE-918).

## Example
```python
import requests
from flask import Flask, request

app = Flask(__name__)

@app.route("/preview")
def preview():
    url = request.args["url"]
    return requests.get(url, timeout=5).text
```

## Use instead
```python
from urllib.parse import urlparse

import requests
from flask import Flask, abort, request

app = Flask(__name__)
ALLOWED_HOSTS = {"images.example.com", "cdn.example.com"}

@app.route("/preview")
def preview():
    url = request.args["url"]
    parsed = urlparse(url)
    if parsed.scheme != "https" or parsed.hostname not in ALLOWED_HOSTS:
        abort(400)
    return requests.get(url, timeout=5).text
```

## References
- CWE-918: Server-Side Request Forgery (SSRF)
- OWASP Server-Side Request Forgery Prevention Cheat Sheet
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._access.fixed_prefix import host_is_fixed
from secreview.rules._access.function_facts import (
    allowlist_test,
    calls_matching,
    compares_attribute,
    names_feeding,
    scope_of,
)
from secreview.rules._access.guards import calls_named, guarded, membership, reads_attribute
from secreview.rules._access.object_facts import created_by
from secreview.rules._access.url_hosts import host_source
from secreview.rules._access.vocabulary import word_set
from secreview.ruleset import Hit, Meta, TaintQuery

META = Meta(
    code="SR211",
    name="server-side-request-forgery",
    title="Outgoing request to a client-chosen URL",
    cwe=918,
    type="access",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Do not fetch client-supplied URLs directly: map an identifier to a known URL, or parse the URL and "
    "allow only https to an allow-listed host (and block private/link-local addresses after DNS resolution).",
)
NODES = (ast.Call,)

_VERBS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"}
_MODULES = {"requests", "httpx", "requests.api"}
_CLIENTS = word_set(
    """
    requests.Session requests.session requests.sessions.Session httpx.Client httpx.AsyncClient
    aiohttp.ClientSession urllib3.PoolManager urllib3.poolmanager.PoolManager
    """
)
_DIRECT = {
    "urllib.request.urlopen": 0,
    "urllib.request.Request": 0,
    "urllib2.urlopen": 0,
    "urllib2.Request": 0,
    "urllib.urlopen": 0,
    "six.moves.urllib.request.urlopen": 0,
    "http.client.HTTPConnection": 0,
    "http.client.HTTPSConnection": 0,
    "httplib.HTTPConnection": 0,
    "httplib.HTTPSConnection": 0,
}
_CHECKS = re.compile(
    r"allowed|allowlist|whitelist|is_safe|safe_url|validate_url|check_url|verify_url|"
    r"is_private|is_global|ip_address|ip_network",
    re.IGNORECASE,
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    url = _url_argument(node, ctx)
    if url is None:
        return
    source = host_source(ctx, url)
    if source is None or _checked(ctx, node, url):
        return
    call = ctx.call_name(node) or ctx.segment(node.func)
    yield Hit(
        node,
        f"`{call}` sends a request to a URL whose host is chosen by {source.description}.",
        trace=trace_for(ctx, source, node, f"{call}(url)"),
    )


def _url_argument(node: ast.Call, ctx: FileContext) -> ast.expr | None:
    name = ctx.call_name(node) or ""
    if name in _DIRECT:
        return argument(node, _DIRECT[name], "url") or argument(node, None, "host")
    module, _, verb = name.rpartition(".")
    if module in _MODULES and verb in _VERBS:
        pass  # requests.get(...), or `from requests import get`
    elif isinstance(node.func, ast.Attribute) and node.func.attr in _VERBS:
        verb = node.func.attr
        if created_by(ctx, node.func.value, _CLIENTS) is None:
            return None
    else:
        return None
    if verb == "send":
        return None
    return argument(node, 1 if verb in ("request", "stream") else 0, "url")


def _checked(ctx: FileContext, node: ast.Call, url: ast.expr) -> bool:
    scope = scope_of(ctx, node)
    if calls_matching(ctx, scope, _CHECKS):
        return True
    if compares_attribute(scope, {"hostname", "netloc", "host"}):
        return True
    return allowlist_test(ctx, scope, names_feeding(ctx, url))


def _taint_validated(call: ast.Call, arg: ast.AST, ctx: FileContext) -> bool:
    """A flow the taint engine found is dropped when the host is written in the code, or a test on
    the same value (allow-list, host comparison, a URL-checking function) guards the request."""
    return host_is_fixed(ctx, arg) or guarded(
        ctx, call, arg, calls_named(f".*({_CHECKS.pattern}).*"), reads_attribute("hostname", "netloc", "host"),
        membership())


# The taint part: flows from these source kinds to these sink kinds, across functions and modules, with a
# trace (secreview/taint/README.md). `check` above stays for what data flow cannot see; where both report
# the same call, the traced finding is kept.
TAINT = TaintQuery(
    sources=frozenset({"remote_input", "socket_input"}),
    sinks=frozenset({"url"}),
    validated=_taint_validated,
    # A reply of a peer the code chose (a storage array's API listing its nodes) picks the next address
    # only if that peer is hostile: weak evidence, low confidence.
    weak_sources=frozenset({"socket_input"}),
)
