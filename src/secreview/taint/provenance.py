"""Where a value comes from: the one provenance model every rule asks.

The answer is a source kind of the taint engine (`spec.SOURCE_KINDS`: `remote_input`, `socket_input`,
`cli_input`, `env_input`, `file_input`, and any kind added there later), so a rule's question names
kinds as a parameter: `origin(ctx, expr, kinds)`, `origins(ctx, expr)`, `comes_from(ctx, expr, kinds)`.
An `Origin` also says which *part* of the input it is (`PARTS`): a request body or upload (bulk bytes
a client chose), a form field or route capture (a short string), socket bytes, a remote response,
`sys.argv`, stdin, the environment, a file.

Sources are recognised first by the specs (`specs/*.toml`, typed the way the engine types them:
`request.args` of `flask.request` is `flask.Request.args`, `requests.get(u).content` is
`requests.Response.content`), then by the conventions specs cannot express (`provenance_web.py`):
a bare `request` in a module that imports a web framework, WSGI `environ[...]`, Tornado's
`self.get_argument`, route and Django view parameters, `recv` on an untyped socket, HTTP clients
built elsewhere in the class. The walk is local (the enclosing function, a few bindings deep): rules
ask it where the engine computed no flow, at calls that are not taint sinks.

How far a walk goes is the caller's choice: `follow="all"` looks into every sub-expression
(what a parser or a decompressor is given); `follow="carriers"` only into values that still carry
the input's text (`os.path.join(base, name)`, `name.strip()`), not into a helper's result, a
comparison or a count (what a path or URL is built from).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import Source, reaching_value
from secreview.analysis.values import is_literal
from secreview.taint import provenance_reach as reach
from secreview.taint import provenance_web as web
from secreview.taint.provenance_reach import HTTP_METHODS, SESSION_FACTORIES, constructor_of, params_of
from secreview.taint.provenance_web import (  # re-exported: the vocabulary rules ask through this module
    handler_function,
    is_flask_request,
    is_request_object,
    is_route_handler,
    is_web_module,
    is_web_request,
    is_wsgi_body,
    request_attribute,
    request_mapping,
)
from secreview.taint.spec import SOURCE_KINDS

__all__ = [
    "clock_based",
    "is_flask_request", "is_wsgi_body",
    "ALL", "BULK", "CLIENT", "HTTP_METHODS", "NEUTRAL_CALLS", "OPERATOR", "OUTSIDE", "Origin", "PARTS",
    "PATH_NEUTRAL_CALLS", "REMOTE", "SESSION_FACTORIES", "comes_from", "constructor_of", "direct_input",
    "handler_function", "is_parameter", "is_remote_call", "is_request_object", "is_route_handler", "is_web_module",
    "is_web_request", "origin", "origins", "params_of", "read_directly", "request_attribute", "request_mapping",
    "source_of", "strip_wrappers", "supplied", "uncalled_parameter", "web_source",
]

# Kinds that cross a trust boundary for every sink: a network client or peer.
REMOTE = frozenset({"remote_input", "socket_input"})
# The user who runs the program: can already do what the program does.
OPERATOR = frozenset({"cli_input", "env_input"})
# What the former local helpers called "outside data": everything but the contents of files.
ALL = REMOTE | OPERATOR
# Someone other than whoever configured the process: a client, a peer, the person at the command line.
OUTSIDE = REMOTE | {"cli_input"}
assert set(SOURCE_KINDS) >= ALL, "provenance kinds must be taint source kinds"
PARTS = {
    "body": "a request body", "upload": "an uploaded file", "field": "a request field or header",
    "route": "a route or view parameter", "socket": "socket bytes", "response": "a remote response",
    "argv": "the command line", "stdin": "standard input", "environ": "the environment", "file": "a file",
}
# Bulk bytes whose size and shape the sender chose (not a short form field or URL piece).
BULK = frozenset({"body", "upload", "socket", "response"})


@dataclass(frozen=True, slots=True)
class Origin:
    source: Source
    kind: str  # a taint source kind
    part: str  # one of PARTS

    @property
    def external(self) -> bool:
        return self.kind in REMOTE


# Weak-random sources (`weak_random`, taint/specs/stdlib_random.toml) that read the clock or the process id
# rather than a generator: guessable from when the value was made, and harmless as a timestamp.
_CLOCK_SOURCES = ("time.", "datetime.", "os.getpid")


def clock_based(source_name: str) -> bool:
    """Whether a weak-random source (the qualified name a trace's source step names) is the clock."""
    return source_name.startswith(_CLOCK_SOURCES)


def origin(
    ctx: FileContext,
    expr: ast.AST | None,
    kinds: Iterable[str] = ALL,
    *,
    parts: Iterable[str] | None = None,
    stop: Iterable[str] = (),
    follow: str = "all",
    depth: int = 4,
    through_conversions: bool = False,
) -> Origin | None:
    """The first source (in reading order) of one of `kinds` (and `parts`) that flows into `expr` within
    its function. Calls named in `stop` (a qualified name or its last part: `re.escape`, `basename`) are
    not looked into, neither directly nor through names bound to them; nor, unless `through_conversions`
    (a size the client declares is still the client's number), are the calls the specs say make a value
    safe for every sink (`int()`, `len()`, `isinstance()`: what they return carries no text)."""
    kinds, stop = frozenset(kinds), frozenset(stop)
    if not through_conversions:
        stop |= web.clearing_calls()
    wanted = frozenset(parts) if parts is not None else None
    return _walk(ctx, expr, kinds, wanted, stop, follow == "carriers", depth)


def origins(ctx: FileContext, expr: ast.AST | None, follow: str = "all") -> frozenset[str]:
    """Every source kind that flows into `expr`."""
    found: set[str] = set()
    for kind in SOURCE_KINDS:
        if origin(ctx, expr, (kind,), follow=follow) is not None:
            found.add(kind)
    return frozenset(found)


def comes_from(ctx: FileContext, expr: ast.AST | None, kinds: Iterable[str] = ALL, follow: str = "all") -> bool:
    return origin(ctx, expr, kinds, follow=follow) is not None


def _walk(ctx: FileContext, expr: ast.AST | None, kinds: frozenset[str], parts: frozenset[str] | None,
          stop: frozenset[str], carriers: bool, depth: int) -> Origin | None:
    if expr is None or depth < 0:
        return None
    stack: list[ast.AST] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            name = ctx.call_name(node) or ""
            if name in stop or name.rsplit(".", 1)[-1] in stop:
                continue
        found = web.direct(ctx, node)
        if found is not None:
            if found[1] in kinds and (parts is None or found[2] in parts):
                return Origin(*found)
            continue  # a source of another kind: what it holds is that source's, not ours
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            param = web.parameter_source(ctx, node)
            if param is not None:
                if param[1] in kinds and (parts is None or param[2] in parts):
                    return Origin(*param)
                continue
            value = reaching_value(ctx, node)
            if value is not None and value is not expr and not is_literal(value, ctx):
                inner = _walk(ctx, value, kinds, parts, stop, carriers, depth - 1)
                if inner is not None:
                    return inner
            # Values that arrive other than by assignment: bytes written into a file object, and what
            # the file's own calls pass to a helper's parameter.
            more = reach.written_into(ctx, node)
            if value is None and depth > 0:
                more += reach.caller_arguments(ctx, node)
            for extra in more:
                inner = _walk(ctx, extra, kinds, parts, stop, carriers, depth - 1)
                if inner is not None:
                    return inner
            continue
        if carriers:
            if isinstance(node, ast.Compare):
                continue  # a comparison yields a bool, not the text
            if isinstance(node, ast.IfExp):
                stack.extend((node.orelse, node.body))
                continue
            if isinstance(node, ast.Call) and web.opaque_call(ctx, node):
                continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return None


def source_of(
    ctx: FileContext,
    expr: ast.AST | None,
    kinds: Iterable[str] = ALL,
    *,
    parts: Iterable[str] | None = None,
    stop: Iterable[str] = (),
    follow: str = "all",
    through_conversions: bool = False,
) -> Source | None:
    """`origin(...)`'s source (node and description), for rules that only report it."""
    found = origin(ctx, expr, kinds, parts=parts, stop=stop, follow=follow, through_conversions=through_conversions)
    return found.source if found is not None else None


# What a client sends (not a response of a service the code chose to call).
CLIENT = frozenset(PARTS) - {"response", "argv", "stdin", "environ", "file"}
# Calls whose result no longer carries the caller's text: numbers, lengths, hashes, local URL builders.
NEUTRAL_CALLS = frozenset({
    "int", "float", "bool", "len", "hash", "UUID", "url_for", "reverse", "reverse_lazy", "resolve_url", "md5",
    "sha1", "sha256", "hexdigest", "digest", "isdigit", "isalnum", "exists", "isfile", "isdir", "startswith",
    "endswith",
})
PATH_NEUTRAL_CALLS = NEUTRAL_CALLS | {"basename", "secure_filename", "safe_join", "quote", "quote_plus"}


def web_source(ctx: FileContext, expr: ast.AST | None, neutral: frozenset[str] = NEUTRAL_CALLS) -> Source | None:
    """What a client sent that still shapes `expr` as text (a path, a URL, a compared value): the command
    line and the environment are not an attacker's, a helper's result or a count is not the client's
    text, and calls in `neutral` end the search."""
    return source_of(ctx, expr, REMOTE, parts=CLIENT, stop=neutral, follow="carriers")


def is_remote_call(ctx: FileContext, call: ast.Call) -> bool:
    """A call that returns data fetched from a remote server."""
    return reach.remote_call(ctx, call)


# -- what a value *is* (not merely contains) --------------------------------------------------------
_PASS_THROUGH = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "decode", "encode", "casefold"})
_GETTERS = frozenset({"get", "get_argument", "get_query_argument", "get_body_argument", "getvalue", "getfirst",
                      "get_data", "get_json", "read", "pop", "__getitem__"})
