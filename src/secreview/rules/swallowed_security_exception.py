"""A security check whose failure is caught and ignored.

## What it flags
A `try` whose body calls a check that reports failure by raising —
`jwt.decode(...)` as a statement, `ssl.match_hostname()`, a signature or
password `verify()`, `authenticate()`, `authorize()`, `enforce()` (oslo.policy),
`context.can()`, `check_permission()`, `validate_token()` ... — with an
`except` handler (bare, `Exception`, `BaseException` or the check's own
exception such as `InvalidSignature`, `BadSignature`, `PermissionDenied`,
`ssl.CertificateError`) that only passes or logs, so execution carries on
after the `try` exactly as if the check had succeeded. The finding is at the
`except` line.

## Why it matters
The check's only output is the exception. Swallowing it turns the check into a
no-op (CWE-390): a forged token, a bad signature or a certificate for another
host is logged at most, and the request, message or connection is processed
anyway.

## Example
```python
from cryptography.exceptions import InvalidSignature

def accept_update(public_key, signature, payload, padding, algorithm):
    try:
        public_key.verify(signature, payload, padding, algorithm)
    except InvalidSignature:
        print("signature mismatch")
    install(payload)
```

## Use instead
```python
from cryptography.exceptions import InvalidSignature

def accept_update(public_key, signature, payload, padding, algorithm):
    try:
        public_key.verify(signature, payload, padding, algorithm)
    except InvalidSignature:
        raise PermissionError("update signature does not verify") from None
    install(payload)
```

## References
- CWE-390: Detection of Error Condition Without Action
- cryptography docs, "Signing": `verify()` raises `InvalidSignature`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._robustness.security_checks import broad_or_security_handler, fail_open, security_check, swallows
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR603",
    name="swallowed-security-exception",
    title="Security check failure caught and ignored",
    cwe=390,
    type="crash",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Stop in the handler: re-raise, return an error / deny, or abort the request; never pass or only log "
    "when a verification step fails.",
)
NODES = (ast.ExceptHandler,)


def check(node: ast.ExceptHandler, ctx: FileContext) -> Iterator[Hit]:
    try_stmt = ctx.parent(node)
    if not isinstance(try_stmt, ast.Try) or try_stmt.orelse:
        return
    kind = broad_or_security_handler(ctx, node)
    if kind is None or not swallows(ctx, node):
        return
    checked = _last_check(ctx, try_stmt.body)
    if checked is None or fail_open(ctx, node) is not None:
        return  # fail_open: reported by fail-open-check
    call_name, stmt = checked
    yield Hit(
        node,
        f"{kind} swallows the failure of `{call_name}` (line {stmt.lineno}) and execution "
        "continues as if the check had passed.",
    )


def _last_check(ctx: FileContext, body: list[ast.stmt]) -> tuple[str, ast.stmt] | None:
    """The check call statement in the try body, followed by nothing that records or acts on success."""
    found = None
    for stmt in body:
        if isinstance(stmt, ast.Expr):
            name = security_check(ctx, stmt.value)
            if name:
                found = (name, stmt)
            continue
        if found is not None:
            return None  # an assignment / return / branch after the check: success is recorded
        if isinstance(stmt, (ast.Return, ast.Raise)):
            return None
    return found
