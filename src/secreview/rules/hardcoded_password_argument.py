"""Credential passed as a string literal to a keyword argument.

## What it flags
Calls that pass a non-empty string literal to a keyword whose name says it is
the secret: `connect(password="s3cret")`, `login(user, password="...")`,
`Client(api_key="...")`, `dict(token="...")`, and passwords passed by position
or in a pair: `smtp.login(user, "...")`, `HTTPBasicAuth("user", "...")`,
`requests.get(url, auth=("user", "..."))`. Test files, `str.format()` calls,
and values that are clearly not a secret (placeholders, masks, names, URLs,
paths, values shorter than 4 characters) are skipped, as in SR201.
The default of an oslo.config option the code declares `secret=True` is
flagged when it is a credential or a URL with a real password in it
(`cfg.StrOpt("connection", secret=True, default="mysql://svc:S3cr3t!@db/svc")`).

## Confidence
- medium: every hit; the value passed the literal checks of SR201 (not a placeholder, a
  name, a URL without a password, a path), but whether it is a live credential or a
  development default only its owner knows.

## Why it matters
The credential ships with the code: anyone with the source, a package or an
image can log in with it, and it stays valid until someone edits the code and
rotates it everywhere (CWE-798).

## Example
```python
import pymysql

def open_db():
    return pymysql.connect(host="db.internal", user="report", password="R3port!2024")
```

## Use instead
```python
import os

import pymysql

def open_db():
    return pymysql.connect(host="db.internal", user="report", password=os.environ["REPORT_DB_PASSWORD"])
```

## References
- CWE-798: Use of Hard-coded Credentials
- OWASP Secrets Management Cheat Sheet
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._access.secret_names import ambiguous_secret, auth_context, secret_identifier
from secreview.rules._access.secret_values import (
    FLASK_KEY_SETTINGS,
    describe_value,
    literal_secret,
    secret_value,
    url_password,
)
from secreview.rules._access.vocabulary import word_set
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR202",
    name="hardcoded-password-argument",
    title="Hard-coded credential passed as an argument",
    cwe=798,
    type="access",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Pass a credential read at run time (environment, secrets manager, protected config file) "
    "instead of a literal, and rotate the value that was committed.",
    bandit=("B106",),
)
NODES = (ast.Call,)
# Calls whose keywords name placeholders or fields, not credentials.
_SKIP_METHODS = {"format", "format_map", "add_argument", "add_option", "gettext", "_"}


_BASIC_AUTH = word_set(
    """
    requests.auth.HTTPBasicAuth requests.auth.HTTPDigestAuth requests.HTTPBasicAuth httpx.BasicAuth
    httpx.DigestAuth aiohttp.BasicAuth requests.auth.HTTPProxyAuth
    """
)


def _positional_password(node: ast.Call, ctx: FileContext) -> ast.expr | None:
    """The password passed by position: `smtp.login(user, "pw")`, `HTTPBasicAuth("user", "pw")`."""
    if len(node.args) != 2:
        return None
    if (ctx.call_name(node) or "") in _BASIC_AUTH:
        return node.args[1]
    if isinstance(node.func, ast.Attribute) and node.func.attr == "login":
        return node.args[1]
    return None


def _secret_option_default(node: ast.Call, ctx: FileContext) -> Hit | None:
    """`cfg.StrOpt("connection", secret=True, default="mysql://svc:S3cr3t!@db/svc")`: the project declares
    the option secret and ships its value; a URL's password or a credential-like literal counts."""
    func = node.func
    last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if not last.endswith("Opt") or not any(
            k.arg == "secret" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords):
        return None
    default = next((k.value for k in node.keywords if k.arg == "default"), None)
    literal = literal_secret(default)
    if default is None or literal is None:
        return None
    name = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else "option"
    password = url_password(literal)
    if password is not None:
        return Hit(default, f"The default of the oslo.config option `{name!s}` (declared `secret=True`) is a URL "
                   f"with a hard-coded password ({describe_value(password)}).")
    if secret_value(literal, "secret" if not isinstance(name, str) else name + "_secret"):
        return Hit(default, f"The default of the oslo.config option `{name!s}` (declared `secret=True`) is a "
                   f"hard-coded credential ({describe_value(literal)}).")
    return None


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    method = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    if method in _SKIP_METHODS:
        return
    config_update = (
        method == "update"
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "config"
    )
    option = _secret_option_default(node, ctx)
    if option is not None:
        yield option
        return
    positional = _positional_password(node, ctx)
    if positional is not None:
        literal = literal_secret(positional)
        if literal is not None and secret_value(literal, "password"):
            name = ctx.call_name(node) or ctx.segment(node.func) or "the call"
            yield Hit(positional, f"`{name}` receives a hard-coded password ({describe_value(literal)}).")
            return
    for kw in node.keywords:
        if kw.arg == "auth" and isinstance(kw.value, ast.Tuple) and len(kw.value.elts) == 2:
            literal = literal_secret(kw.value.elts[1])  # requests auth=(user, "pw")
            if literal is not None and secret_value(literal, "password"):
                yield Hit(
                    kw.value.elts[1],
                    f"`{ctx.call_name(node) or 'the call'}` receives a hard-coded password "
                    f"in `auth=` ({describe_value(literal)}).",
                )
            continue
        literal = literal_secret(kw.value)
        if kw.arg is None or literal is None or (config_update and kw.arg in FLASK_KEY_SETTINGS):
            continue  # app.config.update(SECRET_KEY=...) is reported by hardcoded-crypto-key
        if ambiguous_secret(kw.arg) and not auth_context(ctx, node):
            continue
        if secret_identifier(kw.arg) and secret_value(literal, kw.arg):
            name = ctx.call_name(node) or ctx.segment(node.func) or "the call"
            yield Hit(
                kw.value,
                f"`{name}` receives a hard-coded credential in `{kw.arg}=` ({describe_value(literal)}).",
            )
