"""Secret, signature or token checked with `==` instead of a constant-time comparison.

## What it flags
`==` / `!=` between a secret check and another non-literal value: an HMAC digest
(`hmac.new(...).hexdigest()`) compared with anything, or a signature, API key, secret,
CSRF token, OTP or password hash compared with a value the caller or client supplies
(a parameter, request data, or something computed from them): `if signature ==
expected:`, `if api_key != settings.API_KEY:`. A bare `token` (it may be a lexer token)
counts only in a request handler or an authenticate/verify function, when the branch
denies access. Comparisons with literals, `None`, constants, `len(...)`, names of
types, schemes or algorithms (`token_type == "bearer"`), two stored values
(`old.secret_key == new.secret_key`), assertions, `__eq__` methods and tests are not
reported, nor anything checked with `hmac.compare_digest`. "signature" counts only in
files that import a crypto or token library (elsewhere it is a function signature).

## Why it matters
`==` on strings and bytes stops at the first differing byte, so the response time tells
an attacker how much of their guess is right; measuring many requests recovers a valid
signature or token one byte at a time, which defeats the check (CWE-208).

## Example
```python
import hashlib
import hmac

def verify_webhook(secret, body, received_signature):
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return expected == received_signature
```

## Use instead
```python
import hashlib
import hmac

def verify_webhook(secret, body, received_signature):
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received_signature)
```

## References
- CWE-208: Observable Timing Discrepancy
- Python docs, hmac.compare_digest and secrets.compare_digest
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext, walk
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import is_literal
from secreview.model import Confidence, Severity
from secreview.rules._crypto.identifiers import names_password, security_value, word_set, words_of
from secreview.rules._crypto.scopes import function_name, imports_crypto
from secreview.rules._crypto.values import single_value
from secreview.ruleset import Hit, Meta
from secreview.taint.provenance import is_route_handler, source_of
from secreview.taint.provenance import supplied as from_caller

_TIMING_STORED_ATTRIBUTES: MemoKey[frozenset[str]] = MemoKey("timing-stored-attributes")

META = Meta(
    code="SR310",
    name="timing-unsafe-comparison",
    title="Secret compared with == (timing side channel)",
    cwe=208,
    type="crypto",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Compare secrets with hmac.compare_digest(a, b) (or secrets.compare_digest), on bytes or ASCII str "
    "of the same type.",
)
NODES = (ast.Compare,)

_NOT_VALUE = word_set(
    """kid iss aud exp sub issuer audience realm user username email status state owner scope scopes
    parameters params annotation annotations config configuration settings options enabled verified"""
)
_UNIQUE_ONLY = word_set("nonce nonces cnonce salt salts")
_SIGNERS = word_set("signature hmac")
_SECURE_OTHER = word_set("hmac secret secrets apikey csrf xsrf otp totp hotp credential credentials")
_NOT_SECRET_TOKEN = word_set(
    """lock next page pagination continuation version task sync cancel cancellation idempotency marker resume
    last prev previous first change client device push endpoint notification fcm apns"""
)
_INTROSPECTION = ("inspect.", "typing.", "builtins.")
_AUTH_FUNCTIONS = word_set("authenticate authorize verify validate check login auth")
_TOKEN_QUALIFIERS = word_set(
    """auth access refresh api csrf xsrf session reset secret bearer jwt login confirm confirmation activation
    invite magic oauth remember unsubscribe email password verification verify security invitation webhook
    admin bot app service id"""
)
_DECISION_WORDS = word_set(
    """verify check validate valid auth authenticate authorize authorized login require required permission
    allowed authenticated is"""
)
_DENIALS = word_set("abort deny forbidden unauthorized denied reject unauthenticated")
_DUNDER = frozenset({"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__cmp__"})
_TRIVIAL = word_set("len type id bool isinstance hasattr callable hash")
_TRIVIAL_CALLS = frozenset(f"builtins.{n}" for n in _TRIVIAL)
_LEAK = "is compared with `{op}`, whose running time leaks how much of it matches."


def check(node: ast.Compare, ctx: FileContext) -> Iterator[Hit]:
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
        return
    left, right = node.left, node.comparators[0]
    if _trivial(ctx, left) or _trivial(ctx, right) or _excluded_context(ctx, node):
        return
    kinds = [_kind(ctx, left), _kind(ctx, right)]
    op = "==" if isinstance(node.ops[0], ast.Eq) else "!="
    for (label, kind), other in zip(kinds, (right, left), strict=True):
        if kind == "hmac" or kind == "password" and _hashing_call(ctx, other):
            yield Hit(node, f"{label} " + _LEAK.format(op=op))
            return
    supplied = None
    for label, kind in kinds:
        if kind == "strong":
            supplied = supplied if supplied is not None else from_caller(ctx, left) or from_caller(ctx, right)
            if supplied:
                yield Hit(node, f"{label} " + _LEAK.format(op=op))
                return
    labels = [label for label, kind in kinds if kind == "token"]
    if not labels:
        return
    func = ctx.enclosing_function(node)
    outside = any(source_of(ctx, side) for side in (left, right))
    outside = outside or func is not None and is_route_handler(ctx, func)
    outside = outside or bool(_AUTH_FUNCTIONS & set(words_of(func.name if func else "")))
    if outside and _decides_access(ctx, node):
        yield Hit(node, f"{labels[0]} " + _LEAK.format(op=op), confidence=Confidence.LOW)


def _kind(ctx: FileContext, side: ast.expr) -> tuple[str, str]:
    """("`signature`", "hmac" | "strong" | "token" | "password") or ("", ""); a local name that says
    nothing (`presented`, `expected`) is judged by the value bound to it once: the header or option
    it was read from (`headers.get("X-Service-Token", "")`, `CONF.api.service_token or ""`)."""
    label, kind = _named_kind(ctx, side)
    if kind or not isinstance(side, ast.Name):
        return label, kind
    value = single_value(ctx, side)
    if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or) and value.values:
        value = value.values[0]
    if isinstance(value, (ast.Call, ast.Attribute, ast.Subscript)):
        label, kind = _named_kind(ctx, value)
        if kind:
            return f"`{side.id}` ({label})", kind
    return "", ""


def _named_kind(ctx: FileContext, side: ast.expr) -> tuple[str, str]:
    ident = ""
    if isinstance(side, ast.Call):
        func = side.func
        name = ctx.call_name(side) or ""
        if isinstance(func, ast.Attribute) and func.attr in ("hexdigest", "digest"):
            if isinstance(func.value, ast.Call) and ctx.call_name(func.value) in ("hmac.new", "hmac.HMAC"):
                return "the HMAC digest", "hmac"
        if name == "hmac.digest":
            return "the HMAC digest", "hmac"
        called = name.rsplit(".", 1)[-1] or getattr(func, "attr", "")
        if _SIGNERS & set(words_of(called)) and imports_crypto(ctx) and not name.startswith(_INTROSPECTION):
            return f"the result of `{called}()`", "strong"
        if isinstance(func, ast.Attribute) and func.attr == "get" and side.args:
            key = side.args[0]
            ident = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""
    elif isinstance(side, ast.Name):
        ident = side.id
        value = single_value(ctx, side)
        if isinstance(value, ast.Call):
            label, kind = _kind(ctx, value)
            if kind == "hmac":
                return f"`{side.id}` ({label})", kind
            if (ctx.call_name(value) or "").endswith(("signature", "Signature")):
                return "", ""  # inspect.signature(...)
    elif isinstance(side, ast.Attribute):
        ident = side.attr
    elif isinstance(side, ast.Subscript) and isinstance(side.slice, ast.Constant):
        ident = side.slice.value if isinstance(side.slice.value, str) else ""
    if not ident:
        return "", ""
    words = words_of(ident)
    if not words or words[-1] in _NOT_VALUE or set(words) & (_UNIQUE_ONLY | _NOT_SECRET_TOKEN):
        return "", ""
    if any(w in ("password", "passwd", "pwd", "passphrase", "pw") for w in words):
        hashed = set(words) & {"hash", "hashed", "digest", "crypted", "encrypted"}
        if hashed and words[-1] not in ("name", "field"):
            return f"`{ident}`", "strong"
        return (f"`{ident}`", "password") if names_password(ident) else ("", "")
    if not security_value(ident):
        return "", ""
    if set(words) & {"sig", "sigs", "signature", "signatures"} and not set(words) & _SECURE_OTHER:
        if words[-1] not in ("sig", "signature") or not imports_crypto(ctx):
            return "", ""  # `_sig_chld`, a function signature in a module that does no cryptography
    if set(words) & {"token", "tokens"} and not set(words) & _TOKEN_QUALIFIERS:
        rest = "_".join(w for w in words if w not in ("token", "tokens"))
        if not (rest and security_value(rest)):
            return (f"`{ident}`", "token")
    return f"`{ident}`", "strong"


def _trivial(ctx: FileContext, side: ast.expr) -> bool:
    if _marker_constant(ctx, side):
        return True
    if isinstance(side, ast.Name) and (security_value(side.id) or names_password(side.id)):
        value = single_value(ctx, side)  # `API_KEY = "..."`: a secret constant, not a marker value
        if isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)) and value.value:
            return False
    if is_literal(side, ctx) or isinstance(side, ast.Dict) and all(is_literal(v, ctx) for v in side.values):
        return True
    ident = side.id if isinstance(side, ast.Name) else side.attr if isinstance(side, ast.Attribute) else ""
    if ident.isupper() and not _secret_constant(ident):
        return True  # `signal.SIGINT`, `TOKEN_OPERATOR`: a marker constant, not a secret
    if isinstance(side, ast.Call) and ctx.call_name(side) in _TRIVIAL_CALLS:
        return True
    if isinstance(side, ast.Attribute) and side.attr.startswith("__"):
        return True
    return isinstance(side, ast.Name) and is_literal(single_value(ctx, side), ctx)


def _secret_constant(ident: str) -> bool:
    """`API_KEY`, `WEBHOOK_SECRET`, `ADMIN_TOKEN`; not `SIG_DFL` or `TOKEN_OPERATOR`."""
    words = set(words_of(ident))
    if words & _SECURE_OTHER or names_password(ident):
        return True
    if words & {"token", "tokens"}:
        return bool(words & _TOKEN_QUALIFIERS)
    return bool(security_value(ident)) and not words & {"sig", "sigs"}


def _stored_attributes(ctx: FileContext, cls: ast.ClassDef) -> frozenset[str]:
    """Attribute names assigned anywhere in the class (`x.attr = ...`): one walk per class, not per compare."""
    return ctx.memo(_TIMING_STORED_ATTRIBUTES, cls, lambda: frozenset(
        n.attr for n in walk(cls) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)))


def _excluded_context(ctx: FileContext, node: ast.Compare) -> bool:
    if function_name(ctx, node) in _DUNDER:
        return True
    for anc in ctx.ancestors(node):
        if isinstance(anc, ast.Assert):
            return True
        if isinstance(anc, ast.Call) and (ctx.call_name(anc) or "").endswith("compare_digest"):
            return True
        if isinstance(anc, ast.stmt):
            return False
    return False


def _hashing_call(ctx: FileContext, side: ast.expr) -> bool:
    if not isinstance(side, ast.Call):
        return False
    names = [ctx.call_name(side) or ""]
    if isinstance(side.func, ast.Attribute) and isinstance(side.func.value, ast.Call):
        names.append(ctx.call_name(side.func.value) or "")
    return any(set(words_of(n.rsplit(".", 1)[-1])) & {"hash", "hexdigest", "digest", "crypt", "md5", "sha1",
                                                         "sha256", "sha512"} for n in names)


def _decides_access(ctx: FileContext, node: ast.Compare) -> bool:
    func = function_name(ctx, node)
    if _DECISION_WORDS & set(words_of(func)):
        return True
    child: ast.AST = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, (ast.Return, ast.Assign)):
            targets = [getattr(t, "id", getattr(t, "attr", "")) for t in getattr(anc, "targets", [])]
            return isinstance(anc, ast.Return) or any(_DECISION_WORDS & set(words_of(t)) for t in targets)
        if isinstance(anc, ast.If) and child is anc.test:
            for stmt in [*anc.body, *anc.orelse]:
                for sub in ast.walk(stmt):
                    if isinstance(sub, (ast.Raise, ast.Return)):
                        return True
                    if isinstance(sub, ast.Call) and _DENIALS & set(words_of(ctx.call_name(sub) or "")):
                        return True
            return False
        if isinstance(anc, ast.stmt):
            return False
        child = anc
    return False


_SECRET_WORDS = frozenset({"secret", "key", "password", "passwd", "token", "salt", "pepper", "hmac"})


def _marker_constant(ctx: FileContext, side: ast.expr) -> bool:
    """A fixed marker, not a secret: an imported UPPER_CASE constant (`REASON_NO_CSRF_COOKIE`), or a
    class attribute bound once to a literal and never rebound (`self.reset_url_token = "set-password"`)."""
    if isinstance(side, ast.Name) and side.id.isupper() and side.id in ctx.imports:
        return not _SECRET_WORDS & set(words_of(side.id))
    if isinstance(side, ast.Attribute) and isinstance(side.value, ast.Name) and side.value.id in ("self", "cls"):
        cls = ctx.enclosing_class(side)
        if cls is None:
            return False
        bound = [
            stmt.value for stmt in cls.body
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == side.attr for t in stmt.targets)
        ]
        rebound = side.attr in _stored_attributes(ctx, cls)
        return len(bound) == 1 and not rebound and is_literal(bound[0], ctx)
    return False
