"""View exempted from CSRF protection.

## What it flags
`@csrf_exempt` (`django.views.decorators.csrf`) on a view function, on a class
through `@method_decorator(csrf_exempt, ...)`, or wrapping a view
(`path("hook/", csrf_exempt(view))`), and Flask-WTF's `@csrf.exempt` /
`csrf.exempt(view_or_blueprint)` where `csrf` is a `CSRFProtect(...)` object.
Not flagged: views that verify a request signature themselves (HMAC
`compare_digest`, a `verify_*signature*` helper, Stripe's `construct_event`)
and views restricted to safe methods (`require_GET`, `require_safe`).

## Why it matters
A state-changing endpoint without the CSRF check can be triggered by any page
the logged-in user visits: the browser attaches the session cookie to the
forged request (CWE-352). Exemption is legitimate only when the endpoint does
not authenticate with cookies (a webhook with a signature, a token-only API);
check that this view is one of those.

## Example
```python
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

@csrf_exempt
def change_email(request):
    request.user.email = request.POST["email"]
    request.user.save()
    return JsonResponse({"ok": True})
```

## Use instead
```python
from django.http import JsonResponse
from django.views.decorators.http import require_POST

@require_POST
def change_email(request):
    request.user.email = request.POST["email"]
    request.user.save()
    return JsonResponse({"ok": True})
```

## References
- CWE-352: Cross-Site Request Forgery (CSRF)
- Django docs, "Cross Site Request Forgery protection" (csrf_exempt); Flask-WTF CSRFProtect.exempt
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._access.function_facts import calls_matching
from secreview.rules._access.object_facts import created_by, decorator_names
from secreview.rules._access.vocabulary import word_set
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR220",
    name="csrf-exempt",
    title="View exempted from CSRF protection",
    cwe=352,
    type="csrf",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Remove the exemption and send the CSRF token from the client; keep an exemption only for endpoints "
    "that do not rely on cookies and verify their own credentials (signed webhooks, token-only APIs).",
)
NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Call)
# Django's csrf_exempt, or a CSRFProtect `.exempt`: both spell "exempt".
NEEDS = ("exempt",)

_DJANGO = {"django.views.decorators.csrf.csrf_exempt", "django.views.decorators.csrf.csrf_exempt()"}
_PROTECTORS = word_set(
    """
    flask_wtf.csrf.CSRFProtect flask_wtf.CSRFProtect flask_wtf.csrf.CsrfProtect flask_wtf.CsrfProtect
    """
)
_OWN_CHECK = re.compile(
    r"compare_digest|verify.*signature|signature.*valid|validate_signature|construct_event|"
    r"verify_webhook|verify_request|check_signature|hmac",
    re.IGNORECASE,
)
_SAFE_ONLY = {"django.views.decorators.http.require_GET", "django.views.decorators.http.require_safe"}
# Endpoints that receive cross-site POSTs by design (IdP callbacks, payment notifications, webhooks).
_CROSS_SITE = re.compile(r"hook|callback|sso|saml|acs|oidc|oauth|notify|notification|ipn", re.IGNORECASE)
_VERIFY = " Verify that it does not act on the session cookie, or that it checks its own signature/token."


def check(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Call, ctx: FileContext) -> Iterator[Hit]:
    if isinstance(node, ast.Call):
        wrapped = node.args[0] if node.args else None
        if _is_exempt(node.func, ctx) and wrapped is not None and not _is_decorator(node, ctx):
            yield Hit(
                node,
                f"`{ctx.segment(node)}` turns off the CSRF check for `{ctx.segment(wrapped)}`." + _VERIFY,
            )
        return
    names = decorator_names(ctx, node)
    if any(n in _SAFE_ONLY for n in names):
        return
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        exempt = _is_exempt(target, ctx)
        if isinstance(deco, ast.Call) and (ctx.qualname(deco.func) or "").endswith("method_decorator"):
            exempt = bool(deco.args) and _is_exempt(deco.args[0], ctx)
        if exempt and not calls_matching(ctx, node, _OWN_CHECK):
            kind = "class" if isinstance(node, ast.ClassDef) else "view"
            cross_site = _CROSS_SITE.search(node.name)
            yield Hit(
                deco,
                f"`@{ctx.segment(deco)}` turns off the CSRF check for the {kind} `{node.name}`." + _VERIFY,
                confidence=Confidence.LOW if cross_site else None,
            )
            return


def _is_exempt(expr: ast.AST, ctx: FileContext) -> bool:
    name = ctx.qualname(expr) or ""
    if name in _DJANGO:
        return True
    if isinstance(expr, ast.Attribute) and expr.attr == "exempt":
        return created_by(ctx, expr.value, _PROTECTORS) is not None
    return False


def _is_decorator(node: ast.Call, ctx: FileContext) -> bool:
    """`method_decorator(csrf_exempt)` and `@csrf.exempt(...)` are reported at the decorator."""
    parent = ctx.parent(node)
    if (
        isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node in parent.decorator_list
    ):
        return True
    return isinstance(parent, ast.Call) and (ctx.qualname(parent.func) or "").endswith("method_decorator")
