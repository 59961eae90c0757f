"""Name heuristics: does an identifier name a secret, and which identifiers does an expression spell?

Rules use these only to *narrow* where they fire (precision), never as the sole
evidence of a defect.
"""

from __future__ import annotations

import ast
import re

# Words that name a secret value. `key` alone is too broad (dict keys, cache keys),
# so only qualified forms count.
_SECRET = re.compile(
    r"(passw(or)?d|passwd|\bpwd|_pwd\b|^pwd|secret|api_?key|apikey|access_?key|private_?key|secret_?key|"
    r"auth_?token|access_?token|refresh_?token|\btoken\b|_token\b|^token|token_|credential|passphrase|"
    r"signing_?key|encryption_?key|session_?key|client_?secret)",
    re.IGNORECASE,
)
_NOT_SECRET = re.compile(r"(_?(field|name|names|type|label|prompt|url|uri|path|file|length|len|max|min|"
                         r"policy|header|param|regex|pattern|format|template|class|id|key_?name)s?$)",
                         re.IGNORECASE)


def names_secret(identifier: str) -> bool:
    """`db_password`, `API_KEY`, `client_secret` yes; `password_field`, `token_url` no."""
    return bool(_SECRET.search(identifier)) and not _NOT_SECRET.search(identifier)


def identifier_of(expr: ast.AST | None) -> str:
    """The identifier a value is known by: `x`, `self.x`, `d["x"]` -> "x"; else ""."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant) and isinstance(expr.slice.value, str):
        return expr.slice.value
    if isinstance(expr, ast.keyword):
        return expr.arg or ""
    return ""


def identifiers_in(expr: ast.AST | None) -> list[str]:
    """All identifiers (names, attributes, constant string subscripts) inside an expression."""
    if expr is None:
        return []
    found = []
    for node in ast.walk(expr):
        ident = identifier_of(node)
        if ident:
            found.append(ident)
    return found
