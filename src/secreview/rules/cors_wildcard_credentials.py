"""CORS that lets any origin make credentialed requests.

## What it flags
- `flask_cors.CORS(app, supports_credentials=True)` or
  `@cross_origin(supports_credentials=True)` with the default origins or
  `origins="*"` (Flask-CORS then echoes the caller's Origin back);
- Starlette/FastAPI `CORSMiddleware` with `allow_origins=["*"]` (or
  `allow_origin_regex=".*"`) and `allow_credentials=True`, as
  `add_middleware(CORSMiddleware, ...)` or `Middleware(CORSMiddleware, ...)`;
- Django settings `CORS_ALLOW_ALL_ORIGINS = True` (or `CORS_ORIGIN_ALLOW_ALL`)
  together with `CORS_ALLOW_CREDENTIALS = True` in the same module;
- a handler that copies the request's `Origin` header into
  `Access-Control-Allow-Origin` and also sends `Access-Control-Allow-Credentials: true`.

## Why it matters
With credentials allowed for every origin, any web page a logged-in user visits
can call the API with the user's cookies and read the answers: account data,
CSRF tokens, API keys (CWE-942).

## Example
```python
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True)
```

## Use instead
```python
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://app.example.com"], supports_credentials=True)
```

## References
- CWE-942: Permissive Cross-domain Policy with Untrusted Domains
- Fetch standard, CORS protocol and credentials; Flask-CORS and Starlette CORSMiddleware docs
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import argument, is_true, keyword, literal_value
from secreview.analysis.words import identifier_of
from secreview.model import Confidence, Severity
from secreview.rules._access.file_kinds import module_assignments
from secreview.rules._access.function_facts import allowlist_test, calls_any, names_feeding, scope_of
from secreview.ruleset import Hit, Meta
from secreview.taint.provenance import request_attribute

META = Meta(
    code="SR213",
    name="cors-wildcard-credentials",
    title="CORS allows credentials from any origin",
    cwe=942,
    type="access",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="List the trusted origins explicitly when credentials are allowed (origins=[...], "
    "allow_origins=[...], CORS_ALLOWED_ORIGINS), or drop credentials for a public API.",
)
NODES = (ast.Call, ast.Assign)

_FLASK_CORS = {"flask_cors.CORS", "flask_cors.cross_origin", "flask_cors.extension.CORS"}
_CORS_MIDDLEWARE = ("starlette.middleware.cors.CORSMiddleware", "fastapi.middleware.cors.CORSMiddleware")
_WILD = {"*", ".*", r"/.*", r"^.*$", r".*$"}


def check(node: ast.Call | ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    if isinstance(node, ast.Assign):
        yield from _settings_or_header(node, ctx)
        return
    name = ctx.call_name(node) or ""
    if name in _FLASK_CORS and is_true(_kw(node, "supports_credentials")):
        origins = _kw(node, "origins")
        resources = _kw(node, "resources")
        if (origins is None and _resources_wild(resources, ctx)) or _wild(origins, ctx):
            yield Hit(
                node,
                f"`{name.rsplit('.', 1)[-1]}(supports_credentials=True)` accepts every origin: "
                "Flask-CORS reflects the caller's Origin with credentials allowed.",
            )
        return
    middleware = argument(node, 0, "middleware_class") or argument(node, 0, "cls")
    if middleware is not None and (ctx.qualname(middleware) or "") in _CORS_MIDDLEWARE:
        if is_true(_kw(node, "allow_credentials")) and (
            _wild(_kw(node, "allow_origins"), ctx) or _wild(_kw(node, "allow_origin_regex"), ctx)
        ):
            yield Hit(
                node,
                "`CORSMiddleware` allows credentials for `*` origins; Starlette then echoes the "
                "request's Origin for cookie-bearing requests.",
            )


def _settings_or_header(node: ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    for target in node.targets:
        ident = identifier_of(target)
        if isinstance(target, ast.Name) and ident in ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"):
            if (
                is_true(node.value)
                and ctx.enclosing_function(node) is None
                and _module_true(ctx, "CORS_ALLOW_CREDENTIALS")
            ):
                yield Hit(
                    node,
                    f"`{ident} = True` with `CORS_ALLOW_CREDENTIALS = True` lets every origin make "
                    "credentialed requests.",
                )
        elif isinstance(target, ast.Subscript) and ident.lower() == "access-control-allow-origin":
            if (
                _reflects_origin(ctx, node.value)
                and _sends_credentials(ctx, node)
                and not _origin_checked(ctx, node)
            ):
                yield Hit(
                    node,
                    "`Access-Control-Allow-Origin` echoes the request's Origin while "
                    "`Access-Control-Allow-Credentials` is true: every origin is trusted.",
                )


def _module_true(ctx: FileContext, name: str) -> bool:
    return any(is_true(stmt.value) for stmt in module_assignments(ctx).get(name, []))


def _reflects_origin(ctx: FileContext, value: ast.expr) -> bool:
    if isinstance(value, ast.Name):
        value = reaching_value(ctx, value) or value
    if isinstance(value, ast.BoolOp):
        return any(_reflects_origin(ctx, v) for v in value.values)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "get":
        key = literal_value(value.args[0]) if value.args else None
        base = value.func.value
    elif isinstance(value, ast.Subscript):
        key, base = literal_value(value.slice), value.value
    else:
        return False
    if not isinstance(key, str) or key.lower() not in ("origin", "http_origin"):
        return False
    return request_attribute(ctx, base) or identifier_of(base) in ("headers", "META", "environ")


def _origin_checked(ctx: FileContext, node: ast.Assign) -> bool:
    """`if origin in ALLOWED_ORIGINS:` (or a regex/`endswith` check) before echoing it."""
    scope = scope_of(ctx, node)
    names = names_feeding(ctx, node.value) | {identifier_of(node.value)}
    if allowlist_test(ctx, scope, names):
        return True
    return calls_any(ctx, scope, {"match", "fullmatch", "endswith", "is_allowed_origin", "origin_allowed"})


def _sends_credentials(ctx: FileContext, node: ast.AST) -> bool:
    for sub in ast.walk(scope_of(ctx, node)):
        if isinstance(sub, ast.Assign) and any(
            identifier_of(t).lower() == "access-control-allow-credentials" for t in sub.targets
        ):
            value = literal_value(sub.value)
            if value is True or (isinstance(value, str) and value.lower() == "true"):
                return True
    return False


def _resources_wild(resources: ast.expr | None, ctx: FileContext) -> bool:
    """Flask-CORS resources: a resource without its own `origins` inherits the default "*"."""
    if not isinstance(resources, ast.Dict):
        return True
    for options in resources.values:
        if not isinstance(options, ast.Dict):
            return True
        origins = next(
            (
                v
                for k, v in zip(options.keys, options.values, strict=False)
                if isinstance(k, ast.Constant) and k.value == "origins"
            ),
            None,
        )
        if origins is None or _wild(origins, ctx):
            return True
    return False


def _wild(expr: ast.expr | None, ctx: FileContext) -> bool:
    value = literal_value(expr, ctx)
    if isinstance(value, str):
        return value in _WILD
    if isinstance(value, (list, tuple, set)):
        return any(v in _WILD for v in value if isinstance(v, str))
    return False


def _kw(node: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(node, name)
    return kw.value if kw else None
