"""CSRF protection switched off for a whole app, form class or settings module.

## What it flags
- Flask-WTF: `app.config["WTF_CSRF_ENABLED"] = False`,
  `app.config.update(WTF_CSRF_ENABLED=False)`, a module-level or non-test
  config-class `WTF_CSRF_ENABLED = False`, and `WTF_CSRF_CHECK_DEFAULT = False`
  (every view is then unprotected unless it calls `csrf.protect()`);
- a `FlaskForm` subclass with `class Meta: csrf = False`, or a form created with
  `meta={"csrf": False}`;
- a Django settings module whose `MIDDLEWARE` list contains
  `SessionMiddleware` but not `CsrfViewMiddleware`;
- session cookies that opt out of SameSite (`SESSION_COOKIE_SAMESITE = "None"`,
  `set_cookie("session", ..., samesite="None")`), at lower confidence. Python
  `None` is not flagged: it omits the attribute and browsers default to Lax.

## Why it matters
With the token check gone, any page the user visits can submit forms or call
state-changing endpoints with the user's session cookie (CWE-352).

## Example
```python
from flask import Flask
from flask_wtf.csrf import CSRFProtect

app = Flask(__name__)
app.config["WTF_CSRF_ENABLED"] = False
csrf = CSRFProtect(app)
```

## Use instead
```python
from flask import Flask
from flask_wtf.csrf import CSRFProtect

app = Flask(__name__)
app.config["WTF_CSRF_ENABLED"] = True
csrf = CSRFProtect(app)
```

## References
- CWE-352: Cross-Site Request Forgery (CSRF)
- Flask-WTF docs, "CSRF Protection"; Django docs, CsrfViewMiddleware
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument, is_false, literal_value
from secreview.analysis.words import identifier_of
from secreview.model import Confidence, Severity
from secreview.rules._access.file_kinds import is_dev_settings, is_module_level, is_settings_module
from secreview.rules._access.object_facts import constant_str
from secreview.rules._access.secret_values import SESSION_COOKIE
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR221",
    name="csrf-protection-disabled",
    title="CSRF protection disabled",
    cwe=352,
    type="csrf",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Keep CSRF protection on (WTF_CSRF_ENABLED, CsrfViewMiddleware, form Meta.csrf) in deployed code; "
    "disable it only in test configuration, and keep session cookies SameSite=Lax or Strict.",
)
NODES = (ast.Assign, ast.Call, ast.ClassDef)

_FLAGS = {
    "WTF_CSRF_ENABLED": "turns off Flask-WTF CSRF protection for every form and view",
    "WTF_CSRF_CHECK_DEFAULT": "leaves every view unprotected unless it calls csrf.protect()",
    "CSRF_ENABLED": "turns off Flask-WTF CSRF protection",
}
_SAMESITE = {"SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"}
_FORMS = re.compile(r"^(flask_wtf\.(FlaskForm|Form)|flask_wtf\.form\.FlaskForm)$")
_NON_PROD_CLASS = re.compile(r"test|dev|debug|local", re.IGNORECASE)


def check(node: ast.AST, ctx: FileContext) -> Iterator[Hit]:
    if isinstance(node, ast.Assign):
        yield from _assignment(node, ctx)
    elif isinstance(node, ast.ClassDef):
        yield from _form_meta(node, ctx)
    elif isinstance(node, ast.Call):
        yield from _call(node, ctx)


def _assignment(node: ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    for target in node.targets:
        ident = identifier_of(target)
        if ident in _FLAGS and is_false(node.value) and _config_target(target, node, ctx):
            yield Hit(
                node,
                f"`{ctx.segment(target)} = False` {_FLAGS[ident]}.",
                confidence=Confidence.MEDIUM if ident == "WTF_CSRF_CHECK_DEFAULT" else None,
            )
        elif ident in _SAMESITE and _none_string(node.value) and _config_target(target, node, ctx):
            yield Hit(
                node,
                f'`{ident} = "None"` sends the cookie on cross-site requests, dropping the browser\'s '
                "default CSRF defence.",
                confidence=Confidence.LOW,
            )
        elif (
            ident in ("MIDDLEWARE", "MIDDLEWARE_CLASSES")
            and isinstance(target, ast.Name)
            and is_module_level(ctx, node)
            and is_settings_module(ctx)
        ):
            entries = literal_value(node.value)
            if isinstance(entries, (list, tuple)) and all(isinstance(e, str) for e in entries):
                if any(e.endswith("SessionMiddleware") for e in entries) and not any(
                    e.endswith("CsrfViewMiddleware") for e in entries
                ):
                    yield Hit(
                        node,
                        f"`{ident}` enables sessions but not `django.middleware.csrf.CsrfViewMiddleware`: "
                        "no view is CSRF-protected.",
                    )


def _config_target(target: ast.expr, node: ast.AST, ctx: FileContext) -> bool:
    """`app.config[...]`, a module-level setting, or an attribute of a non-test/dev config class."""
    if isinstance(target, ast.Subscript):
        return isinstance(target.value, ast.Attribute) and target.value.attr == "config"
    if not isinstance(target, ast.Name) or ctx.enclosing_function(node) is not None:
        return False
    cls = ctx.enclosing_class(node)
    if cls is None:
        return not is_dev_settings(ctx)
    return not _NON_PROD_CLASS.search(cls.name)


def _form_meta(node: ast.ClassDef, ctx: FileContext) -> Iterator[Hit]:
    if node.name != "Meta":
        return
    outer = ctx.enclosing_class(node)
    if outer is None or not any(_FORMS.match(ctx.qualname(b) or "") for b in outer.bases):
        return
    for stmt in node.body:
        if (
            isinstance(stmt, ast.Assign)
            and is_false(stmt.value)
            and any(isinstance(t, ast.Name) and t.id == "csrf" for t in stmt.targets)
        ):
            yield Hit(stmt, f"`csrf = False` in `{outer.name}.Meta` turns off CSRF protection for this form.")


def _call(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    func = node.func
    meta = argument(node, None, "meta")
    if isinstance(meta, ast.Dict):
        for key, value in zip(meta.keys, meta.values, strict=False):
            if isinstance(key, ast.Constant) and key.value == "csrf" and is_false(value):
                yield Hit(
                    node,
                    f"`{ctx.segment(func)}(meta={{'csrf': False}})` builds the form without CSRF protection.",
                )
                return
    if (
        isinstance(func, ast.Attribute)
        and func.attr in ("update", "from_mapping")
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "config"
    ):
        for kw in node.keywords:
            if kw.arg in _FLAGS and is_false(kw.value):
                yield Hit(node, f"`{kw.arg}=False` {_FLAGS[kw.arg]}.")
    elif isinstance(func, ast.Attribute) and func.attr == "set_cookie":
        cookie = constant_str(argument(node, 0, "key"), ctx)
        samesite = argument(node, None, "samesite")
        if cookie and SESSION_COOKIE.search(cookie) and _none_string(samesite):
            yield Hit(
                node,
                f'Cookie `{cookie}` is sent with `samesite="None"`, so cross-site requests carry it.',
                confidence=Confidence.LOW,
            )


def _none_string(expr: ast.AST | None) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, str) and expr.value.lower() == "none"
