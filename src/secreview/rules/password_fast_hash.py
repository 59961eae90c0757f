"""Password hashed with a fast digest (MD5, SHA-1, SHA-256 ...) instead of a password KDF.

## What it flags
A plain digest (`hashlib.md5/sha1/sha256/sha512/sha3_*/blake2*`, `hashlib.new(...)`,
pycryptodome `Crypto.Hash.*.new`, `cryptography`'s `hashes.Hash`) applied to a value
named like a password or passphrase: directly, after `.encode()`, concatenated with a
salt, through a local variable or `.update()`. It also fires when the digest of a
function parameter is stored as the password (`user.password_hash = sha256(raw)`) or
computed by a `hash_password`/`check_password`-style function. Pre-hashing before
bcrypt/scrypt/argon2/PBKDF2 is not reported.

## Confidence
- high: the hashed value is named like a password (`password`, `new_passwd`,
  `pw_bytes`), or the digest of a parameter is stored under a password name
  (`user.password_hash = sha256(raw)`);
- medium: only the function's name says it hashes a password (`hash_password(raw)`);
- low: any of the above inside a `test_*` function or a `Test*` class in a module the
  test-code policy does not already demote.

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
from secreview.rules._crypto.password_digest import password_digest
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


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    found = password_digest(ctx, node)
    if found is None:
        return
    yield Hit(found.node, found.message, confidence=found.confidence)
