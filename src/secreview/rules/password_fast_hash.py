"""Password hashed with a fast digest (MD5, SHA-1, SHA-256 ...) instead of a password KDF.

## What it flags
A plain digest (`hashlib.md5/sha1/sha256/sha512/sha3_*/blake2*`, `hashlib.new(...)`,
pycryptodome `Crypto.Hash.*.new`, `cryptography`'s `hashes.Hash`) applied to a value
named like a password or passphrase: directly, after `.encode()`, concatenated with a
salt, through a local variable or `.update()`. It also fires when the digest of a
function parameter is stored as the password (`user.password_hash = sha256(raw)`) or
computed by a `hash_password`/`check_password`-style function. Pre-hashing before
bcrypt/scrypt/argon2/PBKDF2 is not reported.

Data flow: a fast digest (`hashlib.md5/sha1/sha2*/new`) that reaches a place named for a
password's hash (`user.password_hash = v`, `insert(password=v)`, `{"hashed_password": v}`)
through helpers and modules, reported at the digest call with the trace (or, when the digest is
made in another module, at the call here that stores it).

It also flags a password KDF run with too few iterations: `hashlib.pbkdf2_hmac(..., iterations)`,
`cryptography`'s `PBKDF2HMAC(iterations=...)`, pycryptodome's `PBKDF2(..., count=...)` and
Django's `pbkdf2(...)`, when the count is a literal, a constant, or the default of the
parameter that carries it (`def make_password(pw, iterations=ITERATIONS)`), below 100,000.

## Confidence
- high: the hashed value is named like a password (`password`, `new_passwd`,
  `pw_bytes`), or the digest of a parameter is stored under a password name
  (`user.password_hash = sha256(raw)`);
- medium: only the function's name says it hashes a password (`hash_password(raw)`), or a KDF
  runs 10,000 to 99,999 iterations (high below 10,000);
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
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._crypto.identifiers import words_of
from secreview.rules._crypto.password_digest import password_digest
from secreview.rules._crypto.randomness import random_call
from secreview.rules._crypto.values import resolve
from secreview.rules._crypto.weak_values import source_call
from secreview.ruleset import Hit, Meta, TaintQuery

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


def _for_sink(hit: Hit, sink: str, ctx: FileContext) -> Hit | None:
    """A fast digest (source kind `fast_digest`) stored where a password's hash is kept: an attribute,
    variable, keyword or dict entry named for a password (`user.password_hash`, `password=`), through
    helpers and modules. Reported at the digest call, with the trace to the store."""
    where, _, identifier = sink.partition(":")
    if where not in ("assigned", "keyword", "dict key") or not hit.trace or not _stores_password(identifier):
        return None
    first, last = hit.trace[0], hit.trace[-1]
    source = source_call(ctx, first) if first.path == ctx.path else None
    node = source if source is not None else hit.node
    if source is not None and random_call(ctx, list(source.args)):
        return None  # `user.password = sha256(os.urandom(32)).hexdigest()`: an unusable random password
    digest = (ctx.call_name(source) or "") if source is not None else f"a digest at {first.path}:{first.line}"
    shown = f"`{digest}()`" if source is not None else digest
    place = f"line {last.line}" if last.path == ctx.path else f"{last.path}:{last.line}"
    message = (f"{shown} makes the value stored as `{identifier}` ({place}): a fast digest of a password "
               "falls to a GPU in hours; use a slow salted KDF.")
    return Hit(node, message, trace=hit.trace, confidence=Confidence.HIGH)


# The data-flow part: a fast digest reaching a password store (`_crypto/weak_values.py`'s named sinks).
TAINT = TaintQuery(sources=frozenset({"fast_digest"}), sinks=frozenset({"secret_bearing"}), for_sink=_for_sink)
_PASSWORD_WORDS = frozenset({"password", "passwords", "passwd", "pwd", "passphrase", "pw", "pass", "pword"})
_NOT_STORE = frozenset({"reset", "token", "tokens", "link", "url", "field", "label", "prompt", "policy", "length",
                        "hint", "expiry", "expires", "changed", "attempts", "salt", "form", "confirm"})


def _stores_password(identifier: str) -> bool:
    """`password_hash`, `hashed_password`, `pw_digest`, `password`; not `password_reset_token`."""
    words = set(words_of(identifier))
    return bool(words & _PASSWORD_WORDS) and not words & _NOT_STORE
# Every hit is a hashlib, PyCrypto(dome) or cryptography hash (hashes.hash_constructor).
NEEDS = ("hashlib", "Crypto", "cryptography", "pbkdf2")


_KDF_ITERATIONS = {  # qualified name -> (position, keyword) of the iteration count
    "hashlib.pbkdf2_hmac": (3, "iterations"),
    "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC": (3, "iterations"),
    "Crypto.Protocol.KDF.PBKDF2": (3, "count"),
    "Cryptodome.Protocol.KDF.PBKDF2": (3, "count"),
    "django.utils.crypto.pbkdf2": (2, "iterations"),
}
_ENOUGH = 100_000  # OWASP asks 600,000 for PBKDF2-HMAC-SHA256; below this is a finding either way
_FAR_TOO_FEW = 10_000


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    low = _low_iterations(ctx, node)
    if low is not None:
        yield low
        return
    found = password_digest(ctx, node)
    if found is None:
        return
    yield Hit(found.node, found.message, confidence=found.confidence)


def _low_iterations(ctx: FileContext, node: ast.Call) -> Hit | None:
    where = _KDF_ITERATIONS.get(ctx.call_name(node) or "")
    if where is None:
        return None
    expr = argument(node, *where)
    count, how = _count(ctx, expr)
    if count is None or count >= _ENOUGH:
        return None
    name = (ctx.call_name(node) or "").rsplit(".", 1)[-1]
    message = (f"`{name}` runs {count:,} iterations{how}: a GPU tries that many passwords per hash "
               f"cheaply; use 600,000 or more for PBKDF2-HMAC-SHA256 (or scrypt/argon2).")
    return Hit(node, message, confidence=Confidence.HIGH if count < _FAR_TOO_FEW else Confidence.MEDIUM)


def _count(ctx: FileContext, expr: ast.expr | None) -> tuple[int | None, str]:
    """The literal iteration count: the expression, the constant it names, or the default of the
    parameter it is (with how it was found)."""
    how = ""
    if isinstance(expr, ast.Name):
        func = ctx.enclosing_function(expr)
        default = _parameter_default(func, expr.id) if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) \
            else None
        if default is not None:
            how, expr = f" (the default of `{expr.id}`)", default
    if isinstance(expr, ast.Name):
        value = resolve(ctx, expr)
        if value is not None and value is not expr:
            how, expr = how or f" (`{expr.id}`)", value
    if isinstance(expr, ast.Constant) and type(expr.value) is int:
        return expr.value, how
    return None, how


def _parameter_default(func: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.expr | None:
    """The default of parameter `name`, when the function does not rebind it."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults,
                        strict=True))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None})
    if name not in defaults:
        return None
    for node in ast.walk(func):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return None
    return defaults[name]
