"""Token, password, nonce or secret made with a predictable random generator.

## What it flags
Data flow: a guessable value — `random.*` or a `random.Random()`'s methods, `uuid.uuid1()`, and
the clock or the process id when made into text (`"%s:%d" % (user, time.time())`, hashed) — that
reaches a value that must be unguessable: a session entry, a cookie, a cipher key, IV or nonce,
an HMAC/JWT key, a password being hashed, or a place whose name says secret (`user.reset_token = v`,
`headers["X-CSRF-Token"] = v`, `create(api_key=v)`, `{"client_secret": v}`, `send_reset_link(v)`),
through helpers and modules. It is reported at the weak call, with the trace to the secret.

Pattern: `random.random/randint/randrange/choice/choices/sample/getrandbits/shuffle/uniform/
randbytes`, methods of a `random.Random()` instance and `numpy.random.*` when the
value becomes a security value: it is assigned (directly, through `"".join(...)`,
`str()`, an f-string or `+=` in a loop) to a name, attribute, dict key or keyword
naming a token, password, secret, nonce, salt, OTP, CSRF token, session id or reset
code, or it is returned by a function so named. A bare `token` (a lexer or NLP token
too) counts only when the value is built as a string. `secrets`, `random.SystemRandom()`
and `os.urandom` are the safe twins; jitter, backoff, sampling and shuffling are left
alone, as are `test_*` functions, and `random.shuffle()` of a list whose values come
from `os.urandom`/`secrets` (only their order is predictable).

Confidence: high when the flow reaches a secret by nature (key, IV, nonce, password, MAC/JWT
key) or a session entry, cookie or name that says credential; medium for a random value made
into text that reaches a session entry or cookie under a name that says nothing (a bare pick
such as `random.choice(VARIANTS)` there is not reported), and for the pattern part; low (and
low severity) for a value that is a salt and nothing else (`_generate_salt()`, `user.salt`): a
salt must be unique, not secret, and `random` values are unique in practice. A timestamp
(`session["exp"] = time.time() + 300`) is never reported.

## Why it matters
`random` is a Mersenne Twister: 624 outputs reveal its whole state, so an attacker who
sees a few tokens (or guesses the seed) predicts every past and future one, and can
take over password resets, sessions and one-time codes (CWE-338).

## Example
```python
import random
import string

def issue_reset_code(user):
    reset_code = "".join(random.choice(string.digits) for _ in range(6))
    user.save_reset_code(reset_code)
```

## Use instead
```python
import secrets
import string

def issue_reset_code(user):
    reset_code = "".join(secrets.choice(string.digits) for _ in range(6))
    user.save_reset_code(reset_code)
```

## References
- CWE-338: Use of Cryptographically Weak Pseudo-Random Number Generator (PRNG)
- Python docs, random: "should not be used for security purposes"; the secrets module
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.model import Confidence, Severity
from secreview.rules._crypto.destinations import destinations
from secreview.rules._crypto.identifiers import names_password, security_value, word_set, words_of
from secreview.rules._crypto.scopes import function_name
from secreview.rules._crypto.values import resolve, value_identifiers
from secreview.rules._crypto.weak_values import token_material, weak_flow_hit
from secreview.ruleset import Hit, Meta, TaintQuery

META = Meta(
    code="SR309",
    name="insecure-random",
    title="Security value from a predictable random generator",
    cwe=338,
    type="crypto",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Use the secrets module (secrets.token_urlsafe(32), secrets.token_hex, secrets.choice, "
    "secrets.randbelow) or random.SystemRandom() for anything an attacker must not guess.",
    bandit=("B311",),
)
NODES = (ast.Call,)


def _for_sink(hit: Hit, sink: str, ctx: FileContext) -> Hit | None:
    return weak_flow_hit(hit, sink, ctx, _named_secret)


# The data-flow part: a guessable value (random, uuid1, the clock as token material) reaching a value
# that must be unguessable, reported at the weak call with the trace (`_crypto/weak_values.py`).
TAINT = TaintQuery(sources=frozenset({"weak_random"}), sinks=frozenset({"secret_bearing"}), for_sink=_for_sink)
# Every generator below is `random.*`, `numpy.random.*` or one of their Random objects.
NEEDS = ("random", "time", "datetime")

_RANDOM_FUNCS = frozenset({"random", "randint", "randrange", "choice", "choices", "sample", "getrandbits",
                           "shuffle", "uniform", "randbytes", "triangular"})
_GENERATORS = frozenset({"random.Random", "numpy.random.default_rng", "numpy.random.RandomState",
                         "numpy.random.Generator"})
_TOKEN_QUALIFIERS = word_set(
    """auth access refresh api csrf xsrf session reset secret bearer jwt login confirm confirmation activation
    invite magic oauth remember unsubscribe email password verification verify security invitation signup
    registration recovery admin"""
)
_COLLECTORS = frozenset({"append", "extend", "insert", "add"})
_STRING_BUILDERS = frozenset({"join", "format", "str", "hex", "hexdigest", "b64encode", "urlsafe_b64encode",
                              "zfill", "encode"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = _insecure(ctx, node)
    if not name:
        yield from _clock_key(ctx, node)
        return
    sinks = destinations(ctx, node)
    parent = ctx.parent(node)
    grand = ctx.parent(parent) if parent is not None else None
    if (
        isinstance(grand, ast.Call) and grand.func is parent
        and isinstance(parent, ast.Attribute) and parent.attr in _COLLECTORS
    ):
        sinks.append(ctx.segment(parent.value))
    if name.endswith("shuffle") and node.args:
        if _secure_contents(ctx, node.args[0]):
            return  # only the order of values drawn from a secure source is predictable
        sinks.append(ctx.segment(node.args[0]))
    sinks += _labels(ctx, node)
    for sink in sinks:
        if sink and sink != "return" and _secret(ctx, node, sink):
            yield _hit(node, f"`{name}` makes `{sink}`, but it is predictable: use `secrets`.", sink)
            return
    func = function_name(ctx, node)
    if func and _secret(ctx, node, func) and _returned(ctx, node, sinks):
        message = f"`{func}()` returns a value made with `{name}`, which is predictable: use `secrets`."
        yield _hit(node, message, func)
        return
    size = _key_bytes(node) if name.endswith("randbytes") else 0
    if size >= _KEY_BYTES:
        yield Hit(node, f"`{name}({size})` draws {size * 8} bits from a predictable generator, the size of key "
                  "material: use `os.urandom` or `secrets.token_bytes`.")


_KEY_BYTES = 16  # 128 bits: nobody needs that many random bytes but for a key, a token or test data
_CLOCKS = frozenset({"time.time", "time.time_ns", "datetime.datetime.now", "datetime.datetime.utcnow"})
_SESSION_WORDS = frozenset({"session", "sessions"})
_ID_WORDS = frozenset({"key", "id", "sid", "token", "ident", "identifier"})


def _key_bytes(node: ast.Call) -> int:
    arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "n"), None)
    return arg.value if isinstance(arg, ast.Constant) and type(arg.value) is int else 0


def _clock_key(ctx: FileContext, node: ast.Call) -> Iterator[Hit]:
    """The clock made into text and returned as a session's key or id (`SessionStore._new_key()` returning
    `"%s-%d" % (user, time.time())`): data flow sees no secret sink when the key is handed out later."""
    name = ctx.call_name(node) or ""
    if name not in _CLOCKS or not token_material(ctx, node):
        return
    func = ctx.enclosing_function(node)
    cls = ctx.enclosing_class(node)
    if func is None:
        return
    words = set(words_of(func.name))
    if not (words & _ID_WORDS and (words | set(words_of(cls.name if cls else ""))) & _SESSION_WORDS):
        return
    if _returned(ctx, node, destinations(ctx, node)):
        where = f"{cls.name}.{func.name}" if cls else func.name
        yield Hit(node, f"`{where}()` makes a session key from `{name}()`, which anyone can guess to the "
                  "second: use `secrets.token_urlsafe()`.")


_SECURE_SOURCES = ("os.urandom", "secrets.", "random.SystemRandom")


def _secure_contents(ctx: FileContext, expr: ast.expr, depth: int = 3) -> bool:
    """The shuffled list holds values drawn from a secure source (`[s[ord(os.urandom(1)) % n] for s in g]`),
    followed through the local names it was bound from."""
    if depth < 0:
        return False
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and (ctx.call_name(node) or "").startswith(_SECURE_SOURCES):
            return True
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            value = reaching_value(ctx, node)
            if value is not None and value is not expr and _secure_contents(ctx, value, depth - 1):
                return True
    return False


_SALT_WORDS = frozenset({"salt", "salts", "salted"})


def _hit(node: ast.Call, message: str, identifier: str) -> Hit:
    """A salt only has to be unique, not secret: `random` gives that, so a value that is a salt and nothing
    else (no token, key or password word besides) is reported with low confidence."""
    words = words_of(identifier)
    if set(words) & _SALT_WORDS:
        rest = "_".join(w for w in words if w not in _SALT_WORDS)
        if not (rest and (security_value(rest) or names_password(rest))):
            message = message[:-1] + " (a salt need only be unique, so this is a weak concern)."
            return Hit(node, message, confidence=Confidence.LOW, severity=Severity.LOW)
    return Hit(node, message)


def _labels(ctx: FileContext, node: ast.Call) -> list[str]:
    """String literals passed next to the value: `set_cookie("sessionid", value)`."""
    labels: list[str] = []
    child: ast.AST = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, ast.stmt):
            break
        if isinstance(anc, ast.Call) and child is not anc.func:
            labels += [a.value for a in anc.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        child = anc
    return labels


def _insecure(ctx: FileContext, node: ast.Call) -> str:
    name = ctx.call_name(node) or ""
    if name.startswith("random.") and name.count(".") == 1:
        return name if name[7:] in _RANDOM_FUNCS else ""
    if name.startswith("numpy.random.") and name.count(".") == 2:
        return "" if name[13:] in ("seed", "get_state", "set_state", "default_rng", "SeedSequence") else name
    if name.startswith(("random.Random().", "numpy.random.default_rng().", "numpy.random.RandomState().")):
        return name
    if isinstance(node.func, ast.Attribute) and node.func.attr in _RANDOM_FUNCS | {"integers", "bytes"}:
        receiver = resolve(ctx, node.func.value)
        if isinstance(receiver, ast.Call) and ctx.call_name(receiver) in _GENERATORS:
            return f"{ctx.call_name(receiver)}().{node.func.attr}"
    return ""


def _secret(ctx: FileContext, node: ast.Call, identifier: str) -> bool:
    if names_password(identifier):
        return True
    if not security_value(identifier):
        return False
    words = words_of(identifier)
    if set(words) & {"token", "tokens"} and not set(words) & _TOKEN_QUALIFIERS:
        rest = "_".join(w for w in words if w not in ("token", "tokens"))
        return bool(rest and security_value(rest)) or _string_built(ctx, node)
    return True


def _named_secret(ctx: FileContext, node: ast.Call | None, identifier: str) -> bool:
    """The pattern part's word test, for a named sink of the data-flow part."""
    if node is None:
        return bool(names_password(identifier) or security_value(identifier)) and \
            not set(words_of(identifier)) <= {"token", "tokens"}
    return _secret(ctx, node, identifier)


def _string_built(ctx: FileContext, node: ast.Call) -> bool:
    """The random value is turned into text (join/format/str/hex/f-string) or drawn from characters."""
    for arg in node.args:
        if any((ctx.qualname(n) or "").startswith("string.") for n in ast.walk(arg)):
            return True
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and len(arg.value) > 5:
            return True
    for anc in ctx.ancestors(node):
        if isinstance(anc, ast.stmt):
            return False
        if isinstance(anc, (ast.JoinedStr, ast.BinOp)):
            return True
        if isinstance(anc, ast.Call):
            func = anc.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in _STRING_BUILDERS:
                return True
    return False


def _returned(ctx: FileContext, node: ast.Call, sinks: list[str]) -> bool:
    if "return" in sinks:
        return True
    names = {s for s in sinks if s and s != "return"}
    func = ctx.enclosing_function(node)
    if not names or func is None:
        return False
    for ret in ast.walk(func):
        if isinstance(ret, ast.Return) and ret.value is not None:
            if names & set(value_identifiers(ctx, ret.value, depth=2)):
                return True
    return False
