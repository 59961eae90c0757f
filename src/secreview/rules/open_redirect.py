"""Redirect to a location taken from the request.

## What it flags
With data flow (the taint part): data from a network client or a socket that
reaches a `redirect` sink of the taint specs, followed through assignments, helpers in
other modules and attributes of `self`, reported with its trace. Where the specs name
the sink call, data flow decides; the pattern part below speaks for the rest.

`flask.redirect`/`werkzeug.utils.redirect`, `django.shortcuts.redirect`,
`HttpResponseRedirect`/`HttpResponsePermanentRedirect`, Starlette/FastAPI
`RedirectResponse`, `webob.exc.HTTPFound(location=...)` and its siblings,
`pyramid.httpexceptions.HTTPFound`, `pecan.redirect`, `bottle.redirect`,
`aiohttp.web.HTTPFound` and Tornado's `self.redirect`, when the target is
request data or a route parameter (whole, after only a scheme, or after a lone
`/`), and the function does not validate it (`url_has_allowed_host_and_scheme`,
`is_safe_url`, a check of the parsed `netloc`/`hostname`/`scheme`, a
`startswith` test that rejects `//` or absolute URLs, or an allow-list).
Targets built by `url_for()`/`reverse()` are fine.

## Why it matters
A link on the trusted domain (`/login?next=https://evil.example`) sends users to
a phishing page or leaks tokens in the URL to another site; it also defeats
redirect-URI allow-lists in OAuth flows (CWE-601).

## Example
```python
from flask import Flask, redirect, request

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    target = request.args.get("next", "/")
    return redirect(target)
```

## Use instead
```python
from urllib.parse import urlparse

from flask import Flask, redirect, request, url_for

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    target = request.args.get("next", "/")
    parsed = urlparse(target)
    if parsed.netloc or parsed.scheme:
        target = url_for("index")
    return redirect(target)
```

## References
- CWE-601: URL Redirection to Untrusted Site ('Open Redirect')
- OWASP Unvalidated Redirects and Forwards Cheat Sheet
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._access.fixed_prefix import stays_on_site
from secreview.rules._access.function_facts import (
    allowlist_test,
    calls_matching,
    compares_attribute,
    function_calls,
    names_feeding,
    scope_of,
)
from secreview.rules._access.guards import calls_named, guarded, membership, reads_attribute
from secreview.rules._access.url_hosts import host_source
from secreview.ruleset import Hit, Meta, TaintQuery

META = Meta(
    code="SR212",
    name="open-redirect",
    title="Redirect target taken from the request",
    cwe=601,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Redirect only to local paths or allow-listed hosts: check the target with "
    "django.utils.http.url_has_allowed_host_and_scheme (or urlparse and reject any netloc/scheme), "
    "and fall back to a fixed page.",
)
NODES = (ast.Call,)

# sink -> (position, keyword) of the target
_SINKS = {
    "flask.redirect": (0, "location"),
    "werkzeug.utils.redirect": (0, "location"),
    "quart.redirect": (0, "location"),
    "django.shortcuts.redirect": (0, "to"),
    "django.http.HttpResponseRedirect": (0, "redirect_to"),
    "django.http.HttpResponsePermanentRedirect": (0, "redirect_to"),
    "django.http.response.HttpResponseRedirect": (0, "redirect_to"),
    "starlette.responses.RedirectResponse": (0, "url"),
    "fastapi.responses.RedirectResponse": (0, "url"),
    "pecan.redirect": (0, "location"),
    "bottle.redirect": (0, "url"),
    "aiohttp.web.HTTPFound": (0, "location"),
    "aiohttp.web.HTTPSeeOther": (0, "location"),
    "aiohttp.web.HTTPMovedPermanently": (0, "location"),
    "aiohttp.web.HTTPTemporaryRedirect": (0, "location"),
}
_WEBOB = re.compile(
    r"^(webob\.exc|pyramid\.httpexceptions)\.HTTP(Found|SeeOther|MovedPermanently|"
    r"TemporaryRedirect|PermanentRedirect)$"
)
_CHECKS = re.compile(
    r"url_has_allowed_host_and_scheme|is_safe_url|safe_redirect|is_safe_redirect|is_local_url|"
    r"allowed_host|is_safe_path|validate_redirect|check_redirect",
    re.IGNORECASE,
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    target = _target(node, ctx)
    if target is None:
        return
    source = host_source(ctx, target, relative_ok=False)
    if source is None or _validated(ctx, node, target):
        return
    call = ctx.call_name(node) or ctx.segment(node.func)
    yield Hit(
        node,
        f"`{call}` redirects to a location taken from {source.description} without checking its host.",
        trace=trace_for(ctx, source, node, f"{call}(location)"),
    )


def _target(node: ast.Call, ctx: FileContext) -> ast.expr | None:
    name = ctx.call_name(node) or ""
    if name in _SINKS:
        position, keyword = _SINKS[name]
        return argument(node, position, keyword)
    if _WEBOB.match(name):
        return argument(node, 0 if name.startswith("pyramid") else None, "location")
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "redirect" and name == "self.redirect":
        cls = ctx.enclosing_class(node)
        if cls and any((ctx.qualname(b) or "").endswith("RequestHandler") for b in cls.bases):
            return argument(node, 0, "url")
    return None


def _validated(ctx: FileContext, node: ast.Call, target: ast.expr) -> bool:
    scope = scope_of(ctx, node)
    if calls_matching(ctx, scope, _CHECKS):
        return True
    if compares_attribute(scope, {"netloc", "hostname", "scheme"}):
        return True
    for last, call in function_calls(ctx, scope):
        if last == "startswith" and any(_rejects_absolute(a) for a in call.args):
            return True
    if _netloc_test(scope):
        return True
    return allowlist_test(ctx, scope, names_feeding(ctx, target))


def _rejects_absolute(arg: ast.expr) -> bool:
    values = arg.elts if isinstance(arg, ast.Tuple) else [arg]
    return any(
        isinstance(v, ast.Constant) and isinstance(v.value, str) and ("//" in v.value or "http" in v.value)
        for v in values
    )


def _netloc_test(scope: ast.AST) -> bool:
    """`if parsed.netloc or parsed.scheme:` : a truth test of the parsed host."""
    for sub in ast.walk(scope):
        if isinstance(sub, (ast.If, ast.IfExp, ast.Assert)):
            for part in ast.walk(sub.test):
                if isinstance(part, ast.Attribute) and part.attr in {"netloc", "hostname", "scheme"}:
                    return True
    return False


def _taint_validated(call: ast.Call, arg: ast.AST, ctx: FileContext) -> bool:
    """A flow the taint engine found is dropped when the target is a path on this site, or a test on
    the same value (host/scheme check, allow-list, a redirect-checking function) guards the redirect."""
    return stays_on_site(ctx, arg) or guarded(
        ctx, call, arg, calls_named(f".*({_CHECKS.pattern}).*"), reads_attribute("netloc", "hostname", "scheme"),
        _startswith_rejecting_absolute, membership())


def _startswith_rejecting_absolute(node: ast.AST) -> bool:
    """`x.startswith(("//", "http"))`: a test that tells absolute URLs from paths."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "startswith"
            and any(_rejects_absolute(a) for a in node.args))


# The taint part: flows from these source kinds to these sink kinds, across functions and modules, with a
# trace (secreview/taint/README.md). `check` above stays for what data flow cannot see; where both report
# the same call, the traced finding is kept.
TAINT = TaintQuery(
    sources=frozenset({"remote_input", "socket_input"}),
    sinks=frozenset({"redirect"}),
    validated=_taint_validated,
)
