"""Secrets by value: literals that look like a real credential rather than a name, a label or a placeholder."""

from __future__ import annotations

import ast
import re

# `secret_value` and `header_secret` live in `secreview.analysis.credentials` (shared with the taint engine and
# the LLM layer); re-exported for the rules
from secreview.analysis.credentials import header_secret, secret_value

__all__ = ["SESSION_COOKIE", "FLASK_KEY_SETTINGS", "describe_value", "header_secret", "literal_secret",
           "secret_value", "url_password"]

# Flask config keys that `hardcoded-crypto-key` (CWE-321) reports on `app.config[...]`/`app.config.update()`.
FLASK_KEY_SETTINGS = frozenset(
    {"SECRET_KEY", "JWT_SECRET_KEY", "WTF_CSRF_SECRET_KEY", "SECURITY_PASSWORD_SALT"}
)


_URL_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@:\s]*:([^/@\s]+)@")


def url_password(value: object) -> str | None:
    """The password of a URL with credentials (`mysql+pymysql://quota:Qu0ta-2024@db/quota`), when it looks
    like a real one (not `%(password)s`, `${DB_PASS}`, `***`, `password`)."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    found = _URL_PASSWORD.match(value.strip())
    if found is None:
        return None
    password = found.group(1)
    return password if secret_value(password, "password") else None


def literal_secret(expr: ast.AST | None) -> object | None:
    """The str/bytes value of a constant, or None."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (str, bytes)):
        return expr.value
    return None


def describe_value(value: object) -> str:
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return f'"{text[:2]}..."' if len(text) > 6 else '"..."'


# Cookie names that carry a session or a credential.
SESSION_COOKIE = re.compile(
    r"sess|(^|[^a-z])sid($|[^a-z])|auth|token|jwt|remember|passw|secret|api_?key|"
    r"credential|identity|user_?id",
    re.IGNORECASE,
)
