"""Is a fast digest hashing a password for storage or comparison? The verdict of `password-fast-hash`,
which `weak-hash-for-security` also asks so that one MD5/SHA-1 call over a password is reported once."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from secreview.analysis.context import FileContext
from secreview.model import Confidence
from secreview.rules._crypto.destinations import destinations
from secreview.rules._crypto.hashes import CRYPTOGRAPHY_HASHES, hash_constructor, used_not_for_security
from secreview.rules._crypto.identifiers import names_password, words_of
from secreview.rules._crypto.randomness import random_call
from secreview.rules._crypto.references import bound_name, method_calls
from secreview.rules._crypto.scopes import calls_in_function, function_name
from secreview.rules._crypto.values import function_params, value_identifiers

_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pw", "pass", "passwords"})
_VERBS = frozenset({"hash", "hashed", "set", "make", "encrypt", "check", "verify", "store", "create",
                    "encode", "digest", "save", "change", "update", "validate", "crypt", "compare", "match",
                    "matches"})
_NOT_STORAGE = frozenset({"pwned", "breach", "breached", "hibp", "leaked", "compromised", "haveibeenpwned"})
_KDF_HINTS = ("bcrypt", "argon2", "pbkdf2", "scrypt", "passlib", "hashpw", "kdf", "generate_password_hash",
              "make_password", "PasswordHasher")


@dataclass(frozen=True, slots=True)
class PasswordDigest:
    node: ast.AST  # where to report: the constructor, or the `.update(password)` call
    message: str
    confidence: Confidence | None  # None: the rule's own


def password_digest(ctx: FileContext, node: ast.Call) -> PasswordDigest | None:
    """The digest that `node` (a hash constructor or `hashes.Hash(...)`) computes hashes a password."""
    found = hash_constructor(ctx, node)
    if found is not None:
        call_name, _, data = found
        if used_not_for_security(node):
            return None
        outputs = {"hexdigest", "digest"}
    elif ctx.call_name(node) == CRYPTOGRAPHY_HASHES + "Hash":
        call_name, data, outputs = CRYPTOGRAPHY_HASHES + "Hash", [], {"finalize"}
    else:
        return None
    target = bound_name(ctx, node)
    updates = method_calls(ctx, target, {"update"}) if target is not None else []
    pieces = [(node, d) for d in data] + [(u, u.args[0]) for u in updates if u.args]
    if not pieces or _feeds_kdf(ctx, node, target):
        return None
    func = function_name(ctx, node)
    stored = destinations(ctx, node) + [d for c in (method_calls(ctx, target, outputs) if target else [])
                                        for d in destinations(ctx, c)]
    if any(_NOT_STORAGE & set(words_of(x)) for x in (func, *stored)):
        return None
    for where, expr in pieces:
        named = [i for i in value_identifiers(ctx, expr) if names_password(i)]
        if named:
            return PasswordDigest(where, f"`{call_name}` hashes `{named[0]}` with a fast digest, not a password KDF.",
                                  None)
    exprs = [expr for _, expr in pieces]
    params = function_params(ctx.enclosing_function(node)) - {"self", "cls"}
    if not params & {i for e in exprs for i in value_identifiers(ctx, e)}:
        return None
    if random_call(ctx, exprs):
        return None
    for dest in stored:
        if _PASSWORD_WORDS & set(words_of(dest)):
            return PasswordDigest(node, f"`{call_name}` computes `{dest}` with a fast digest, not a password KDF.",
                                  None)
    words = set(words_of(func))
    if words & _PASSWORD_WORDS and words & _VERBS:
        message = f"`{func}()` hashes a password with `{call_name}`, a fast digest, not a password KDF."
        return PasswordDigest(node, message, Confidence.MEDIUM)
    return None


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
