"""Credential used as the default value of a function parameter.

## What it flags
A function or method parameter whose name says it is the secret (`password`,
`api_key`, `auth_token`, `client_secret` ...) with a non-empty string literal
default: `def connect(host, password="admin")`. Test files, `None`/`""`
defaults and values that are clearly not a secret (placeholders, masks, names,
values shorter than 4 characters) are skipped.

## Why it matters
Every caller that forgets the argument silently authenticates with a credential
that is published with the code and identical in every deployment; the default
also hides the missing configuration instead of failing (CWE-259).

## Example
```python
import smtplib

def send_report(body, user="reports", password="Report$2023"):
    with smtplib.SMTP_SSL("smtp.example.org") as smtp:
        smtp.login(user, password)
        smtp.sendmail(user, ["ops@example.org"], body)
```

## Use instead
```python
import smtplib

def send_report(body, user, password):
    with smtplib.SMTP_SSL("smtp.example.org") as smtp:
        smtp.login(user, password)
        smtp.sendmail(user, ["ops@example.org"], body)
```

## References
- CWE-259: Use of Hard-coded Password
- CWE-798: Use of Hard-coded Credentials
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._access.secret_names import ambiguous_secret, auth_context, secret_identifier
from secreview.rules._access.secret_values import describe_value, literal_secret, secret_value
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR203",
    name="hardcoded-password-default",
    title="Hard-coded credential as a parameter default",
    cwe=259,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Make the parameter required (or default to None and fail when it is missing), and have the "
    "caller read the credential from configuration or a secrets store.",
    bandit=("B107",),
)
NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


def check(node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: FileContext) -> Iterator[Hit]:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=False))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False) if d is not None]
    for arg, default in pairs:
        literal = literal_secret(default)
        if ambiguous_secret(arg.arg) and not auth_context(ctx, node.body[0] if node.body else node):
            continue
        if literal is not None and secret_identifier(arg.arg) and secret_value(literal, arg.arg):
            yield Hit(
                arg,
                f"Parameter `{arg.arg}` of `{node.name}()` defaults to a hard-coded credential "
                f"({describe_value(literal)}).",
            )
