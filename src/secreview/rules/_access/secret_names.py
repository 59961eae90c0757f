"""Secrets by name: identifiers that name a credential, and code that deals with authentication."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.analysis.words import identifier_of, names_secret
from secreview.rules._access.vocabulary import split_words, word_set

_ACCESS_AUTH_FUNCTION: MemoKey[bool] = MemoKey("access-auth-function")

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

    return ctx.memo(_ACCESS_AUTH_FUNCTION, scope, compute)
