"""Secrets by value: literals that look like a real credential rather than a name, a label or a placeholder."""

from __future__ import annotations

import ast
import re

from secreview.rules._access.vocabulary import split_words, word_set

_NOT_SECRET_VALUES = word_set(
    """
    none null true false undefined empty unset required optional hidden masked redacted default bearer
    basic digest plain text string keyring vault env file prompt ask auto disabled enabled yes off
    sha256 sha512 bcrypt argon2 pbkdf2 utf-8 utf8 ascii oauth oauth2 jwt fernet uuid password token
    secret passwd apikey api_key not-set notset your-secret ... pass pword
    """
)
_DOC_VALUE = re.compile(r"example|sample|dummy|fake|placeholder|your[_-]|<your|xxxx", re.IGNORECASE)
_PHRASE_OK = ("secret", "secretkey", "passphrase")  # identifiers whose value may be a phrase with spaces
_PLACEHOLDER = re.compile(
    r"%\(\w+\)[sdr]|%[sdr]\b|\{\w*(![rsa])?(:[^}]*)?\}|\$\{|\{\{|\$[A-Za-z_]\w*$|^<.*>$|^\[.*\]$"
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_FILE = re.compile(
    r"^[\w.-]+\.(json|ya?ml|txt|pem|key|crt|cer|cfg|ini|conf|env|toml|p12|pfx|jks|db|sqlite3?|gpg|asc)$",
    re.IGNORECASE,
)
_CONSTANT_NAME = re.compile(r"^[A-Z]+(_[A-Z0-9]+)*$")
_LOWER_NAME = re.compile(r"^(_+[a-z]+|_*[a-z]+([_.:-][a-z]+)+)$")
_WORDY_NAME = re.compile(r"^[A-Za-z_][A-Za-z_.:-]*$")
_SECRETISH_WORDS = word_set(
    """
    password passwd pwd secret token key apikey passphrase credential credentials auth authorization pin
    """
)


def secret_value(value: object, identifier: str) -> bool:
    """Does a literal assigned to `identifier` look like a real credential?

    No for: short values (< 4 chars), placeholders and templates (`<password>`,
    `${PASSWORD}`, `%(password)s`, `{}`), masks (`****`, `xxxx`), URLs and file
    paths, prose and labels ("Enter password:", "API Key"), and names: the
    identifier itself or one of its words (`PASSWORD = "password"`), constant or
    environment-variable names (`"DB_PASSWORD"`), dotted/dashed/snake/camel names
    (`"x-auth-token"`, `"accessToken"`) and setting values (`"bearer"`, `"vault"`).
    A default credential such as "changeme", "admin" or "hunter2" IS a secret.
    """
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return False
    text = value.strip()
    if len(text) < 4 or text.lower() in _NOT_SECRET_VALUES:
        return False
    if (
        _PLACEHOLDER.search(text)
        or _DOC_VALUE.search(text)
        or "***" in text
        or len(set(text)) == 1
        or set(text) <= set("*xX#.-_?")
    ):
        return False
    if _URL.match(text) or text.startswith(("/", "./", "../", "~", "\\")) or re.match(r"^[A-Za-z]:\\", text):
        return False
    if _FILE.match(text):
        return False
    ident_words = split_words(identifier)
    if " " in text or "\t" in text or "\n" in text:
        words = text.split()
        if text.endswith((":", "?", ".", "!")) or len(words) >= 5 or text[0].isupper():
            return False
        if not "".join(ident_words).endswith(_PHRASE_OK):
            return False  # "is not", "Bearer abc": a password or token has no spaces
    relaxed = "".join(ident_words).endswith("secretkey")  # SECRET_KEY = "secret" is a weak key, not a name
    norm = re.sub(r"[^a-z0-9]", "", text.lower())
    if norm == "".join(ident_words) or (not relaxed and text.lower() in ident_words):
        return False
    if _CONSTANT_NAME.match(text) or _LOWER_NAME.match(text):
        return False
    # "AWSSecretKey", "accessToken", "Access-Control-Allow-Credentials" are names, not secrets
    return not (_WORDY_NAME.match(text) and set(split_words(text)) & _SECRETISH_WORDS)


# Flask config keys that `hardcoded-crypto-key` (CWE-321) reports on `app.config[...]`/`app.config.update()`.
FLASK_KEY_SETTINGS = frozenset(
    {"SECRET_KEY", "JWT_SECRET_KEY", "WTF_CSRF_SECRET_KEY", "SECURITY_PASSWORD_SALT"}
)


_AUTH_HEADERS = {"authorization", "proxy-authorization"}
_TOKEN_HEADERS = word_set(
    """
    x-api-key api-key x-auth-token private-token x-access-token x-token x-apikey x-subject-token
    """
)


def header_secret(name: str, value: object) -> bool:
    """A literal credential in an HTTP header: `"Authorization": "Bearer eyJ..."`, `"X-API-Key": "..."`."""
    key = name.lower()
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return False
    if key in _AUTH_HEADERS:
        parts = value.split()
        scheme_ok = len(parts) == 2 and parts[0].lower() in {"bearer", "basic", "token", "apikey", "digest"}
        return scheme_ok and secret_value(parts[1], "token")
    return key in _TOKEN_HEADERS and secret_value(value, "token")


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
