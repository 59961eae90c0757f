"""Which names and literals are credentials: the one judgement the access rules (hard-coded passwords,
secrets in logs), the taint engine's `secret` source kind and the LLM layer's redaction share.

- words: `word_set` (long vocabularies written as word lists), `split_words` (identifier -> words);
- by name: `secret_identifier` (the identifier names the secret itself), `named_secret` (also
  Authorization headers), `ambiguous_secret` (a bare `token`), `auth_context` (code dealing with auth);
- by value: `secret_value` (a literal that looks like a real credential), `header_secret`.

Public and rule-free on purpose: the LLM layer and the taint engine must not reach into the rules'
private helpers (`rules/_access`, which re-exports these), and this package imports no rules.
"""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.analysis.words import identifier_of, names_secret


def word_set(text: str) -> frozenset[str]:
    """A frozenset of the whitespace-separated words of `text` (for long vocabularies)."""
    return frozenset(text.split())


def split_words(identifier: str) -> list[str]:
    """`dbPassword2` -> ["db", "password"]; `X-Auth-Token` -> ["x", "auth", "token"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", spaced)
    words = [w.rstrip("0123456789") for w in re.split(r"[^A-Za-z0-9]+", spaced.lower())]
    return [w for w in words if w]


# -- secrets by name ----------------------------------------------------------------------------------------

_SECRET_NOUNS = word_set(
    """
    password passwd pwd passphrase secret token apikey credential credentials passcode
    """
)
# not "session": Django's session keys
_KEY_QUALIFIERS = word_set(
    """
    api secret private access signing encryption master hmac jwt fernet shared auth client app
    """
)
_NOT_A_SECRET_TOKEN = word_set(
    """
    next page pagination continuation sync cancel cancellation start end eos bos pad unk sep cls mask
    special stop idempotency marker resume last prev previous first split separator delimiter comment
    lexer parse string word sentence char newline indent dedent template block variable name op operator
    input output update change client request state result limit
    """
)
_NOT_A_PASS = word_set(
    """
    first second third last next by single multi render shadow one two skip can should must to will did
    does fast slow final initial main extra compile optimization forward backward test lint check
    """
)
_NEGATING = word_set(
    """
    fake dummy mock example sample placeholder invalid wrong bad bogus test masked redacted hidden
    obfuscated mask sanitized unusable no empty null blank expired revoked old previous
    """
)


def ambiguous_secret(identifier: str) -> bool:
    """A bare `token`/`tok`: a lexer or parser token unless the surrounding code deals with auth."""
    return identifier.lower().lstrip("_") in {"token", "tok", "tokens"}


def secret_identifier(identifier: str) -> bool:
    """The identifier names the secret itself: `db_password`, `API_KEY`, `auth_token`, `DB_PASS`.

    Stricter than `words.names_secret`: the LAST word must be the secret noun, so
    `password_hasher`, `token_provider` and `secret_backend` are not secrets, and
    pagination/lexer tokens (`next_token`, `eos_token`) and `fake_password` are not either.
    """
    words = split_words(identifier)
    if not words:
        return False
    if words[-1] in ("pass", "pw") and len(words) > 1 and not set(words[:-1]) & (_NEGATING | _NOT_A_PASS):
        return True  # DB_PASS, admin_pw
    if not names_secret(identifier):
        return False
    if any(w in _NEGATING for w in words[:-1]):
        return False
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if last == "key":
        return before in _KEY_QUALIFIERS
    if last == "token" and before in _NOT_A_SECRET_TOKEN:
        return False
    return last in _SECRET_NOUNS or last.endswith(("password", "passwd", "secret", "token", "apikey"))


_HEADERS = word_set(
    """
    authorization auth_header authorization_header x-auth-token x-subject-token x-api-key proxy-
    authorization auth_headers
    """
)
_SECRET_TOKENS = word_set(
    """
    auth access refresh bearer id api session csrf xsrf reset oauth jwt github gitlab slack service user
    admin personal security subject x identity keystone secret private verification confirmation invite
    activation login otp mfa app bot client webhook authentication
    """
)


def named_secret(identifier: str) -> bool:
    """The value a name, attribute or key holds is itself a credential: `secret_identifier`, plus
    Authorization headers; minus `*_credentials` (usually an object whose repr hides the secret) and
    tokens whose qualifier is not about authentication (`auth_token` yes, `acquire_token` no).
    A bare `token` passes: callers check `auth_context` for it (`ambiguous_secret`)."""
    if identifier.lower() in _HEADERS:
        return True
    if not secret_identifier(identifier):
        return False
    words = split_words(identifier)
    if words[-1] in {"credential", "credentials"}:
        return False
    if words[-1] == "token" and len(words) > 1:
        return words[-2] in _SECRET_TOKENS
    return True


AUTH_CONTEXT = re.compile(
    r"auth|login|bearer|session|header|keystone|oauth|jwt|credential|passw|api_?key|"
    r"logout|sign_?in|identity",
    re.IGNORECASE,
)


_AUTH_FUNCTION: MemoKey[bool] = MemoKey("access-auth-function")


def auth_context(ctx: FileContext, node: ast.AST) -> bool:
    """The enclosing function (or module) deals with authentication: names or strings mention auth,
    login, bearer, session, headers, passwords ... (so a bare `token` there is a credential)."""
    func = ctx.enclosing_function(node)
    scope = func if func is not None else ctx.tree

    def compute() -> bool:
        if func is not None and AUTH_CONTEXT.search(func.name):
            return True
        for sub in ast.walk(scope):
            text = identifier_of(sub) or (sub.value if isinstance(sub, ast.Constant) else "")
            if isinstance(text, str) and text and AUTH_CONTEXT.search(text):
                return True
        return False

    return ctx.memo(_AUTH_FUNCTION, scope, compute)


# -- secrets by value ---------------------------------------------------------------------------------------

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
