"""Password hashed with a fast digest (MD5, SHA-1, SHA-256 ...) instead of a password KDF.

## What it flags
A plain digest (`hashlib.md5/sha1/sha256/sha512/sha3_*/blake2*`, `hashlib.new(...)`,
pycryptodome `Crypto.Hash.*.new`, `cryptography`'s `hashes.Hash`) applied to a value
named like a password or passphrase: directly, after `.encode()`, concatenated with a
salt, through a local variable or `.update()`. It also fires when the digest of a
function parameter is stored as the password (`user.password_hash = sha256(raw)`) or
computed by a `hash_password`/`check_password`-style function. Pre-hashing before
bcrypt/scrypt/argon2/PBKDF2 is not reported.

## Why it matters
General-purpose digests run billions of times per second on a GPU, so a leaked table
of such hashes gives up most passwords within hours, salt or not; password storage
needs a deliberately slow, salted key-derivation function (CWE-916).

## Example
```python
import hashlib

def register(db, username, password):
    digest = hashlib.sha256(password.encode()).hexdigest()
    db.execute("INSERT INTO users VALUES (?, ?)", (username, digest))
```

## Use instead
```python
import hashlib
import os

def register(db, username, password):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)
    db.execute("INSERT INTO users VALUES (?, ?, ?)", (username, salt, digest))
```

## References
- CWE-916: Use of Password Hash With Insufficient Computational Effort
- OWASP Password Storage Cheat Sheet
- Python docs, hashlib.scrypt and hashlib.pbkdf2_hmac
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._crypto.destinations import destinations
from secreview.rules._crypto.hashes import CRYPTOGRAPHY_HASHES, hash_constructor, used_not_for_security
from secreview.rules._crypto.identifiers import names_password, words_of
from secreview.rules._crypto.randomness import random_call
from secreview.rules._crypto.references import bound_name, method_calls
from secreview.rules._crypto.scopes import calls_in_function, function_name, in_test_code
from secreview.rules._crypto.values import function_params, value_identifiers
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR302",
    name="password-fast-hash",
    title="Password hashed with a fast digest",
    cwe=916,
    type="crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Hash passwords with a slow salted KDF: hashlib.scrypt or hashlib.pbkdf2_hmac (600k+ iterations), "
    "bcrypt, argon2-cffi, passlib, werkzeug's generate_password_hash or Django's make_password.",
    bandit=("B303", "B324"),
)
NODES = (ast.Call,)
# Every hit is a hashlib, PyCrypto(dome) or cryptography hash (hashes.hash_constructor).
NEEDS = ("hashlib", "Crypto", "cryptography")

_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pw", "pass", "passwords"})
_VERBS = frozenset({"hash", "hashed", "set", "make", "encrypt", "check", "verify", "store", "create",
                    "encode", "digest", "save", "change", "update", "validate", "crypt", "compare", "match",
                    "matches"})
_NOT_STORAGE = frozenset({"pwned", "breach", "breached", "hibp", "leaked", "compromised", "haveibeenpwned"})
_KDF_HINTS = ("bcrypt", "argon2", "pbkdf2", "scrypt", "passlib", "hashpw", "kdf", "generate_password_hash",
              "make_password", "PasswordHasher")


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    if in_test_code(ctx, node):
        return
    found = hash_constructor(ctx, node)
    if found is not None:
        call_name, _, data = found
        if used_not_for_security(node):
            return
        outputs = {"hexdigest", "digest"}
    elif ctx.call_name(node) == CRYPTOGRAPHY_HASHES + "Hash":
        call_name, data, outputs = CRYPTOGRAPHY_HASHES + "Hash", [], {"finalize"}
    else:
        return
    target = bound_name(ctx, node)
    updates = method_calls(ctx, target, {"update"}) if target is not None else []
    pieces = [(node, d) for d in data] + [(u, u.args[0]) for u in updates if u.args]
    if not pieces or _feeds_kdf(ctx, node, target):
        return
    func = function_name(ctx, node)
    stored = destinations(ctx, node) + [d for c in (method_calls(ctx, target, outputs) if target else [])
                                        for d in destinations(ctx, c)]
    if any(_NOT_STORAGE & set(words_of(x)) for x in (func, *stored)):
        return
    for where, expr in pieces:
        named = [i for i in value_identifiers(ctx, expr) if names_password(i)]
        if named:
            yield Hit(where, f"`{call_name}` hashes `{named[0]}` with a fast digest, not a password KDF.")
            return
    exprs = [expr for _, expr in pieces]
    params = function_params(ctx.enclosing_function(node)) - {"self", "cls"}
    if not params & {i for e in exprs for i in value_identifiers(ctx, e)}:
        return
    if random_call(ctx, exprs):
        return
    for dest in stored:
        if _PASSWORD_WORDS & set(words_of(dest)):
            yield Hit(node, f"`{call_name}` computes `{dest}` with a fast digest, not a password KDF.")
            return
    words = set(words_of(func))
    if words & _PASSWORD_WORDS and words & _VERBS:
        message = f"`{func}()` hashes a password with `{call_name}`, a fast digest, not a password KDF."
        yield Hit(node, message, confidence=Confidence.MEDIUM)


def _feeds_kdf(ctx: FileContext, node: ast.Call, target: ast.Name | None) -> bool:
    """Pre-hashing for bcrypt/scrypt/argon2/PBKDF2 (e.g. to pass bcrypt's 72-byte limit)."""
    for anc in ctx.ancestors(node):
        if isinstance(anc, ast.Call) and any(h in (ctx.call_name(anc) or "") for h in _KDF_HINTS):
            return True
        if isinstance(anc, ast.stmt):
            break
    names = {d for d in destinations(ctx, node) if d != "return"}
    if target is not None:
        names.add(target.id)
    if not names:
        return False
    for call in calls_in_function(ctx, node):
        if any(h in (ctx.call_name(call) or "") for h in _KDF_HINTS):
            args = [*call.args, *(k.value for k in call.keywords)]
            if names & {i for a in args for i in value_identifiers(ctx, a, depth=1)}:
                return True
    return False
