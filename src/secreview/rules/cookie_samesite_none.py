"""Credential cookie sent with `SameSite=None` (every cross-site request carries it).

## What it flags
`response.set_cookie(...)` (Flask, Django, Starlette, aiohttp, WebOb) with
`samesite="None"` written out, on a cookie whose value is a fresh secret (`secrets.*`,
`os.urandom`, `uuid4()`: a session handle) or whose value's name says session or
credential (`session_key`, `token`, `handle`). Any other cookie with `samesite="None"` is
low confidence: third-party embeds need it, a login cookie does not. Cookies named like a
session (`session`, `sid`) are left to `csrf-protection-disabled`, which reports them as
CSRF; Python `None` (the attribute left out, browsers default to Lax) is not flagged.

## Why it matters
`SameSite=Lax` or `Strict` keeps the browser from attaching the cookie to requests that
other sites trigger; `None` gives that defence up, so a page on any site can post a form to
the application with the user's session and change their data (CWE-1275, CSRF).

## Example
```python
import secrets

from aiohttp import web

async def login(request):
    resp = web.HTTPSeeOther("/home")
    resp.set_cookie("c", secrets.token_urlsafe(32), secure=True, httponly=True, samesite="None")
    raise resp
```

## Use instead
```python
import secrets

from aiohttp import web

async def login(request):
    resp = web.HTTPSeeOther("/home")
    resp.set_cookie("c", secrets.token_urlsafe(32), secure=True, httponly=True, samesite="Lax")
    raise resp
```

## References
- CWE-1275: Sensitive Cookie with Improper SameSite Attribute
- OWASP Cross-Site Request Forgery Prevention Cheat Sheet (SameSite cookie attribute)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument
from secreview.analysis.words import identifiers_in
from secreview.model import Confidence, Severity
from secreview.rules._access.object_facts import constant_str
from secreview.rules._access.secret_values import SESSION_COOKIE
from secreview.rules._access.vocabulary import split_words, word_set
from secreview.rules._crypto.randomness import random_call
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR216",
    name="cookie-samesite-none",
    title="Credential cookie sent with SameSite=None",
    cwe=1275,
    type="csrf",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix='Set samesite="Lax" (or "Strict") on session and login cookies; keep SameSite=None for cookies '
    "that third-party embeds need and that grant nothing.",
)
NODES = (ast.Call,)
NEEDS = ("set_cookie", "set_signed_cookie")

_CREDENTIAL_WORDS = word_set(
    """session sessionid sessid sid token jwt auth credential credentials secret apikey handle login remember"""
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr in ("set_cookie", "set_signed_cookie")):
        return
    samesite = argument(node, None, "samesite")
    if not (isinstance(samesite, ast.Constant) and isinstance(samesite.value, str)
            and samesite.value.lower() == "none"):
        return
    cookie = constant_str(argument(node, 0, "key"), ctx) or constant_str(argument(node, 0, "name"), ctx)
    if cookie and SESSION_COOKIE.search(cookie):
        return  # csrf-protection-disabled reports a session-named cookie (one finding per place)
    value = argument(node, 1, "value")
    shown = f"`{cookie}`" if cookie else "the cookie"
    fresh = random_call(ctx, [value]) if value is not None else ""
    if fresh and not fresh.startswith(("random.", "numpy.random.")):
        yield Hit(node, f'Cookie {shown} carries a fresh secret (`{fresh}()`: a session handle) and is sent '
                  'with `samesite="None"`: every cross-site request carries it.', confidence=Confidence.MEDIUM)
        return
    named = next((i for i in identifiers_in(value) if _CREDENTIAL_WORDS & set(split_words(i))), "")
    if named:
        yield Hit(node, f'Cookie {shown} carries `{named}` and is sent with `samesite="None"`: every '
                  "cross-site request carries it.", confidence=Confidence.MEDIUM)
        return
    yield Hit(node, f'Cookie {shown} is sent with `samesite="None"`: every cross-site request carries it; '
              "if it grants anything, use Lax.", confidence=Confidence.LOW, severity=Severity.LOW)
