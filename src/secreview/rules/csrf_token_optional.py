"""A CSRF check that rejects a wrong token but lets a missing one through.

## What it flags
In CSRF-checking code (a function, token name or the key the token is read
from says `csrf`/`xsrf`), an `if` that denies (raises, aborts, returns) only
when the token is present and wrong: `if token and not
hmac.compare_digest(token, expected):`, `if token is not None and token !=
session["csrf"]:`. A request without the token skips the check.

## Why it matters
A forged cross-site request is exactly the one that does not carry the token:
the attacker's page cannot read it. A check that only compares tokens that
are present therefore stops nothing (CWE-352); it must deny when the token is
missing as well as when it is wrong.

## Example
```python
import hmac
from flask import abort, request, session

def check_csrf():
    token = request.form.get("csrf_token")
    if token and not hmac.compare_digest(token, session["csrf_token"]):
        abort(403)
```

## Use instead
```python
import hmac
from flask import abort, request, session

def check_csrf():
    token = request.form.get("csrf_token")
    if not token or not hmac.compare_digest(token, session["csrf_token"]):
        abort(403)
```

## References
- CWE-352: Cross-Site Request Forgery (CSRF)
- OWASP Cheat Sheet, "Cross-Site Request Forgery Prevention" (synchronizer token pattern)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.scopes import walk_stmts
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR233",
    name="csrf-token-optional",
    title="CSRF check skipped when the token is missing",
    cwe=352,
    type="csrf",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Deny when the token is missing too: `if not token or not hmac.compare_digest(token, expected): deny`.",
)
NODES = (ast.If,)
_CSRF = re.compile(r"csrf|xsrf", re.I)


def prefilter(ctx: FileContext) -> bool:
    """The token, the key it is read from (a string) or the function checking it says csrf/xsrf."""
    return bool(_CSRF.search(ctx.source))


def check(node: ast.If, ctx: FileContext) -> Iterator[Hit]:
    test = node.test
    if not isinstance(test, ast.BoolOp) or not isinstance(test.op, ast.And) or len(test.values) < 2:
        return
    ref = _presence(test.values[0])
    token = ref.id if ref is not None else ""
    if ref is None or not any(_rejects(v, token) for v in test.values[1:]):
        return
    if not _denies(node.body) or not _about_csrf(ctx, node, ref):
        return
    yield Hit(
        node,
        f"the check denies only when `{token}` is present and wrong: a request without the token, as a "
        f"forged cross-site request is, passes.",
    )


def _presence(expr: ast.expr) -> ast.Name | None:
    """`token` / `token is not None`: the name whose presence is tested."""
    if isinstance(expr, ast.Name):
        return expr
    if (
        isinstance(expr, ast.Compare)
        and isinstance(expr.left, ast.Name)
        and len(expr.ops) == 1
        and isinstance(expr.ops[0], ast.IsNot)
        and isinstance(expr.comparators[0], ast.Constant)
        and expr.comparators[0].value is None
    ):
        return expr.left
    return None


def _mentions(expr: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(expr))


def _rejects(expr: ast.expr, token: str) -> bool:
    """`not compare(token, ...)`, `token != expected`, `token not in allowed`."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return isinstance(expr.operand, ast.Call) and _mentions(expr.operand, token)
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1 and isinstance(expr.ops[0], (ast.NotEq, ast.NotIn)):
        return _mentions(expr, token)
    return False


def _denies(body: list[ast.stmt]) -> bool:
    for node in walk_stmts(body):
        if isinstance(node, (ast.Raise, ast.Return)):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            short = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if short in ("abort", "deny", "reject", "forbid"):
                return True
    return False


def _about_csrf(ctx: FileContext, node: ast.If, ref: ast.Name) -> bool:
    """The token's name, the checking function's name or the expression the token is read from says so."""
    if _CSRF.search(ref.id):
        return True
    func = ctx.enclosing_function(node)
    if func is not None and _CSRF.search(func.name):
        return True
    value = reaching_value(ctx, ref)
    return value is not None and bool(_CSRF.search(ast.unparse(value)))