_PARSERS = frozenset({"json.loads", "json.load", "yaml.safe_load", "urllib.parse.parse_qs",
                      "urllib.parse.parse_qsl"})


def strip_wrappers(ctx: FileContext, expr: ast.expr) -> ast.expr:
    """`x.strip()`, `str(x)`, `x or 0`: the value that is really there."""
    for _ in range(6):
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in _PASS_THROUGH:
            expr = expr.func.value
        elif isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.str" and len(expr.args) == 1:
            expr = expr.args[0]
        elif isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            expr = expr.values[0]
        else:
            break
    return expr


def direct_input(ctx: FileContext, expr: ast.expr | None, kinds: Iterable[str] = OUTSIDE,
                 depth: int = 3) -> Source | None:
    """The outside value `expr` *is* (not merely contains): `request.args["n"]`, `sys.argv[1]`, a route
    parameter, `input()`, or a local name bound to one of these."""
    kinds = frozenset(kinds)
    if expr is None or depth < 0:
        return None
    expr = strip_wrappers(ctx, expr)
    if isinstance(expr, ast.Name):
        found = origin(ctx, expr, kinds, depth=0)
        if found is not None and found.source.node is expr:
            return found.source  # a route parameter, `from sys import argv`
        return direct_input(ctx, reaching_value(ctx, expr), kinds, depth - 1)
    if isinstance(expr, ast.Subscript):
        return _container(ctx, expr.value, kinds, 2)
    if isinstance(expr, ast.Attribute):
        return _at(ctx, expr, kinds)
    if isinstance(expr, ast.Call):
        if ctx.call_name(expr) == "builtins.input":
            return _at(ctx, expr, kinds)
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in _GETTERS:
            if any(k.arg == "type" for k in expr.keywords):
                return None  # `request.args.get("n", type=int)`: the framework converts it
            return _container(ctx, expr.func.value, kinds, 2)
    return None


