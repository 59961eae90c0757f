"""Session or authentication cookie sent without the Secure flag.

## What it flags
- `response.set_cookie(...)`/`set_signed_cookie(...)` for a cookie whose name
  says it carries a session or credential (`session`, `sessionid`, `sid`,
  `auth`, `token`, `jwt`, `remember_me` ...) with `secure=False`, or with neither
  `secure` nor `httponly` given;
- settings that switch the protection off: `SESSION_COOKIE_SECURE = False`,
  `SESSION_COOKIE_HTTPONLY = False`, `CSRF_COOKIE_SECURE = False`,
  `REMEMBER_COOKIE_SECURE = False` as module-level settings (not in
  development/test settings files), `app.config["SESSION_COOKIE_SECURE"] = False`
  or `app.config.update(SESSION_COOKIE_SECURE=False)`.
A cookie with a non-literal `secure=` (from settings or `request.is_secure`) or
passed `**kwargs` is not flagged.

## Why it matters
Without `Secure` the browser also sends the cookie over plain HTTP, where anyone
on the network path can copy it and take over the session; without `HttpOnly`
any injected script can read it (CWE-614).

## Example
```python
from flask import Flask, make_response

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    resp = make_response("ok")
    resp.set_cookie("session_token", "opaque-value")
    return resp
```

## Use instead
```python
from flask import Flask, make_response

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    resp = make_response("ok")
    resp.set_cookie("session_token", "opaque-value", secure=True, httponly=True, samesite="Lax")
    return resp
```

## References
- CWE-614: Sensitive Cookie in HTTPS Session Without 'Secure' Attribute
- CWE-1004: Sensitive Cookie Without 'HttpOnly' Flag
- OWASP Session Management Cheat Sheet, "Cookies"
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.code import is_test_code
from secreview.analysis.context import FileContext
from secreview.analysis.values import argument, is_false, keyword
from secreview.analysis.words import identifier_of
from secreview.model import Confidence, Severity
from secreview.rules._access.file_kinds import is_dev_settings, is_module_level
from secreview.rules._access.object_facts import constant_str
from secreview.rules._access.secret_values import SESSION_COOKIE
from secreview.rules._access.vocabulary import word_set
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR214",
    name="insecure-cookie",
    title="Session cookie without the Secure flag",
    cwe=614,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Set secure=True and httponly=True (and samesite='Lax' or 'Strict') on session and authentication "
    "cookies; keep SESSION_COOKIE_SECURE/CSRF_COOKIE_SECURE True in deployed settings.",
)
NODES = (ast.Call, ast.Assign)

_CSRF_COOKIE = re.compile(r"csrf|xsrf", re.IGNORECASE)  # read by scripts on purpose (double submit)
_SETTINGS = word_set(
    """
    SESSION_COOKIE_SECURE SESSION_COOKIE_HTTPONLY CSRF_COOKIE_SECURE REMEMBER_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY JWT_COOKIE_SECURE
    """
)


def check(node: ast.Call | ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    if is_test_code(ctx):
        return
    if isinstance(node, ast.Assign):
        yield from _settings(node, ctx)
        return
    func = node.func
    if not isinstance(func, ast.Attribute):
        return
    if (
        func.attr in ("update", "from_mapping")
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "config"
    ):
        for kw in node.keywords:
            if kw.arg in _SETTINGS and is_false(kw.value):
                yield Hit(node, f"`{kw.arg}=False` {_effect(kw.arg)}.")
        return
    if func.attr not in ("set_cookie", "set_signed_cookie"):
        return
    cookie = constant_str(argument(node, 0, "key"), ctx)
    if (
        cookie is None
        or not SESSION_COOKIE.search(cookie)
        or _CSRF_COOKIE.search(cookie)
        or any(k.arg is None for k in node.keywords)
    ):
        return
    secure, httponly = keyword(node, "secure"), keyword(node, "httponly")
    if secure is not None and is_false(secure.value):
        yield Hit(node, f"Cookie `{cookie}` is set with `secure=False`; it also travels over plain HTTP.")
    elif secure is None and httponly is None:
        yield Hit(
            node,
            f"Cookie `{cookie}` is set without `secure` or `httponly`: it travels over plain HTTP and "
            "is readable by scripts.",
        )


def _settings(node: ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    if not is_false(node.value):
        return
    for target in node.targets:
        ident = identifier_of(target)
        if ident not in _SETTINGS:
            continue
        if (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Attribute)
            and target.value.attr == "config"
        ):
            yield Hit(node, f"`{ctx.segment(target)} = False` {_effect(ident)}.")
        elif isinstance(target, ast.Name) and is_module_level(ctx, node) and not is_dev_settings(ctx):
            yield Hit(node, f"`{ident} = False` {_effect(ident)}.")


def _effect(setting: str) -> str:
    cookie = setting.split("_COOKIE_")[0].lower()
    if setting.endswith("HTTPONLY"):
        return f"lets page scripts read the {cookie} cookie"
    return f"lets the browser send the {cookie} cookie over plain HTTP"
