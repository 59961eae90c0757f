"""JWT decoded without checking its signature, or with the `none` algorithm allowed.

## What it flags
PyJWT and python-jose `jwt.decode(...)` calls that accept a token nobody signed:
`options={"verify_signature": False}` (or `dict(verify_signature=False)`), PyJWT 1.x
`verify=False`, python-jose's `jwt.get_unverified_claims(token)` used as the identity, an
`algorithms` list containing `"none"`, and (medium confidence) no
`algorithms` at all, which lets old PyJWT and python-jose take the algorithm from the
token's own header. An unverified peek followed by a verified `jwt.decode` of the same
token in the function (reading `kid` or `iss` to pick the key) is not reported, and
neither is a client decoding its own stored token (`self.access_token`) to read the
expiry.

## Why it matters
Without signature verification the claims are whatever the sender wrote: anyone can
mint a token with `"sub": "admin"` and be let in. Accepting the header's algorithm
enables `alg: none` tokens and the HS256/RS256 confusion attack, where the public key
is used as an HMAC secret (CWE-347).

## Example
```python
import jwt

def current_user(request):
    token = request.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    return claims["sub"]
```

## Use instead
```python
import jwt

def current_user(request, public_key):
    token = request.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, public_key, algorithms=["RS256"], audience="api")
    return claims["sub"]
```

## References
- CWE-347: Improper Verification of Cryptographic Signature
- PyJWT docs, "Reading the Claimset without Validation"; RFC 8725 (JWT Best Current Practices)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument, keyword
from secreview.model import Confidence, Severity
from secreview.rules._crypto.references import reference, same_target
from secreview.rules._crypto.scopes import calls_in_function
from secreview.rules._crypto.values import resolve
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR312",
    name="jwt-signature-not-verified",
    title="JWT accepted without signature verification",
    cwe=347,
    type="crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Decode with the verification key and an explicit algorithm list: "
    "jwt.decode(token, key, algorithms=['RS256']) (never 'none'); if claims must be read before "
    "verifying, use them only to select the key, then decode again with verification.",
)
NODES = (ast.Call,)
# Every decoder below resolves through a `jwt` (PyJWT, python-jose) import.
NEEDS = ("jwt",)

_DECODERS = frozenset({"jwt.decode", "jwt.api_jwt.decode", "jwt.PyJWT().decode", "jwt.api_jwt.PyJWT().decode",
                       "jose.jwt.decode"})
# python-jose's claim peek: no key, no check (the header peek, for `kid`, is left alone)
_PEEKS = frozenset({"jose.jwt.get_unverified_claims"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = _decoder(ctx, node)
    if not name or any(kw.arg is None for kw in node.keywords):
        return
    problem = "reads the claims without verifying" if name in _PEEKS else _unverified(ctx, node)
    if problem:
        token = argument(node, 0, "jwt") or argument(node, None, "token")
        if _verified_later(ctx, node, name, token) or reference(token).startswith("self."):
            return
        yield Hit(node, f"`{name}` {problem}: its claims are trusted without checking who signed them.")
        return
    algorithms = resolve(ctx, argument(node, 2, "algorithms"))
    if algorithms is None:
        yield Hit(node, f"`{name}` has no `algorithms=`: the token header picks the algorithm ('none', "
                  "HS256 with a public key).", severity=Severity.MEDIUM, confidence=Confidence.MEDIUM)
        return
    values = algorithms.elts if isinstance(algorithms, (ast.List, ast.Tuple, ast.Set)) else [algorithms]
    for given in values:
        value = resolve(ctx, given)
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.lower() == "none":
            yield Hit(node, f"`{name}` accepts the `none` algorithm: an unsigned token passes.")
            return


def _decoder(ctx: FileContext, node: ast.Call) -> str:
    name = ctx.call_name(node) or ""
    if name in _DECODERS or name in _PEEKS:
        return name
    if isinstance(node.func, ast.Attribute) and node.func.attr == "decode":
        receiver = resolve(ctx, node.func.value)
        if isinstance(receiver, ast.Call) and ctx.call_name(receiver) in ("jwt.PyJWT", "jwt.api_jwt.PyJWT"):
            return "jwt.PyJWT().decode"
    return ""


def _unverified(ctx: FileContext, node: ast.Call) -> str:
    options = resolve(ctx, argument(node, None, "options"))
    if isinstance(options, ast.Dict):
        for key, value in zip(options.keys, options.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "verify_signature" and _false(ctx, value):
                return 'runs with `options={"verify_signature": False}`'
    elif isinstance(options, ast.Call) and ctx.call_name(options) == "builtins.dict":
        flag = keyword(options, "verify_signature")
        if flag is not None and _false(ctx, flag.value):
            return "runs with `verify_signature=False`"
    verify = keyword(node, "verify")
    if verify is not None and _false(ctx, verify.value):
        return "runs with `verify=False`"
    return ""


def _false(ctx: FileContext, expr: ast.expr) -> bool:
    value = resolve(ctx, expr)
    return isinstance(value, ast.Constant) and value.value is False


def _verified_later(ctx: FileContext, node: ast.Call, name: str, token: ast.expr | None) -> bool:
    """An unverified peek (for `kid`/`iss`) followed by a verifying decode of the same token."""
    if token is None:
        return False
    for call in calls_in_function(ctx, node):
        if call is node or (call.lineno, call.col_offset) <= (node.lineno, node.col_offset):
            continue
        if _decoder(ctx, call) not in ("", *_PEEKS) and not _unverified(ctx, call):
            other = argument(call, 0, "jwt") or argument(call, None, "token")
            if other is not None and same_target(other, token):
                return True
    return False
