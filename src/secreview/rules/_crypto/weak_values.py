"""insecure-random's data-flow policy: which flows of a guessable value (source kind `weak_random`)
into a `secret_bearing` sink are findings, where they are reported, and how sure we are.

- The finding sits on the weak call (where the fix goes: `secrets`), when that call is in the
  reviewed file; the trace shows where the value went. A source in another module leaves the
  finding at the call in this file that receives the value.
- A sink the specs name as a secret by nature (cipher key/IV/nonce, MAC or JWT key, a password
  being hashed) is high confidence. A session entry or a cookie is high when its key or cookie
  name says secret; otherwise medium when the random value was made into text (a token, most
  likely), nothing for a bare pick (`random.choice(VARIANTS)`: an A/B bucket, a colour).
- A named sink (`taint/named.py`: `reset_token = v`, `{"client_secret": v}`, `set_secret(v)`) counts
  only when the name passes the rule's stricter word test; then it is high, or low for a salt alone
  (a salt must be unique, not secret).
- The clock and the process id (`time.time()`, `datetime.now()`, `os.getpid()`) count only as token
  material: formatted into text or hashed where they are read, never as a bare timestamp
  (`session["exp"] = time.time() + 300`), and never into a session entry or cookie whose name does
  not say secret.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from secreview.analysis.context import FileContext
from secreview.analysis.values import module_constant
from secreview.model import Confidence, Severity, TraceStep
from secreview.rules._crypto.identifiers import words_of
from secreview.ruleset import Hit
from secreview.taint.provenance import clock_based

# Whether the value stored under `identifier` (made by `source`, when known) is a secret: the rule's own test.
NamesSecret = Callable[[FileContext, ast.Call | None, str], bool]

_SOURCE_NOTE = re.compile(r"source: `([\w.]+)\(\)`")
_KEY = re.compile(r"""\[\s*(?:b?["'])([^"']+)["']\s*\]""")
_FIRST_STRING = re.compile(r"""\(\s*(?:key\s*=\s*|name\s*=\s*)?["']([^"']+)["']""")
_NAMED = ("assigned:", "keyword:", "dict key:", "called:")
_PICKS = frozenset({"choice", "choices", "sample"})
_COOKIE_CALLS = frozenset({"set_cookie", "set_signed_cookie"})
# Words of a cookie or session key that say the value is a credential, besides `_secret`'s test.
_SECRET_KEY_WORDS = frozenset({"sid", "sessionid", "session", "auth", "remember", "login", "bearer", "authorization",
                               "otp", "code", "pin", "csrf", "xsrf", "token", "key", "secret", "nonce", "reset"})
_LINKS = frozenset({"reset", "invite", "invitation", "activation", "activate", "confirm", "confirmation",
                    "verification", "verify", "magic", "unsubscribe", "recovery", "login"})
_LINK_NOUNS = frozenset({"link", "url", "code", "key", "pin", "otp"})
_STRING_BUILDERS = frozenset({"join", "format", "str", "hex", "hexdigest", "digest", "b64encode",
                              "urlsafe_b64encode", "encode", "md5", "sha1", "sha256", "sha512", "new"})


def weak_flow_hit(hit: Hit, sink: str, ctx: FileContext, names_secret: NamesSecret) -> Hit | None:
    """The rule's hit for one flow, or None; `names_secret(ctx, source_call, identifier)` is the rule's
    word test for named sinks."""
    if not hit.trace:
        return None
    first, last = hit.trace[0], hit.trace[-1]
    found = _SOURCE_NOTE.search(first.note)
    source_name = found.group(1) if found else "random"
    source = source_call(ctx, first) if first.path == ctx.path else None
    node = source if source is not None else hit.node
    clock = clock_based(source_name)
    if clock and (source is None or not token_material(ctx, source)):
        return None  # a timestamp, not token material
    material = source is not None and token_material(ctx, source)
    if _pick(ctx, source, source_name) and not material and (sink.startswith(_NAMED) or _keyed_sink(sink)):
        return None  # a host, a portal, a variant chosen at random: a selection, not a secret
    confidence = _judge(sink, last.snippet, clock, material, ctx, source, names_secret)
    if confidence is None:
        return None
    where = f"{last.path}:{last.line}" if last.path != ctx.path else f"line {last.line}"
    what = _what(sink)
    origin = f"`{source_name}()`" if source is not None else f"`{source_name}()` ({first.path}:{first.line})"
    message = (f"{origin} is predictable, and the value reaches {what} ({where}): "
               f"use `secrets` (token_urlsafe, token_hex, choice) or `os.urandom`.")
    severity = None
    if confidence is Confidence.LOW:
        message = message[:-1] + "; a salt need only be unique, so this is a weak concern."
        severity = Severity.LOW
    return Hit(node, message, trace=hit.trace, confidence=confidence, severity=severity)


def _judge(sink: str, snippet: str, clock: bool, material: bool, ctx: FileContext,
           source: ast.Call | None, names_secret: NamesSecret) -> Confidence | None:
    if sink.startswith(_NAMED):
        where, _, identifier = sink.partition(":")
        if where == "called" and identifier.rpartition(".")[2] in _COOKIE_CALLS:
            return _keyed(_cookie_name(snippet), clock, material)
        words = set(words_of(identifier))
        if words and words <= {"salt", "salts", "salted"} | {w for w in words if len(w) < 2}:
            return Confidence.LOW
        if words & {"salt", "salts", "salted"} and not (words & _SECRET_KEY_WORDS - {"key"}):
            return Confidence.LOW
        if names_secret(ctx, source, identifier) or _link(words):
            return Confidence.HIGH
        return None
    method = sink.rpartition(".")[2]
    if method in _COOKIE_CALLS:
        return _keyed(_cookie_name(snippet), clock, material)
    if method in ("__setitem__", "setdefault") and "session" in sink.lower():
        match = _KEY.search(snippet)
        return _keyed(match.group(1) if match else "", clock, material)
    return Confidence.HIGH  # a key, IV, nonce, MAC/JWT secret or password the specs name


def _keyed(name: str, clock: bool, material: bool) -> Confidence | None:
    """A session entry or cookie: its name says how sure we are that the value is a credential; else
    a random value made into text (`str(random.random())`, a joined string) is probably a token
    (medium), a bare pick (`random.choice(VARIANTS)`, an A/B bucket) probably not (no finding)."""
    words = set(words_of(name))
    if words & _SECRET_KEY_WORDS or _link(words):
        return Confidence.HIGH
    return Confidence.MEDIUM if material and not clock else None


def _link(words: set[str]) -> bool:
    """`reset_link`, `invite_url`, `activation_code`, `bearer`, `Authorization`."""
    return bool(words & {"bearer", "authorization"}) or bool(words & _LINKS and words & _LINK_NOUNS)


def _cookie_name(snippet: str) -> str:
    match = _FIRST_STRING.search(snippet[snippet.find("set_"):] if "set_" in snippet else snippet)
    return match.group(1) if match else ""


def _what(sink: str) -> str:
    if sink.startswith(_NAMED):
        where, _, identifier = sink.partition(":")
        return {"assigned": f"`{identifier}`", "keyword": f"the argument `{identifier}=`",
                "dict key": f"the entry `{identifier!r}`", "called": f"`{identifier}()`"}[where]
    method = sink.rpartition(".")[2]
    if method in _COOKIE_CALLS:
        return "a cookie"
    if method in ("__setitem__", "setdefault"):
        return "the session"
    return f"`{sink}`"


def source_call(ctx: FileContext, first: TraceStep) -> ast.Call | None:
    """The call the trace starts at, in this file: the one at its column, and of the name its note gives
    (`hashlib.sha256(...).hexdigest()`: both calls start at the same column)."""
    text = ctx.line_text(first.line)
    found = _SOURCE_NOTE.search(first.note)
    named = found.group(1) if found else ""
    at_column = []
    for call in ctx.calls_on_line(first.line):
        offset = call.col_offset
        column = offset + 1 if text.isascii() else ctx.char_column(first.line, offset)
        if column == first.column:
            at_column.append(call)
    return next((c for c in at_column if ctx.call_name(c) == named), at_column[-1] if at_column else None)


def token_material(ctx: FileContext, call: ast.Call) -> bool:
    """The clock is read to make text (formatted, joined, hashed, encoded), not kept as a number."""
    child: ast.AST = call
    for anc in ctx.ancestors(call):
        if isinstance(anc, ast.stmt):
            return False
        if isinstance(anc, ast.JoinedStr) or (isinstance(anc, ast.Attribute) and anc.attr in ("hex", "urn")):
            return True
        if isinstance(anc, ast.BinOp) and isinstance(anc.op, (ast.Mod, ast.Add)) and any(
                isinstance(side, ast.Constant) and isinstance(side.value, str) for side in (anc.left, anc.right)):
            return True
        if isinstance(anc, ast.Call) and child is not anc.func:
            func = anc.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in _STRING_BUILDERS:
                return True
        child = anc
    return False


def _keyed_sink(sink: str) -> bool:
    method = sink.rpartition(".")[2]
    return method in _COOKIE_CALLS or (method in ("__setitem__", "setdefault") and "session" in sink.lower())


def _pick(ctx: FileContext, source: ast.Call | None, name: str) -> bool:
    """`random.choice(hosts)`: one of the program's own values, not characters drawn for a token (an
    alphabet: a string literal, `string.*`, or a constant built from them)."""
    if source is None or name.rpartition(".")[2] not in _PICKS or not source.args:
        return False
    population = source.args[0]
    if isinstance(population, ast.Name):
        population = module_constant(ctx, population.id) or population
    for node in ast.walk(population):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return False
        if (ctx.qualname(node) or "").startswith("string."):
            return False
    return True
