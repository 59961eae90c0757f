"""Named sinks: a value whose *name* says it must be unguessable (sink kind `secret_bearing`).

No spec can list every place a program keeps a token: `user.reset_token = v`,
`headers["X-CSRF-Token"] = v`, `create(api_key=v)`, `{"client_secret": v}`, `set_secret(v)`.
The engine treats each as a sink of kind `secret_bearing` whose `call` records where and which
name (`keyword:api_key`), so the trace shows where the value came from and the rule
(`insecure-random`) makes the final, finer judgement of the name.

Only guessable values (`spec.WEAK_SOURCES`) and parameters (for summaries) are followed
into named sinks: every other source kind has real sinks, and a client's token stored under
a token name is no defect.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from secreview.taint.labels import Label, is_param
from secreview.taint.spec import WEAK_SOURCES, Sink

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
# Broad on purpose (the rule narrows): a word that may name a secret-bearing value.
_WORDS = frozenset({
    "token", "tokens", "secret", "secrets", "password", "passwd", "pwd", "passphrase", "otp", "totp", "hotp",
    "nonce", "csrf", "xsrf", "key", "iv", "salt", "sid", "sessionid", "session", "auth", "authorization", "bearer",
    "credential", "credentials", "apikey", "reset", "code", "pin", "signature", "hmac", "invite", "invitation",
    "activation", "verification", "confirm", "confirmation", "magic", "remember", "cookie", "passcode",
})
KINDS = ("assigned", "keyword", "dict key", "called")


def names_secret(identifier: str) -> bool:
    return any(w.lower() in _WORDS for w in _WORD.findall(identifier))


def weak_part(label: Label) -> Label:
    """The origins a named sink follows: guessable values, and parameters (a helper's summary)."""
    if not label:
        return label
    return {key: trace for key, trace in label.items() if key[0] in WEAK_SOURCES or is_param(key[0])}


@lru_cache(maxsize=4096)
def named_sink(where: str, identifier: str) -> Sink:
    """The sink entry of one named place: `call` is `<where>:<identifier>` (what the rule reads)."""
    note = {"assigned": f"assigned to `{identifier}`", "keyword": f"passed as `{identifier}=`",
            "dict key": f"stored under `{identifier!r}`", "called": f"passed to `{identifier}()`"}[where]
    return Sink(library="names", kind="secret_bearing", call=f"{where}:{identifier}", args=(0,), note=note)


def identifier_of(target: ast.AST) -> str:
    """The name an assignment target gives its value: `x`, `obj.x`, `d["x"]`; else ""."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
            and isinstance(target.slice.value, str):
        return target.slice.value
    return ""


def called_name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def at_node(at: ast.AST, value: ast.AST) -> ast.Call:
    """A call-shaped node for the flow (sinks are calls), located at `at`, whose argument is `value` when
    that is an expression. It has none when a statement stands for the value (`x += v`, a `for` target):
    only the node's place is read, by the report and the rules."""
    func = ast.copy_location(ast.Name(id="<named>", ctx=ast.Load()), at)
    args = [value] if isinstance(value, ast.expr) else []
    return ast.copy_location(ast.Call(func=func, args=args, keywords=[]), at)
