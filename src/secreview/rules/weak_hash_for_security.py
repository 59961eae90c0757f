"""MD5 or SHA-1 computed without saying it is not for security.

## What it flags
`hashlib.md5`/`sha1` (also `hashlib.new("md5" | "sha1" | "md4")`, pycryptodome's
`Crypto.Hash.MD5/SHA1.new` and `cryptography`'s `hashes.MD5()`/`hashes.SHA1()` in a
`hashes.Hash` or as a signature's digest) called without `usedforsecurity=False`.
Python (3.9+) lets code say that a weak digest is only a checksum, cache key or
identifier; without that flag, the call is an explicit choice of a broken hash that a
reviewer must see, and FIPS-mode builds refuse it. A digest of a password is reported
by `password-fast-hash` instead (once per call).

## Confidence
- high: the code shows the digest protects something: the hashed value, the name the
  digest is stored under, or the function returning it names a token, secret,
  signature or API key; the digest is checked with `compare_digest` or compared with
  such a value; or a SHA-1/MD5 digest is what gets signed;
- low: nothing says so — a checksum, ETag, cache key, fingerprint or shard key (by its
  name), a digest of random bytes or of a nonce, or a value of unknown purpose: the
  fix is then only to pass `usedforsecurity=False` (or to use SHA-256), and the same
  holds inside a `test_*` function or a `Test*` class.

## Why it matters
MD5 collisions take seconds and SHA-1 collisions are practical (SHAttered, 2017):
a signature or token built on them can be forged or matched by a second value the
attacker chose (CWE-328).

## Example
```python
import hashlib

def sign_payload(secret, body):
    signature = hashlib.md5(secret + body).hexdigest()
    return signature
```

## Use instead
```python
import hashlib
import hmac

def sign_payload(secret, body):
    signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return signature
```

## References
- CWE-328: Use of Weak Hash
- Stevens et al., "The first collision for full SHA-1" (2017)
- Python docs, hashlib: the `usedforsecurity` flag
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._crypto.destinations import destinations
from secreview.rules._crypto.hashes import CRYPTOGRAPHY_HASHES, WEAK_ALGORITHMS, hash_constructor, used_not_for_security
from secreview.rules._crypto.identifiers import names_password, non_security_purpose, security_value, words_of
from secreview.rules._crypto.password_digest import password_digest
from secreview.rules._crypto.randomness import random_call
from secreview.rules._crypto.references import bound_name, method_calls
from secreview.rules._crypto.scopes import calls_in_function, function_name
from secreview.rules._crypto.values import value_identifiers
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR301",
    name="weak-hash-for-security",
    title="MD5 or SHA-1 used without usedforsecurity=False",
    cwe=328,
    type="crypto",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Use SHA-256 or stronger (hashlib.sha256, hashes.SHA256()); to authenticate a message use "
    "hmac.new(key, msg, hashlib.sha256); pass usedforsecurity=False where MD5 is only a checksum.",
    bandit=("B303", "B324"),
)
NODES = (ast.Call,)
# Every hit is a hashlib, PyCrypto(dome) or cryptography hash (hashes.hash_constructor).
NEEDS = ("hashlib", "Crypto", "cryptography")

_UNIQUE_ONLY = frozenset({"nonce", "nonces", "cnonce", "salt", "salts"})
_SIGNING_WORDS = frozenset({"sign", "signed", "signing", "signature", "authenticate", "hmac"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    found = hash_constructor(ctx, node)
    if found is not None:
        call_name, algo, data = found
        if algo not in WEAK_ALGORITHMS or used_not_for_security(node) or _sizes_only(ctx, node):
            return
        label, holder, outputs_methods = WEAK_ALGORITHMS[algo], node, {"hexdigest", "digest"}
    else:
        name = ctx.call_name(node) or ""
        if name not in (CRYPTOGRAPHY_HASHES + "MD5", CRYPTOGRAPHY_HASHES + "SHA1"):
            return
        call_name, data, outputs_methods = name, [], {"finalize"}
        label = "MD5" if name.endswith("MD5") else "SHA-1"
        parent = ctx.parent(node)
        if isinstance(parent, ast.keyword):
            parent = ctx.parent(parent)
        if isinstance(parent, ast.Call) and getattr(parent.func, "attr", "") == "sign":
            message = f"`{call_name}` is the digest of a new signature: {label} signatures can be forged."
            yield _hit(ctx, node, message, Confidence.HIGH, severity=Severity.HIGH)
            return
        if not (isinstance(parent, ast.Call) and ctx.call_name(parent) == CRYPTOGRAPHY_HASHES + "Hash"):
            return  # MGF1, HMAC, OAEP ... use SHA-1 where collisions do not matter
        holder = parent
    if password_digest(ctx, holder) is not None:
        return  # password-fast-hash reports this call
    target = bound_name(ctx, holder)
    if target is not None:
        data = data + [c.args[0] for c in method_calls(ctx, target, {"update"}) if c.args]
    reason, purpose = _evidence(ctx, node, holder, target, data, outputs_methods)
    if reason:
        yield _hit(ctx, node, f"`{call_name}` ({label}) is used for security: {reason}.", Confidence.HIGH)
    elif call_name.startswith("hashlib."):  # only hashlib takes usedforsecurity
        yield _hit(ctx, node, f"`{call_name}` ({label}) is called without `usedforsecurity=False`{purpose}. If the "
                   f"digest protects nothing, pass usedforsecurity=False (FIPS-mode builds refuse {label} otherwise); "
                   "if it does, use SHA-256.", Confidence.LOW)
    else:
        yield _hit(ctx, node, f"`{call_name}` ({label}) computes a digest{purpose}; {label} must not protect "
                   "anything: use SHA-256, or hashlib with usedforsecurity=False where it is only a checksum.",
                   Confidence.LOW)


def _sizes_only(ctx: FileContext, node: ast.Call) -> bool:
    """`hashlib.sha1().block_size`: the object is made to read a property; nothing is hashed."""
    parent = ctx.parent(node)
    return isinstance(parent, ast.Attribute) and parent.attr in ("block_size", "digest_size", "name")


def _hit(ctx: FileContext, node: ast.Call, message: str, confidence: Confidence,
         severity: Severity | None = None) -> Hit:
    return Hit(node, message, severity=severity, confidence=confidence)


def _evidence(ctx: FileContext, node: ast.Call, holder: ast.Call, target: ast.Name | None,
              data: list[ast.expr], outputs_methods: set[str]) -> tuple[str, str]:
    """(why the digest protects something, "" when nothing says so; what the code says it is for instead,
    as a clause for the message)."""
    hashed = [ident for expr in data for ident in value_identifiers(ctx, expr)]
    outputs: list[ast.AST] = [holder]
    if target is not None:
        outputs += method_calls(ctx, target, outputs_methods)
        if any(isinstance(c.func, ast.Attribute) and c.func.attr == "sign" for c in _users(ctx, target)):
            return f"the digest object `{target.id}` is signed", ""
    randomness = random_call(ctx, data)
    if randomness:
        return "", f" over the output of `{randomness}` (the randomness makes the value; the digest formats it)"
    stored = [d for out in outputs for d in destinations(ctx, out)]
    func = function_name(ctx, node)
    purpose = next((d for d in [*stored, func, *hashed] if d and non_security_purpose(d)), "")
    if purpose:
        return "", f" and `{purpose}` says it is no security value (a checksum, cache key, fingerprint or identifier)"
    for dest in stored:
        if dest != "return" and _protects(dest):
            return f"the digest is stored as `{dest}`", ""
    if "return" in stored and func and (_protects(func) or _SIGNING_WORDS & set(words_of(func))):
        return f"`{func}()` returns the digest", ""
    for out in outputs:
        checked = _checked_against(ctx, out)
        if checked:
            return checked, ""
    for ident in hashed:
        if _protects(ident):
            return f"it hashes `{ident}`", ""
    password = next((i for i in hashed if names_password(i)), "")
    if password:
        return "", f" over `{password}`, whose digest is neither stored nor compared as a credential here"
    unique = next((i for i in [*stored, *hashed] if _UNIQUE_ONLY & set(words_of(i))), "")
    if unique:
        return "", f" for `{unique}`, which must be unique but need not resist collisions"
    return "", " and nothing here says what the digest is for"


def _protects(ident: str) -> bool:
    """A security value whose hash must resist collisions (nonces and salts need not be secret)."""
    return bool(security_value(ident)) and not _UNIQUE_ONLY & set(words_of(ident))


def _users(ctx: FileContext, target: ast.Name) -> list[ast.Call]:
    return [c for c in calls_in_function(ctx, target)
            if any(isinstance(a, ast.Name) and a.id == target.id for a in c.args)]


def _checked_against(ctx: FileContext, out: ast.AST) -> str:
    for anc in ctx.ancestors(out):
        if isinstance(anc, ast.Call) and (ctx.call_name(anc) or "").endswith("compare_digest"):
            return "the digest is checked with compare_digest"
        if isinstance(anc, ast.Compare) and len(anc.comparators) == 1:
            for side in (anc.left, anc.comparators[0]):
                names = [i for i in value_identifiers(ctx, side, depth=0) if _protects(i)]
                if names:
                    return f"the digest is compared with `{names[0]}`"
        if isinstance(anc, ast.stmt):
            return ""
    return ""
