"""An access or validity decision that answers "yes" when the check raised.

## What it flags
Functions whose name says they decide access or validity (`is_authorized`,
`has_permission`, `can_edit`, `verify_signature`, `check_token`, `is_safe_url`
...) with an `except` handler — bare, `Exception`, `BaseException` or a
security exception such as `InvalidSignature`, `PermissionDenied`,
`jwt.InvalidTokenError` — that returns True, or that only passes / logs and
falls through to a `return True` right after the `try`. A handler of a named
error that is not a security exception (a service that cannot be reached) is
not reported in a function that never answers "no" through its result (it
denies by raising, every `return` is True): there the result gates nothing.

Also, in any function, a denial raised inside a `try` (`raise HTTPUnauthorized()`,
`raise PermissionDenied`, `raise exception.Forbidden()`) that the same `try`'s
bare, `Exception` or same-class handler catches and only logs or passes: the
code after the `try` runs as if access had been granted. A handler before it
that may catch the denial (`except HTTPException: raise`) keeps it out.

## Why it matters
When the check itself fails — a policy file cannot be parsed, the key service
times out, the signature library raises — the function grants access
(CWE-636, failing open). An attacker who can make the check error out, for
example with a malformed token or an oversized header, is let in. A decision
function must deny on every path it does not positively understand.

## Example
```python
import jwt

def is_authorized(token, key):
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
        return claims.get("role") == "admin"
    except Exception:
        return True
```

## Use instead
```python
import jwt

def is_authorized(token, key):
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        return False
    return claims.get("role") == "admin"
```

## References
- CWE-636: Not Failing Securely ('Failing Open')
- OWASP, "Fail securely" design principle
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._robustness.security_checks import fail_open, swallowed_denial
from secreview.rules._robustness.source_text import segment
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR604",
    name="fail-open-check",
    title="Access or validity check grants access when it raises",
    cwe=636,
    type="access",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Deny in the exception path: return False (or re-raise) from the handler, and catch only the "
    "exceptions the check is documented to raise.",
)
NODES = (ast.ExceptHandler,)


def check(node: ast.ExceptHandler, ctx: FileContext) -> Iterator[Hit]:
    found = fail_open(ctx, node)
    if found is None:
        denial = swallowed_denial(ctx, node)
        if denial is not None:
            yield Hit(
                node,
                f"the `{segment(ctx, denial)}` at line {denial.lineno} is caught by this handler, which only "
                f"{'passes' if all(isinstance(s, ast.Pass) for s in node.body) else 'logs'}: the code after "
                f"the `try` runs as if access had been granted.",
                fix="Let the denial through (`except <the denial's class>: raise` before the broad handler, "
                "or catch only the errors the check's calls raise) and deny in the handler.",
            )
        return
    func, kind, granting = found
    where = "in the handler" if ctx.parent(granting) is node else f"after the `try` (line {granting.lineno})"
    yield Hit(
        node,
        f"`{func}()` decides access but {kind} swallows the failure and it returns "
        f"`{segment(ctx, getattr(granting, 'value', granting))}` {where}: the check fails open.",
    )
