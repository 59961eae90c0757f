"""A FastAPI CSRF dependency that a cookie-authenticated, state-changing route does not use.

## What it flags
In a module that defines a CSRF-checking function (its name says `csrf` or
`xsrf`) and uses FastAPI's `Depends`, a `POST`/`PUT`/`PATCH`/`DELETE` route
(`@router.post(...)`, `@app.delete(...)`) that authenticates through the
browser — it takes `Form(...)` or `Cookie(...)` parameters, or depends on a
session/current-user function — and does not depend on the CSRF function:
neither in the route's `dependencies=[...]`, nor in a parameter
(`_=Depends(require_csrf)`), nor in the `dependencies=` of the router or app
(`APIRouter(dependencies=[...])`, `include_router(..., dependencies=[...])`).

## Why it matters
FastAPI has no CSRF protection of its own: a check runs only on the routes it
is attached to. A route that the session cookie authenticates and that skips
the check can be driven by any page the user visits — an auto-submitted form
to `/transfers` is enough (CWE-352). The module's own CSRF function shows the
author knows the routes need it.

## Example
```python
from fastapi import APIRouter, Depends, Form, Header, HTTPException

from app.auth import session_user

router = APIRouter()

def require_csrf(x_csrf_token: str = Header(None)):
    if not x_csrf_token:
        raise HTTPException(status_code=403)

@router.post("/email")
def change_email(email: str = Form(...), user=Depends(session_user)):
    user.email = email
```

## Use instead
```python
from fastapi import APIRouter, Depends, Form, Header, HTTPException

from app.auth import session_user

router = APIRouter()

def require_csrf(x_csrf_token: str = Header(None)):
    if not x_csrf_token:
        raise HTTPException(status_code=403)

@router.post("/email", dependencies=[Depends(require_csrf)])
def change_email(email: str = Form(...), user=Depends(session_user)):
    user.email = email
```

## References
- CWE-352: Cross-Site Request Forgery (CSRF)
- FastAPI docs, "Dependencies in path operation decorators" and "Global Dependencies"
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR234",
    name="csrf-dependency-not-applied",
    title="State-changing FastAPI route skips the module's CSRF dependency",
    cwe=352,
    type="csrf",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Attach the check: `@router.post(..., dependencies=[Depends(require_csrf)])`, or once for every route "
    "with `APIRouter(dependencies=[Depends(require_csrf)])`.",
)
NODES = (ast.Module,)
# Every hit needs a function whose name says csrf/xsrf.
NEEDS = ("csrf", "xsrf", "CSRF", "XSRF", "Csrf", "Xsrf")
_CSRF = re.compile(r"csrf|xsrf", re.I)
_UNSAFE = {"post", "put", "patch", "delete"}
_SESSION = re.compile(r"session|current_user|login|cookie|logged_in", re.I)


def check(node: ast.Module, ctx: FileContext) -> Iterator[Hit]:
    checks = {s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
              and _CSRF.search(s.name)}
    if not checks or _applied_globally(ctx, node, checks):
        return
    for func in node.body:
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or func.name in checks:
            continue
        route = next((d for d in func.decorator_list if _unsafe_route(ctx, d)), None)
        if route is None or _depends_on(ctx, [route, func.args], checks) or not _browser_auth(ctx, func):
            continue
        shown = ", ".join(f"`{c}`" for c in sorted(checks))
        yield Hit(
            route,
            f"`{func.name}` changes state for a browser session but does not depend on {shown}, the CSRF check "
            f"this module defines: a cross-site form post reaches it.",
        )


def _depends_calls(ctx: FileContext, nodes: list[ast.AST]) -> Iterator[ast.Call]:
    for root in nodes:
        for n in ast.walk(root):
            if isinstance(n, ast.Call) and (ctx.call_name(n) or "").rsplit(".", 1)[-1] in ("Depends", "Security"):
                yield n


def _depends_on(ctx: FileContext, nodes: list[ast.AST], checks: set[str]) -> bool:
    return any(
        isinstance(a, ast.Name) and a.id in checks for call in _depends_calls(ctx, nodes) for a in call.args
    )


def _applied_globally(ctx: FileContext, module: ast.Module, checks: set[str]) -> bool:
    """`APIRouter(dependencies=[Depends(check)])`, `FastAPI(dependencies=...)`, `include_router(...,
    dependencies=...)`, `router.dependencies.append(Depends(check))`: every route of the module gets it."""
    for n in ast.walk(module):
        if not isinstance(n, ast.Call):
            continue
        if any(k.arg == "dependencies" for k in n.keywords) and not _is_route_decorator(n):
            if _depends_on(ctx, [k.value for k in n.keywords if k.arg == "dependencies"], checks):
                return True
        if isinstance(n.func, ast.Attribute) and n.func.attr in ("append", "extend") and _depends_on(ctx, [n], checks):
            return True
    return False


def _is_route_decorator(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr in {*_UNSAFE, "get", "api_route", "route"}


def _unsafe_route(ctx: FileContext, deco: ast.expr) -> bool:
    if not isinstance(deco, ast.Call) or not isinstance(deco.func, ast.Attribute):
        return False
    return deco.func.attr in _UNSAFE and isinstance(deco.func.value, (ast.Name, ast.Attribute))


def _browser_auth(ctx: FileContext, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A form or cookie parameter, or a dependency on a session/current-user function."""
    defaults = [*func.args.defaults, *(d for d in func.args.kw_defaults if d is not None)]
    for value in defaults:
        if not isinstance(value, ast.Call):
            continue
        short = (ctx.call_name(value) or "").rsplit(".", 1)[-1]
        if short in ("Form", "Cookie", "File"):
            return True
        if short in ("Depends", "Security") and value.args and _SESSION.search(ast.unparse(value.args[0])):
            return True
    return False