def _at(ctx: FileContext, expr: ast.AST, kinds: frozenset[str]) -> Source | None:
    found = origin(ctx, expr, kinds, depth=0)
    return found.source if found is not None else None


def _container(ctx: FileContext, base: ast.expr | None, kinds: frozenset[str], depth: int) -> Source | None:
    """`request.args`, `request.get_json()`, `json.loads(request.data)`, `sys.argv`, or a name bound to one."""
    if base is None or depth < 0:
        return None
    if isinstance(base, ast.Name):
        found = origin(ctx, base, kinds, depth=0)
        if found is not None and found.source.node is base:
            return found.source
        return _container(ctx, reaching_value(ctx, base), kinds, depth - 1)
    if isinstance(base, ast.Attribute):
        return _at(ctx, base, kinds)
    if isinstance(base, ast.Subscript):
        return _container(ctx, base.value, kinds, depth)
    if isinstance(base, ast.Call):
        if isinstance(base.func, ast.Attribute) and base.func.attr in {"get_json", "get_data", "json"}:
            return _at(ctx, base.func, kinds)
        if isinstance(base.func, ast.Attribute) and base.func.attr == "get":
            return _container(ctx, base.func.value, kinds, depth)
        if (ctx.call_name(base) or "") in _PARSERS and base.args:
            return direct_input(ctx, base.args[0], kinds, depth - 1)
    return None


