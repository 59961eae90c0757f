"""A view that accepts GET and POST alike and changes state on either.

## What it flags
A view whose allowed methods list both `GET` (or `HEAD`) and a state-changing
method — Flask's `@app.route(..., methods=["GET", "POST"])` (any blueprint or
app object), Django's `@require_http_methods(["GET", "POST"])` — when the
view never looks at the request method (`request.method`, a form's
`validate_on_submit()`, `is_valid()`, `validate()`) and changes state:
it commits, saves or deletes (`db.session.commit()`, `obj.save()`,
`obj.delete()`), or logs the user out / clears the session.

## Why it matters
CSRF protection (Flask-WTF's `CSRFProtect`, Django's middleware) checks only
the unsafe methods; GET is trusted to have no effect. A view that performs the
same action on GET can be triggered by any page the logged-in user visits — an
`<img src="/account/close">` is enough — and the browser sends the session
cookie along (CWE-352).

## Example
```python
from flask import Flask
from models import Order, db

app = Flask(__name__)

@app.route("/orders/<int:order_id>/cancel", methods=["GET", "POST"])
def cancel_order(order_id):
    order = Order.query.get_or_404(order_id)
    order.status = "cancelled"
    db.session.commit()
    return "cancelled"
```

## Use instead
```python
from flask import Flask
from models import Order, db

app = Flask(__name__)

@app.route("/orders/<int:order_id>/cancel", methods=["POST"])
def cancel_order(order_id):
    order = Order.query.get_or_404(order_id)
    order.status = "cancelled"
    db.session.commit()
    return "cancelled"
```

## References
- CWE-352: Cross-Site Request Forgery (CSRF)
- RFC 9110, section 9.2.1 "Safe Methods"
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import literal_value
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.scopes import walk_local
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR232",
    name="csrf-state-change-on-get",
    title="State-changing view also accepts GET (outside CSRF protection)",
    cwe=352,
    type="csrf",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Accept only POST (or another unsafe method) for the action, or branch on `request.method` and change "
    "nothing on GET.",
)
NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
# Every hit has a `methods=[...]` keyword or a `require_http_methods` decorator.
NEEDS = ("methods", "require_http_methods")
_METHOD_GATES = {"method", "validate_on_submit", "is_submitted", "validate", "is_valid"}
_SAFE = {"GET", "HEAD"}
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Calls that persist or destroy state, or end the user's session.
_CHANGES = {"commit", "save", "delete", "delete_one", "delete_many", "bulk_create", "logout_user", "logout",
            "destroy", "remove_user", "deactivate"}  # fmt: skip


def check(node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: FileContext) -> Iterator[Hit]:
    for deco in node.decorator_list:
        methods = _methods(ctx, deco)
        if methods is None or not (methods & _SAFE and methods & _UNSAFE):
            continue
        if _reads_method(node):
            return
        change = _state_change(ctx, node)
        if change is None:
            return
        shown = ", ".join(sorted(methods))
        yield Hit(
            deco,
            f"`{node.name}` accepts {shown} and changes state (`{ctx.segment(change.func) or 'a change'}()` at "
            f"line {change.lineno}) without looking at the method: a GET, which CSRF protection lets through, "
            f"does it too.",
        )
        return


def _methods(ctx: FileContext, deco: ast.expr) -> set[str] | None:
    """The methods a route decorator allows: `route(..., methods=[...])`, `require_http_methods([...])`."""
    if not isinstance(deco, ast.Call):
        return None
    name = ctx.call_name(deco) or ""
    value: ast.AST | None = None
    if name.rsplit(".", 1)[-1] == "require_http_methods" and deco.args:
        value = deco.args[0]
    elif isinstance(deco.func, ast.Attribute) and deco.func.attr in ("route", "api_route"):
        value = next((k.value for k in deco.keywords if k.arg == "methods"), None)
    literal = literal_value(value, ctx) if value is not None else None
    if not isinstance(literal, (list, tuple, set, frozenset)) or not all(isinstance(m, str) for m in literal):
        return None
    return {m.upper() for m in literal}


def _reads_method(func: ast.AST) -> bool:
    """Branches on the method, directly or through a form that is "submitted" only by an unsafe method
    (`form.validate_on_submit()`) or that fails validation on an empty GET."""
    return any(isinstance(n, ast.Attribute) and n.attr in _METHOD_GATES for n in walk_local(func))


def _state_change(ctx: FileContext, func: ast.AST) -> ast.Call | None:
    for n in sorted(walk_local(func), key=lambda n: getattr(n, "lineno", 0)):
        if not isinstance(n, ast.Call):
            continue
        short = n.func.attr if isinstance(n.func, ast.Attribute) else n.func.id if isinstance(n.func, ast.Name) else ""
        if short in _CHANGES:
            return n
        if short == "clear" and isinstance(n.func, ast.Attribute) and (ctx.qualname(n.func.value) or "").endswith(
            "session"
        ):
            return n
    return None
