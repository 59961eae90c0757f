"""Credential written into the source as a string literal.

## What it flags
A non-empty string literal assigned to a variable, attribute, subscript or dict
key whose name says it holds the secret itself: `password = "hunter2"`,
`self.api_key = "..."`, `config["db_password"] = "..."`, `SECRET_KEY = "..."`,
`DB_PASS = "..."`, `{"password": "..."}`; a comparison with such a literal
(`if password == "letmein":`, a built-in backdoor); and a credential in an HTTP
header literal (`{"Authorization": "Bearer eyJ..."}`, `"X-API-Key": "..."`).
Default credentials such as `"changeme"` or `"admin"` are findings too.

Test files are skipped, and so are values that are clearly not a secret:
shorter than 4 characters, placeholders (`"<password>"`, `"${PASSWORD}"`,
`"%(password)s"`), masks (`"****"`), documentation values ("...EXAMPLE..."),
URLs, file paths, labels and prompts, and names: the identifier itself or one
of its words (`PASSWORD = "password"`), `"DB_PASSWORD"`, `"x-auth-token"`,
`"accessToken"`, and dicts that map field names (`{"name": "name", ...}`).
Names that only mention a secret (`password_hasher`, `token_url`,
`next_token`) are not checked. `app.config["SECRET_KEY"] = "..."` is left to
`hardcoded-crypto-key`.

## Why it matters
Everyone who can read the repository, a wheel or a container image learns the
credential, it cannot be rotated without a release, and the same value usually
ends up in every deployment (CWE-798).

## Example
```python
import psycopg2

DB_PASSWORD = "s3cr3t-Pa55"

def connect():
    return psycopg2.connect(host="db", user="app", password=DB_PASSWORD)
```

## Use instead
```python
import os

import psycopg2

DB_PASSWORD = os.environ["DB_PASSWORD"]

def connect():
    return psycopg2.connect(host="db", user="app", password=DB_PASSWORD)
```

## References
- CWE-798: Use of Hard-coded Credentials
- OWASP Secrets Management Cheat Sheet
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.words import identifier_of
from secreview.model import Confidence, Severity
from secreview.rules._access.secret_names import ambiguous_secret, auth_context, secret_identifier
from secreview.rules._access.secret_values import (
    FLASK_KEY_SETTINGS,
    describe_value,
    header_secret,
    literal_secret,
    secret_value,
)
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR201",
    name="hardcoded-password",
    title="Hard-coded credential in a string literal",
    cwe=798,
    type="access",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Read the credential at run time from the environment, a secrets manager or a config file "
    "kept out of the repository, and rotate the value that was committed.",
    bandit=("B105",),
)
NODES = (ast.Assign, ast.AnnAssign, ast.Dict, ast.Compare)


def check(node: ast.Assign | ast.AnnAssign | ast.Dict | ast.Compare, ctx: FileContext) -> Iterator[Hit]:
    if isinstance(node, ast.Compare):
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            left, right = node.left, node.comparators[0]
            for named, value in ((left, right), (right, left)):
                literal = literal_secret(value)
                ident = identifier_of(named)
                if literal is None or not secret_identifier(ident) or not secret_value(literal, ident):
                    continue
                if not ambiguous_secret(ident) or auth_context(ctx, node):
                    yield Hit(
                        node,
                        f"`{ctx.segment(named) or ident}` is compared with a hard-coded credential "
                        f"({describe_value(literal)}): a built-in password or backdoor.",
                    )
                    return
        return
    if isinstance(node, ast.Dict):
        if _is_name_mapping(node):
            return
        for key, value in zip(node.keys, node.values, strict=False):
            name = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""
            hit = _hit(ctx, name, value, value, "the dict key")
            if hit:
                yield hit
        return
    if node.value is None:
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if _flask_config_key(target):
            continue  # reported by hardcoded-crypto-key
        if isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
            hit = _hit(ctx, identifier_of(target), node.value, node, _kind(target))
            if hit:
                yield hit
                return


def _is_name_mapping(node: ast.Dict) -> bool:
    """`{"password": "pass", "name": "name"}`: a field-name map (some entry maps a key to itself)."""
    return any(
        isinstance(k, ast.Constant)
        and isinstance(v, ast.Constant)
        and isinstance(k.value, str)
        and k.value == v.value
        for k, v in zip(node.keys, node.values, strict=False)
    )


def _flask_config_key(target: ast.expr) -> bool:
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "config"
        and identifier_of(target) in FLASK_KEY_SETTINGS
    )


def _kind(target: ast.expr) -> str:
    if isinstance(target, ast.Subscript):
        return "the key"
    return "the attribute" if isinstance(target, ast.Attribute) else "the variable"


def _hit(ctx: FileContext, name: str, value: ast.expr | None, node: ast.AST, kind: str) -> Hit | None:
    literal = literal_secret(value)
    if literal is None:
        return None
    if header_secret(name, literal):
        return Hit(node, f"Header `{name}` carries a hard-coded credential ({describe_value(literal)}).")
    if not secret_identifier(name) or not secret_value(literal, name):
        return None
    if ambiguous_secret(name) and not auth_context(ctx, node):
        return None  # `token = "operator"` in a lexer
    return Hit(
        node,
        f"{kind[0].upper()}{kind[1:]} `{name}` is set to a hard-coded credential "
        f"({describe_value(literal)}).",
    )
