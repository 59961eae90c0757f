"""Cookie sent without the Secure or HttpOnly flag.

## What it flags
- `response.set_cookie(...)`/`set_signed_cookie(...)` (Flask, Django, Starlette,
  aiohttp ...) with `secure=False` or `httponly=False` written out, whatever the
  cookie's name;
- a cookie whose name says it carries a session or credential (`session`,
  `sessionid`, `sid`, `auth`, `token`, `jwt`, `remember_me` ...) set with neither
  `secure` nor `httponly`;
- settings that switch the protection off: `SESSION_COOKIE_SECURE = False`,
  `SESSION_COOKIE_HTTPONLY = False`, `CSRF_COOKIE_SECURE = False`,
  `REMEMBER_COOKIE_SECURE = False` at module level or in a configuration class,
  `app.config["SESSION_COOKIE_SECURE"] = False` or
  `app.config.update(SESSION_COOKIE_SECURE=False)`.
A non-literal `secure=` (from settings or `request.is_secure`), a cookie without
the flags passed `**kwargs`, `httponly=False` on a CSRF cookie (the double-submit
pattern has page scripts read it; Django's `CSRF_COOKIE_HTTPONLY` defaults to
False) and a framework's table of defaults (`global_settings.py`) are not flagged.

## Confidence
- high: the cookie is a session or credential cookie — by its name (a literal, or
  the name of the expression giving it, such as `settings.SESSION_COOKIE_NAME`) or by
  the value it carries (`session_key`, `token`, `sid` ...) — or the setting is a
  session/remember-me/JWT cookie setting outside development settings;
- medium: a session-named cookie set with neither flag (the flags may be added by
  middleware or a proxy), a CSRF cookie sent without `Secure`, or a cookie setting in
  a configuration class that is neither for production nor for development;
- low: `secure=False`/`httponly=False` on a cookie nothing here links to a session or
  a credential, and such settings in development settings files or classes
  (`settings/dev.py`, `DevConfig`): explicit choices a reviewer should see, whose
  cookie may well be harmless.

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

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument, is_false, keyword
from secreview.analysis.words import identifier_of, identifiers_in
from secreview.model import Confidence, Severity
from secreview.rules._access.file_kinds import config_class, is_defaults_table, is_dev_settings, is_module_level
from secreview.rules._access.object_facts import constant_str
from secreview.rules._access.secret_values import SESSION_COOKIE
from secreview.rules._access.vocabulary import split_words, word_set
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR214",
    name="insecure-cookie",
    title="Cookie without the Secure or HttpOnly flag",
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
# Words of an identifier of a cookie's value that say it is a session or a credential (`session_key`,
# `access_token`; not `author`).
_SESSION_VALUE = word_set(
    """
    session sessionid sessid sid token jwt auth credential credentials password passwd secret apikey
    """
)


def check(node: ast.Call | ast.Assign, ctx: FileContext) -> Iterator[Hit]:
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
                yield Hit(node, f"`{kw.arg}=False` {_effect(kw.arg)}.", confidence=_setting_confidence(kw.arg))
        return
    if func.attr in ("set_cookie", "set_signed_cookie"):
        yield from _cookie(node, ctx)


def _cookie(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    key = argument(node, 0, "key")
    cookie = constant_str(key, ctx)
    shown = f"`{cookie}`" if cookie is not None else f"`{ctx.segment(key)}`" if key is not None else "the cookie"
    name = cookie if cookie is not None else identifier_of(key) or " ".join(identifiers_in(key))
    csrf = bool(_CSRF_COOKIE.search(name))
    session = not csrf and (bool(SESSION_COOKIE.search(name)) if name else False)
    carries = _session_value(node)
    secure, httponly = keyword(node, "secure"), keyword(node, "httponly")
    off = [flag for flag, kw in (("secure", secure), ("httponly", httponly))
           if kw is not None and is_false(kw.value) and not (flag == "httponly" and csrf)]
    if off:
        what = " and ".join(f"`{flag}=False`" for flag in off)
        effects = {"secure": "travels over plain HTTP", "httponly": "is readable by page scripts"}
        effect = " and ".join(effects[flag] for flag in off)
        if session or carries:
            confidence = Confidence.HIGH
            why = (f"it carries `{carries}`" if carries and not session
                   else "its name says it holds a session or credential")
        elif csrf:
            confidence = Confidence.MEDIUM
            why = "a CSRF token read over plain HTTP lets a network attacker forge requests"
        else:
            confidence = Confidence.LOW
            why = "nothing here says what it holds; if it is a session or credential it can be stolen"
        yield Hit(node, f"Cookie {shown} is set with {what}: it {effect} ({why}).", confidence=confidence,
                  rewrite=_flag_on(off, secure, httponly))
        return
    if cookie is None or not session or any(k.arg is None for k in node.keywords):
        return  # the flags are left to defaults only for a cookie named like a session; **kwargs may set them
    if secure is None and httponly is None:
        yield Hit(
            node,
            f"Cookie `{cookie}` is set without `secure` or `httponly`: it travels over plain HTTP and "
            "is readable by scripts.",
        )


def _session_value(node: ast.Call) -> str:
    """An identifier of the cookie's value that names a session or a credential (`session_key`, `token`)."""
    value = argument(node, 1, "value")
    for ident in identifiers_in(value):
        if _SESSION_VALUE & set(split_words(ident)):
            return ident
    return ""


def _flag_on(off: list[str], *given: ast.keyword | None) -> tuple[ast.AST, str] | None:
    """One literal `False` flag becomes `True` (exact); two are left to the author (one rewrite per finding)."""
    if len(off) != 1:
        return None
    kw = next(k for k in given if k is not None and k.arg == off[0])
    return (kw.value, "True") if isinstance(kw.value, ast.Constant) else None


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
            yield Hit(node, f"`{ctx.segment(target)} = False` {_effect(ident)}.",
                      confidence=_setting_confidence(ident))
        elif isinstance(target, ast.Name) and is_module_level(ctx, node) and not is_defaults_table(ctx):
            if is_dev_settings(ctx):
                yield Hit(node, f"`{ident} = False` {_effect(ident)}; this is a development or test settings "
                          "file, so make sure it is never the deployed one.", confidence=Confidence.LOW)
            else:
                yield Hit(node, f"`{ident} = False` {_effect(ident)}.", confidence=_setting_confidence(ident))
        elif isinstance(target, ast.Name) and (kind := config_class(ctx, node)) is not None:
            cls = ctx.enclosing_class(node)
            where = f"the {kind} configuration class `{cls.name if cls else ''}`"
            confidence = {"production": _setting_confidence(ident), "development": Confidence.LOW}.get(
                kind, Confidence.MEDIUM)
            yield Hit(node, f"`{ident} = False` in {where} {_effect(ident)}.", confidence=confidence)


def _setting_confidence(setting: str) -> Confidence:
    return Confidence.MEDIUM if setting.startswith("CSRF_") else Confidence.HIGH


def _effect(setting: str) -> str:
    cookie = setting.split("_COOKIE_")[0].lower()
    if setting.endswith("HTTPONLY"):
        return f"lets page scripts read the {cookie} cookie"
    return f"lets the browser send the {cookie} cookie over plain HTTP"