_ACCESSORS = frozenset({"get", "getlist", "getone", "getall", "get_argument", "get_arguments",
                        "get_query_argument", "get_body_argument", "get_json", "get_data", "decode", "strip",
                        "lower", "upper", "title"})


def read_directly(expr: ast.AST, ctx: FileContext | None = None) -> bool:
    """The value is read straight off its container (`request.args.get("q")`, a name, `input()`,
    `sock.recv()`), not derived from it by an arbitrary call (`lookup(request.args["id"]).name`)."""
    while True:
        if isinstance(expr, ast.Call):
            if ctx is not None and web.direct(ctx, expr) is not None:
                return True
            if isinstance(expr.func, ast.Attribute) and expr.func.attr in ("recv", "recvfrom"):
                return True
            if not (isinstance(expr.func, ast.Attribute) and expr.func.attr in _ACCESSORS):
                return False
            expr = expr.func.value
        elif isinstance(expr, (ast.Subscript, ast.Attribute)):
            expr = expr.value
        else:
            return isinstance(expr, ast.Name)


# -- the caller -------------------------------------------------------------------------------------
def is_parameter(ctx: FileContext, expr: ast.AST) -> bool:
    """`expr` is (an attribute or item of) a parameter of its function, not rebound before: data from
    the caller, not a loop counter or an attribute the code computed itself."""
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        expr = expr.value
    if not isinstance(expr, ast.Name) or expr.id in ("self", "cls"):
        return False
    func = ctx.enclosing_function(expr)
    return func is not None and any(a.arg == expr.id for a in params_of(func)) and reaching_value(ctx, expr) is None


def uncalled_parameter(ctx: FileContext, expr: ast.AST) -> FunctionNode | None:
    """The function whose parameter `expr` is, when no code of this module calls it (an entry point
    that a framework or another package calls with data this file cannot see)."""
    if not is_parameter(ctx, expr):
        return None
    func = ctx.enclosing_function(expr)
    assert func is not None
    called = ctx.called_names()
    return None if any(n == func.name or n.endswith("." + func.name) for n in called) else func


def supplied(ctx: FileContext, side: ast.expr) -> bool:
    """A value the caller or the client supplies: a parameter, request data, or something built from
    them (`api_key`, `form.get("csrf")`, `request.headers["X-Sig"]`, `sha256(password)`); not a stored
    attribute such as `user.password_hash`."""
    func = ctx.enclosing_function(side)
    params = {a.arg for a in params_of(func)} - {"self", "cls"} if func is not None else set()
    return _supplied(ctx, side, params, 2)


# Names under which handlers receive client data (`form.get("csrf")`, `headers["X-Sig"]`).
_INPUT_NAMES = frozenset({"request", "req", "headers", "form", "args", "params", "data", "query", "cookies", "body",
                          "payload", "json", "environ", "META", "GET", "POST", "query_params", "match_info"})


def _read_from(side: ast.expr) -> ast.expr | None:
    """What `x[k]`, `x.a` or `x.get(...)` reads from (`x`); None for anything else."""
    if isinstance(side, ast.Call) and isinstance(side.func, ast.Attribute) and side.func.attr == "get":
        return side.func.value
    if isinstance(side, (ast.Subscript, ast.Attribute)):
        return side.value
    return None


def _supplied(ctx: FileContext, side: ast.expr, params: set[str], depth: int) -> bool:
    if origin(ctx, side, ALL) is not None:
        return True
    if isinstance(side, ast.Name):
        if side.id in params:
            return True
        value = reaching_value(ctx, side)
        return value is not None and depth > 0 and _supplied(ctx, value, params, depth - 1)
    base = _read_from(side)
    if base is not None:
        keyed = not isinstance(side, ast.Attribute)
        while isinstance(base, (ast.Subscript, ast.Attribute, ast.Call)):
            if isinstance(base, ast.Attribute) and base.attr in _INPUT_NAMES:
                return True
            base = base.func if isinstance(base, ast.Call) else base.value
        return isinstance(base, ast.Name) and (base.id in _INPUT_NAMES or keyed and base.id in params)
    if isinstance(side, ast.Call):
        func = side.func
        parts = [*side.args, func.value] if isinstance(func, ast.Attribute) else side.args
        return any(_supplied(ctx, a, params, depth) for a in parts)
    if isinstance(side, (ast.BinOp, ast.JoinedStr, ast.FormattedValue)):
        return any(_supplied(ctx, n, params, depth) for n in ast.iter_child_nodes(side) if isinstance(n, ast.expr))
    return False
