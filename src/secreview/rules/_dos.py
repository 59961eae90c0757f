"""Private helpers for the denial-of-service and deserialization rules (SR5xx).

- `find_origin`: local provenance like `flow.external_source`, with the kind of
  the source ("request", "upload", "route", "socket", "remote", "cli", "env",
  "stdin"), sanitizer calls that stop the search, remote responses bound to a
  name (`resp = requests.get(u); resp.content`), WSGI `environ["wsgi.input"]`,
  `self.rfile` and FastAPI `UploadFile` parameters.
- `constructor_of`: which call built an object (`s = requests.Session()`,
  `with requests.Session() as s`, `self.s = requests.Session()` in the class).
- `redos_witness`: exponential-backtracking analysis of a regular expression,
  done on the stdlib parser's tree (the pattern is never compiled or run).
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from functools import lru_cache

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import (
    REQUEST_ATTRS,
    REQUEST_OBJECTS,
    Source,
    is_route_handler,
    reaching_value,
)
from secreview.analysis.values import is_literal, module_constant

try:  # Python 3.11+: the parser lives in re._parser (sre_parse warns on import there)
    from re import _parser as _sre  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre  # type: ignore[no-redef]

# -- provenance ---------------------------------------------------------------------------

EXTERNAL = frozenset({"request", "field", "upload", "route", "socket", "remote"})
# raw bytes sent by a client or a peer (not a form field or URL piece, which are short strings)
PAYLOAD = frozenset({"request", "upload", "socket", "remote"})
_BODY_ATTRS = frozenset(
    {
        "data",
        "body",
        "stream",
        "get_data",
        "files",
        "FILES",
        "read",
        "content",
        "text",
        "body_file",
        "raw_post_data",
        "input_stream",
    }
)
OPERATOR = frozenset({"cli", "env", "stdin"})
_ENV_AND_CLI = {
    "sys.argv": ("cli", "the command line (sys.argv)"),
    "os.environ": ("env", "the environment (os.environ)"),
    "os.getenv": ("env", "the environment (os.getenv)"),
    "os.environb": ("env", "the environment (os.environb)"),
    "builtins.input": ("stdin", "standard input (input())"),
    "sys.stdin": ("stdin", "standard input (sys.stdin)"),
}
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send"})
_REMOTE_FUNCS = frozenset(
    {f"requests.{m}" for m in HTTP_METHODS - {"send"}}
    | {f"httpx.{m}" for m in HTTP_METHODS - {"send"}}
    | {"urllib.request.urlopen", "urllib2.urlopen", "six.moves.urllib.request.urlopen", "httpx.stream"}
)
SESSION_FACTORIES = frozenset({"requests.Session", "requests.session", "requests.sessions.Session"})
_CLIENT_FACTORIES = SESSION_FACTORIES | {
    "httpx.Client",
    "httpx.AsyncClient",
    "urllib3.PoolManager",
    "urllib3.poolmanager.PoolManager",
}
_CONNECTIONS = frozenset(
    {
        "http.client.HTTPConnection",
        "http.client.HTTPSConnection",
        "httplib.HTTPConnection",
        "httplib.HTTPSConnection",
    }
)
_SOCKET_READS = frozenset({"recv", "recvfrom", "recv_into", "recvfrom_into", "recvmsg"})
_WSGI_KEYS = ("wsgi.input", "QUERY_STRING", "PATH_INFO", "HTTP_")
_CLIENT_MODULES = ("requests.", "urllib.", "urllib3.", "httpx.", "aiohttp.ClientRequest", "botocore.")
_UPLOAD_TYPES = ("UploadFile", "FileStorage", "UploadedFile", "InMemoryUploadedFile")


@dataclass(frozen=True, slots=True)
class Origin:
    source: Source
    kind: str

    @property
    def external(self) -> bool:
        return self.kind in EXTERNAL


def find_origin(
    ctx: FileContext,
    expr: ast.AST | None,
    kinds: frozenset[str] = EXTERNAL,
    stop: frozenset[str] = frozenset(),
    depth: int = 4,
) -> Origin | None:
    """The first source of one of `kinds` flowing into `expr` in its function.

    Calls whose qualified name is in `stop` (sanitizers such as `re.escape`) are not
    looked into, neither directly nor through the names bound to them.
    """
    if expr is None or depth < 0:
        return None
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call) and ctx.call_name(node) in stop:
            continue
        found = _direct(ctx, node)
        if found is not None and found.kind in kinds:
            return found
        if found is None and isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            param = _parameter_source(ctx, node)
            if param is not None:
                if param.kind in kinds:
                    return param
                continue
            value = reaching_value(ctx, node)
            if value is not None and value is not expr and not is_literal(value, ctx):
                inner = find_origin(ctx, value, kinds, stop, depth - 1)
                if inner is not None:
                    return inner
        if found is None:
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return None


def _direct(ctx: FileContext, node: ast.AST) -> Origin | None:
    if isinstance(node, ast.Attribute):
        base = ctx.qualname(node.value)
        if base in REQUEST_OBJECTS and node.attr in REQUEST_ATTRS and not _rebound_locally(ctx, node.value):
            kind = (
                "upload"
                if node.attr in {"files", "FILES"}
                else "request"
                if node.attr in _BODY_ATTRS
                else "field"
            )
            return Origin(Source(node, f"request data ({ctx.segment(node) or node.attr})"), kind)
        if node.attr == "rfile" and base == "self":
            return Origin(Source(node, "the HTTP request body (self.rfile)"), "request")
        qualified = ctx.qualname(node)
        if qualified in _ENV_AND_CLI:
            kind, text = _ENV_AND_CLI[qualified]
            return Origin(Source(node, text), kind)
    elif isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.startswith(_WSGI_KEYS):
            base = ctx.qualname(node.value) or ""
            if base.rsplit(".", 1)[-1] in {"environ", "env"} and base != "os.environ":
                return Origin(Source(node, f"the WSGI request ({ctx.segment(node)})"), "request")
    elif isinstance(node, ast.Call):
        name = ctx.call_name(node) or ""
        if name in _ENV_AND_CLI:
            kind, text = _ENV_AND_CLI[name]
            return Origin(Source(node, text), kind)
        if isinstance(node.func, ast.Attribute) and node.func.attr in _SOCKET_READS:
            return Origin(Source(node, "data read from a socket"), "socket")
        if is_remote_call(ctx, node):
            label = name or ctx.segment(node.func)
            return Origin(Source(node, f"a remote HTTP response ({label})"), "remote")
    elif isinstance(node, ast.Name) and ctx.qualname(node) in _ENV_AND_CLI:
        kind, text = _ENV_AND_CLI[ctx.qualname(node)]  # type: ignore[index]
        return Origin(Source(node, text), kind)
    return None


def _rebound_locally(ctx: FileContext, base: ast.expr) -> bool:
    """`request = urllib.request.Request(url)` or `def match(request: PreparedRequest)`:
    an outgoing request object that merely shares the name of the incoming one."""
    if not isinstance(base, ast.Name):
        return False
    func = ctx.enclosing_function(base)
    if func is None:
        return False
    arg = next((a for a in _params(func) if a.arg == base.id), None)
    if arg is not None and arg.annotation is not None:
        annotation = ctx.qualname(arg.annotation) or ""
        if annotation.startswith(_CLIENT_MODULES) or annotation.endswith("PreparedRequest"):
            return True
    value = reaching_value(ctx, base)
    return value is not None and not _is_request_like(ctx, value)


def _is_request_like(ctx: FileContext, value: ast.expr) -> bool:
    name = ctx.qualname(value) or ""
    return name in REQUEST_OBJECTS or name.endswith("request")


def is_remote_call(ctx: FileContext, call: ast.Call) -> bool:
    """A call that returns data fetched from a remote server."""
    name = ctx.call_name(call) or ""
    if name in _REMOTE_FUNCS:
        return True
    if not isinstance(call.func, ast.Attribute):
        return False
    made_by = constructor_of(ctx, call.func.value)
    if call.func.attr in HTTP_METHODS | {"stream", "urlopen"} and made_by in _CLIENT_FACTORIES:
        return True
    return call.func.attr == "getresponse" and made_by in _CONNECTIONS


def constructor_of(ctx: FileContext, expr: ast.AST) -> str | None:
    """The qualified name of the call that created the object `expr` refers to."""
    if isinstance(expr, ast.Call):
        return ctx.call_name(expr)
    if isinstance(expr, ast.Name):
        value = reaching_value(ctx, expr)
        return ctx.call_name(value) if isinstance(value, ast.Call) else None
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        cls = ctx.enclosing_class(expr)
        if cls is None:
            return None
        made = ctx.memo("dos-self-attrs", cls, lambda: _self_constructors(ctx, cls))
        return made.get(expr.attr)
    return None


def _self_constructors(ctx: FileContext, cls: ast.ClassDef) -> dict[str, str | None]:
    """`self.x = f(...)` anywhere in the class: x -> f when every binding agrees."""
    found: dict[str, set[str | None]] = {}
    for node in ast.walk(cls):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    name = ctx.call_name(node.value) if isinstance(node.value, ast.Call) else None
                    found.setdefault(target.attr, set()).add(name)
    for stmt in cls.body:  # class attribute `session = requests.Session()`
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, set()).add(ctx.call_name(stmt.value))
    return {attr: names.pop() if len(names) == 1 else None for attr, names in found.items()}


def _parameter_source(ctx: FileContext, name: ast.Name) -> Origin | None:
    func = ctx.enclosing_function(name)
    if func is None or name.id in {"self", "cls"}:
        return None
    arg = next((a for a in _params(func) if a.arg == name.id), None)
    if arg is None or reaching_value(ctx, name) is not None:
        return None
    annotation = ctx.qualname(arg.annotation) if arg.annotation is not None else ""
    if annotation and annotation.rsplit(".", 1)[-1] in _UPLOAD_TYPES:
        return Origin(Source(name, f"the uploaded file `{name.id}` of `{func.name}()`"), "upload")
    if name.id not in {"request", "req"} and is_route_handler(ctx, func):
        return Origin(Source(name, f"the route parameter `{name.id}` of `{func.name}()`"), "route")
    return None


def _params(func: FunctionNode) -> list[ast.arg]:
    args = func.args
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]


def params_of(func: FunctionNode) -> list[ast.arg]:
    return _params(func)


# -- regular expressions ------------------------------------------------------------------

REGEX_MODULES = ("re", "regex")
# function -> position of the `flags` argument (the pattern is always first)
REGEX_FUNCS = {
    "compile": 1,
    "match": 2,
    "search": 2,
    "fullmatch": 2,
    "findall": 2,
    "finditer": 2,
    "sub": 4,
    "subn": 4,
    "split": 3,
}
UNANCHORED_METHODS = frozenset({"match", "search", "findall", "finditer", "sub", "subn", "split"})


def regex_call(ctx: FileContext, call: ast.Call) -> tuple[str, str] | None:
    """("re", "search") for a module-level regex function call, else None."""
    name = ctx.call_name(call) or ""
    module, _, func = name.rpartition(".")
    if module in REGEX_MODULES and func in REGEX_FUNCS:
        return module, func
    return None


def regex_flags(ctx: FileContext, expr: ast.AST | None, _depth: int = 0) -> int | None:
    """The value of a flags expression built from `re.X` constants and `|`; None if unknown."""
    if expr is None:
        return 0
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return expr.value
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.BitOr, ast.Add)):
        left, right = regex_flags(ctx, expr.left, _depth), regex_flags(ctx, expr.right, _depth)
        return None if left is None or right is None else left | right
    if isinstance(expr, ast.Name) and _depth < 4:
        value = module_constant(ctx, expr.id)
        if value is not None:
            return regex_flags(ctx, value, _depth + 1)
    name = ctx.qualname(expr) or ""
    module, _, flag = name.rpartition(".")
    if module in REGEX_MODULES or module in {"re.RegexFlag", "regex.RegexFlag"}:
        value = _FLAG_NAMES.get(flag)
        return value if value is not None else None
    return None


_FLAG_NAMES = {
    "I": _sre.SRE_FLAG_IGNORECASE,
    "IGNORECASE": _sre.SRE_FLAG_IGNORECASE,
    "M": _sre.SRE_FLAG_MULTILINE,
    "MULTILINE": _sre.SRE_FLAG_MULTILINE,
    "S": _sre.SRE_FLAG_DOTALL,
    "DOTALL": _sre.SRE_FLAG_DOTALL,
    "X": _sre.SRE_FLAG_VERBOSE,
    "VERBOSE": _sre.SRE_FLAG_VERBOSE,
    "A": _sre.SRE_FLAG_ASCII,
    "ASCII": _sre.SRE_FLAG_ASCII,
    "U": _sre.SRE_FLAG_UNICODE,
    "UNICODE": _sre.SRE_FLAG_UNICODE,
    "L": 0,
    "LOCALE": 0,
    "DEBUG": 0,
    "T": 0,
    "TEMPLATE": 0,
    "NOFLAG": 0,
    "V0": 0,
    "VERSION0": 0,
    "V1": 0,
    "VERSION1": 0,
    "B": 0,
    "BESTMATCH": 0,
    "E": 0,
    "ENHANCEMATCH": 0,
    "F": 0,
    "FULLCASE": 0,
    "P": 0,
    "POSIX": 0,
    "R": 0,
    "REVERSE": 0,
    "W": 0,
    "WORD": 0,
}


def literal_string(ctx: FileContext, expr: ast.AST | None, _depth: int = 0) -> str | bytes | None:
    """The text of a string built only from literals (concatenation, module constants, local names)."""
    if expr is None or _depth > 6:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (str, bytes)):
        return expr.value
    if isinstance(expr, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in expr.values):
        return "".join(str(v.value) for v in expr.values)  # type: ignore[attr-defined]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = literal_string(ctx, expr.left, _depth + 1), literal_string(ctx, expr.right, _depth + 1)
        if (
            isinstance(left, str)
            and isinstance(right, str)
            or isinstance(left, bytes)
            and isinstance(right, bytes)
        ):
            return left + right  # type: ignore[operator]
        return None
    if isinstance(expr, ast.Name):
        value = reaching_value(ctx, expr)
        if value is None and ctx.enclosing_function(expr) is None:
            value = module_constant(ctx, expr.id)
        if value is not None and value is not expr:
            return literal_string(ctx, value, _depth + 1)
    return None


@dataclass(frozen=True, slots=True)
class Redos:
    prefix: str  # text that leads into the ambiguous loop
    pump: str  # text the loop can match in two different ways; repeating it doubles the work
    suffix: str  # a last character that makes every way fail


def redos_witness(pattern: str | bytes, flags: int, whole: bool) -> Redos | None:
    """Exponential backtracking in `pattern`, or None.

    `whole` says the match must cover the whole input (`fullmatch`, or an unknown
    use of a compiled pattern); otherwise an ambiguous loop counts only when what
    follows it can fail (`$`, a required character), since an unanchored match
    succeeds as soon as the loop stops.
    """
    if len(pattern) > 4000:
        return None
    return _analyse(pattern, flags, whole)


@lru_cache(maxsize=4096)
def _analyse(pattern: str | bytes, flags: int, whole: bool) -> Redos | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = _sre.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - any parse failure: not ours to judge (regex-module syntax...)
        return None
    try:
        auto = _Glushkov(parsed, isinstance(pattern, bytes))
        return auto.witness(whole)
    except (_TooBig, RecursionError):
        return None


class _TooBig(Exception):
    pass


_MAX_POSITIONS = 600
_MAX_STATES = 20_000
_MAX_WORK = 300_000  # pair-edge checks: keeps the worst pattern well under a second
_UNROLL = 4  # {m,n} with n <= _UNROLL is unrolled; larger bounds behave like a loop
_REPRESENTATIVES = "\u00a0\u00e9\u00c9\u0663\u4e2d\u2028\u0394\u03b4\uffff\U0001f600"


def _op(name: str) -> object:
    return getattr(_sre, name, object())


_LITERAL, _NOT_LITERAL, _ANY, _IN = _op("LITERAL"), _op("NOT_LITERAL"), _op("ANY"), _op("IN")
_RANGE, _CATEGORY, _NEGATE = _op("RANGE"), _op("CATEGORY"), _op("NEGATE")
_BRANCH, _SUBPATTERN, _AT = _op("BRANCH"), _op("SUBPATTERN"), _op("AT")
_MAX_REPEAT, _MIN_REPEAT, _POSSESSIVE = _op("MAX_REPEAT"), _op("MIN_REPEAT"), _op("POSSESSIVE_REPEAT")
_ATOMIC, _ASSERT, _ASSERT_NOT = _op("ATOMIC_GROUP"), _op("ASSERT"), _op("ASSERT_NOT")
_GROUPREF, _GROUPREF_EXISTS = _op("GROUPREF"), _op("GROUPREF_EXISTS")
_FAILING_AT = {_op("AT_END"), _op("AT_END_STRING")}
_IGNORECASE, _DOTALL, _ASCII = _sre.SRE_FLAG_IGNORECASE, _sre.SRE_FLAG_DOTALL, _sre.SRE_FLAG_ASCII


def _cap(n: int) -> int:
    return 2 if n > 2 else n


def _add(target: dict[int, int], pos: int, count: int) -> None:
    if count:
        target[pos] = _cap(target.get(pos, 0) + count)


@dataclass
class _Frag:
    null: int  # how many ways it matches the empty string (capped at 2)
    first: dict[int, int]
    last: dict[int, int]


class _Glushkov:
    """A position automaton that keeps edge multiplicities: two ways through the
    pattern between the same positions are two edges, as a backtracking matcher
    tries both."""

    def __init__(self, parsed, is_bytes: bool) -> None:  # noqa: ANN001 - sre SubPattern
        self.is_bytes = is_bytes
        self.flags = parsed.state.flags
        self.universe = self._universe(parsed)
        self.masks: list[int] = [0]
        self.follow: list[dict[int, int]] = [{}]
        self.counted: set[int] = set()
        self.loops = 0
        self.opaque: set[int] = set()
        self.all = (1 << len(self.universe)) - 1
        self._where = {code: i for i, code in enumerate(self.universe)}
        whole = self.build(parsed, self.flags)
        self.follow[0] = dict(whole.first)
        self.final = (set(whole.last) - self.counted) | ({0} if whole.null else set())

    # -- alphabet ------------------------------------------------------------------------
    def _universe(self, parsed) -> list[int]:  # noqa: ANN001
        if self.is_bytes:
            return list(range(256))
        codes = set(range(128)) | {ord(c) for c in _REPRESENTATIVES}
        stack = [parsed]
        while stack:
            item = stack.pop()
            if isinstance(item, (list, tuple)):
                if len(item) == 2 and item[0] in (_LITERAL, _NOT_LITERAL) and isinstance(item[1], int):
                    codes.add(item[1])
                elif len(item) == 2 and item[0] is _RANGE:
                    codes.update(item[1])
                else:
                    stack.extend(item)
            elif hasattr(item, "data"):
                stack.extend(item.data)
        extra = set()
        for code in codes:
            if code < 0x110000:
                ch = chr(code)
                extra.update(ord(c) for c in (ch.lower(), ch.upper()) if len(c) == 1)
        return sorted(codes | extra)

    def _mask(self, test) -> int:  # noqa: ANN001 - predicate on a code point
        mask = 0
        for i, code in enumerate(self.universe):
            if test(code):
                mask |= 1 << i
        return mask

    def _category(self, cat, flags: int):  # noqa: ANN001, ANN202
        name = str(cat).upper()
        ascii_only = self.is_bytes or bool(flags & _ASCII)

        def digit(c: int) -> bool:
            return 48 <= c <= 57 if ascii_only else chr(c).isdecimal()

        def space(c: int) -> bool:
            return c in (9, 10, 11, 12, 13, 32) or (not ascii_only and chr(c).isspace())

        def word(c: int) -> bool:
            if ascii_only:
                return c < 128 and (chr(c).isalnum() or c == 95)
            return chr(c).isalnum() or c == 95

        base = digit if "DIGIT" in name else space if "SPACE" in name else word if "WORD" in name else None
        if base is None:  # linebreak categories
            base = lambda c: c == 10  # noqa: E731
        return (lambda c: not base(c)) if "NOT" in name else base

    def _char_mask(self, op, av, flags: int) -> int:  # noqa: ANN001
        fold = bool(flags & _IGNORECASE)
        if op is _LITERAL:
            return self._mask(lambda c: _same(c, av, fold))
        if op is _NOT_LITERAL:
            return self.all & ~self._mask(lambda c: _same(c, av, fold))
        if op is _ANY:
            return self.all if flags & _DOTALL else self.all & ~self._mask(lambda c: c == 10)
        # IN
        tests = []
        negate = False
        for kind, value in av:
            if kind is _NEGATE:
                negate = True
            elif kind is _LITERAL:
                tests.append(lambda c, v=value: _same(c, v, fold))
            elif kind is _RANGE:
                lo, hi = value
                tests.append(lambda c, lo=lo, hi=hi: any(lo <= x <= hi for x in _variants(c, fold)))
            elif kind is _CATEGORY:
                tests.append(self._category(value, flags))
            else:
                tests.append(lambda c: True)
        mask = self._mask(lambda c: any(t(c) for t in tests))
        return self.all & ~mask if negate else mask

    # -- construction --------------------------------------------------------------------
    def position(self, mask: int) -> _Frag:
        if len(self.masks) > _MAX_POSITIONS:
            raise _TooBig
        self.masks.append(mask)
        self.follow.append({})
        pos = len(self.masks) - 1
        return _Frag(0, {pos: 1}, {pos: 1})

    def link(self, last: dict[int, int], first: dict[int, int]) -> None:
        for a, ca in last.items():
            for b, cb in first.items():
                _add(self.follow[a], b, ca * cb)

    def seq(self, frags: list[_Frag]) -> _Frag:
        result = _Frag(1, {}, {})
        for frag in frags:
            self.link(result.last, frag.first)
            first = dict(result.first)
            for pos, count in frag.first.items():
                _add(first, pos, result.null * count)
            last = dict(frag.last)
            for pos, count in result.last.items():
                _add(last, pos, frag.null * count)
            result = _Frag(_cap(result.null * frag.null), first, last)
        return result

    def alt(self, frags: list[_Frag]) -> _Frag:
        result = _Frag(0, {}, {})
        for frag in frags:
            for pos, count in frag.first.items():
                _add(result.first, pos, count)
            for pos, count in frag.last.items():
                _add(result.last, pos, count)
            result.null = _cap(result.null + frag.null)
        return result

    def optional(self, frag: _Frag) -> _Frag:
        return _Frag(_cap(frag.null + 1), frag.first, frag.last)

    def build(self, sub, flags: int) -> _Frag:  # noqa: ANN001 - sre SubPattern or list of items
        items = sub.data if hasattr(sub, "data") else sub
        return self.seq([self.item(op, av, flags) for op, av in items])

    def item(self, op, av, flags: int) -> _Frag:  # noqa: ANN001, C901
        if op in (_LITERAL, _NOT_LITERAL, _ANY, _IN):
            return self.position(self._char_mask(op, av, flags))
        if op is _BRANCH:
            return self.alt([self.build(branch, flags) for branch in av[1]])
        if op is _SUBPATTERN:
            add, remove, body = av[1], av[2], av[3]
            return self.build(body, (flags | add) & ~remove)
        if op in (_MAX_REPEAT, _MIN_REPEAT):
            return self.repeat(av[0], av[1], av[2], flags)
        if op in (_POSSESSIVE, _ATOMIC):  # no backtracking into it: one opaque step
            body = av[2] if op is _POSSESSIVE else av
            frag = self.position(self._chars(body, flags) or self.all)
            return self.optional(frag) if op is _POSSESSIVE and av[0] == 0 else frag
        if op is _AT:
            return self.position(0) if av in _FAILING_AT else _Frag(1, {}, {})
        if op is _GROUPREF:
            frag = self.position(self.all)
            self.opaque.update(frag.first)
            return frag
        if op is _GROUPREF_EXISTS:
            yes = self.build(av[1], flags)
            no = self.build(av[2], flags) if av[2] is not None else _Frag(1, {}, {})
            return self.alt([yes, no])
        return _Frag(1, {}, {})  # lookarounds and anything else: zero-width

    def repeat(self, low: int, high: int, body, flags: int) -> _Frag:  # noqa: ANN001
        if high == 0:
            return _Frag(1, {}, {})
        if high == 1:
            frag = self.build(body, flags)
            return self.optional(frag) if low == 0 else frag
        if high != _sre.MAXREPEAT and (high <= _UNROLL or not _unbounded(body)):
            # a bounded count of a bounded body matches bounded text: no loop to pump
            copies = [self.build(body, flags) for _ in range(min(high, _UNROLL))]
            low = min(low, _UNROLL)
            mandatory, optional = copies[:low], copies[low:]
            tail: _Frag | None = None
            for frag in reversed(optional):
                tail = self.optional(self.seq([frag, tail]) if tail else frag)
            return self.seq(mandatory + ([tail] if tail else []))
        start, loops = len(self.masks), self.loops
        frag = self.build(body, flags)
        self.link(frag.last, frag.first)
        if low > 2 and self.loops > loops:
            # `(.*a){20}`: leaving early is no match, and each round's own loop can grow
            self.counted.update(range(start, len(self.masks)))
        self.loops += 1
        return self.optional(frag) if low == 0 else frag

    def _chars(self, sub, flags: int) -> int:  # noqa: ANN001
        mask = 0
        items = sub.data if hasattr(sub, "data") else sub
        for op, av in items:
            if op in (_LITERAL, _NOT_LITERAL, _ANY, _IN):
                mask |= self._char_mask(op, av, flags)
            elif op is _BRANCH:
                for branch in av[1]:
                    mask |= self._chars(branch, flags)
            elif op is _SUBPATTERN:
                mask |= self._chars(av[3], flags)
            elif op in (_MAX_REPEAT, _MIN_REPEAT, _POSSESSIVE):
                mask |= self._chars(av[2], flags)
            elif op is _ATOMIC:
                mask |= self._chars(av, flags)
        return mask

    # -- ambiguity -----------------------------------------------------------------------
    def witness(self, whole: bool) -> Redos | None:
        """Two different ways around the same loop on the same text: a strongly connected
        component of the pair automaton holding a pair (p, p) and a non-diagonal edge."""
        masks, follow = self.masks, self.follow
        index: dict[tuple[int, int], int] = {(0, 0): 0}
        states = [(0, 0)]
        edges: list[list[tuple[int, bool]]] = [[]]
        i = 0
        work = 0
        while i < len(states):
            p, q = states[i]
            work += len(follow[p]) * len(follow[q])
            if work > _MAX_WORK:
                raise _TooBig
            for a, ca in follow[p].items():
                for b in follow[q]:
                    if not masks[a] & masks[b]:
                        continue
                    target = (a, b)
                    if target not in index:
                        if len(states) >= _MAX_STATES:
                            raise _TooBig
                        index[target] = len(states)
                        states.append(target)
                        edges.append([])
                    off = p != q or a != b or ca > 1
                    edges[i].append((index[target], off))
            i += 1
        for component in _components(edges):
            members = set(component)
            diagonal = [s for s in component if states[s][0] == states[s][1]]
            if not diagonal:
                continue
            ambiguous = any(states[s][0] != states[s][1] for s in component) or any(
                off and t in members for s in component for t, off in edges[s]
            )
            if not ambiguous or any(pos in self.opaque for s in component for pos in states[s]):
                continue
            for start in diagonal[:4]:
                pump = self._pump(states, edges, start, members)
                if not pump:
                    continue
                prefix = self._prefix(states, edges, start)
                kill = self._kill(prefix, pump, whole)
                if kill is not None:
                    return Redos(prefix=prefix, pump=pump, suffix=kill)
        return None

    # -- is the ambiguity reachable by a failing input? -----------------------------------
    def _step(self, current: set[int], char: str) -> set[int]:
        bit = self._where.get(ord(char))
        if bit is None:
            return set()
        return {b for a in current for b in self.follow[a] if self.masks[b] >> bit & 1}

    def _accepts_at_end(self, current: set[int]) -> bool:
        """A state that is final, or followed by a final `$` (zero-width) position."""
        for a in current:
            if a in self.final:
                return True
            if any(self.masks[b] == 0 and b in self.final for b in self.follow[a]):
                return True
        return False

    def _kill(self, prefix: str, pump: str, whole: bool) -> str | None:
        """A last character that makes every path fail, so the matcher tries them all.

        For an unanchored match (`search`, `match`, `sub`...), no state met while the
        pump repeats may be final either: the matcher would stop with a match there."""
        current = {0}
        for char in prefix + pump:
            current = self._step(current, char)
        final_now = {a for a in self.final if a == 0 or self.masks[a]}
        for char in pump:
            current = self._step(current, char)
            if not current:
                return None
            if not whole and current & final_now:
                return None
        candidates = "!\x00#@%&~;\x7f/ =a0" + "".join(chr(c) for c in self.universe if c != 10)
        for candidate in candidates:
            after = self._step(current, candidate)
            if not self._accepts_at_end(after):
                return candidate
        return None

    def _char(self, a: int, b: int) -> str:
        mask = self.masks[a] & self.masks[b]
        for preferred in "a0 x.,-":
            code = ord(preferred)
            if code in self._where and mask >> self._where[code] & 1:
                return preferred
        return chr(self.universe[(mask & -mask).bit_length() - 1])

    def _pump(self, states, edges, start: int, members: set[int]) -> str:  # noqa: ANN001
        """A cycle (p, p) -> ... -> (p, p) through a non-diagonal edge, as text ("" if none)."""
        seen: dict[tuple[int, bool], tuple[int, bool] | None] = {(start, False): None}
        queue = [(start, False)]
        for node, used in queue:
            for target, off in edges[node]:
                if target not in members:
                    continue
                key = (target, used or off)
                if key in seen:
                    continue
                seen[key] = (node, used)
                if key == (start, True):
                    text = []
                    cursor: tuple[int, bool] | None = key
                    while cursor is not None and cursor != (start, False):
                        text.append(self._char(*states[cursor[0]]))
                        cursor = seen[cursor]
                    return "".join(reversed(text))
                queue.append(key)
        return ""

    def _prefix(self, states, edges, goal: int) -> str:  # noqa: ANN001
        seen = {0: None}
        queue = [0]
        for node in queue:
            if node == goal:
                break
            for target, _ in edges[node]:
                if target not in seen:
                    seen[target] = node
                    queue.append(target)
        text = []
        cursor = goal
        while cursor and seen.get(cursor) is not None:
            text.append(self._char(*states[cursor]))
            cursor = seen[cursor]
        return "".join(reversed(text))


def _unbounded(sub) -> bool:  # noqa: ANN001 - sre SubPattern or list of items
    """Does the subpattern contain a repetition without an upper bound?"""
    stack = [sub]
    while stack:
        item = stack.pop()
        if hasattr(item, "data"):
            stack.extend(item.data)
        elif isinstance(item, (list, tuple)):
            if (
                len(item) == 2
                and item[0] in (_MAX_REPEAT, _MIN_REPEAT, _POSSESSIVE)
                and isinstance(item[1], tuple)
                and item[1][1] == _sre.MAXREPEAT
            ):
                return True
            stack.extend(item)
    return False


def _same(c: int, literal: int, fold: bool) -> bool:
    return c == literal or (fold and literal in _variants(c, True))


def _variants(c: int, fold: bool) -> tuple[int, ...]:
    if not fold:
        return (c,)
    ch = chr(c)
    return tuple({c, *(ord(x) for x in (ch.lower(), ch.upper()) if len(x) == 1)})


def _components(edges: list[list[tuple[int, bool]]]) -> list[list[int]]:
    """Tarjan's strongly connected components, iteratively; only components with a cycle."""
    n = len(edges)
    order = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in range(n):
        if order[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                order[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            recurse = False
            for j in range(child, len(edges[node])):
                target = edges[node][j][0]
                if order[target] == -1:
                    work.append((node, j + 1))
                    work.append((target, 0))
                    recurse = True
                    break
                if on_stack[target]:
                    low[node] = min(low[node], order[target])
            if recurse:
                continue
            if low[node] == order[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack[top] = False
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1 or any(t == node for t, _ in edges[node]):
                    result.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


# -- how a compiled pattern is used ---------------------------------------------------------

_NEUTRAL_ATTRS = frozenset({"pattern", "flags", "groups", "groupindex"})
_INSPECTORS = frozenset(
    {"builtins.type", "builtins.isinstance", "builtins.id", "builtins.repr", "builtins.str"}
)


def compiled_pattern_is_whole(ctx: FileContext, call: ast.Call) -> bool:
    """For `re.compile(...)`: may the pattern be matched against a whole string?

    True when the compiled object is used with `fullmatch`, escapes (passed on,
    stored in a container) or is never used in this file; False when every use
    we can see is an unanchored method (`match`, `search`, `sub`, ...)."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Attribute) and parent.value is call:
        return parent.attr not in UNANCHORED_METHODS and parent.attr not in _NEUTRAL_ATTRS
    key: tuple[str, str] | None = None
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            in_class = isinstance(ctx.parent(parent), ast.ClassDef)  # used as `self.X` / `Cls.X`
            key = ("attr" if in_class else "name", targets[0].id)
        elif len(targets) == 1 and isinstance(targets[0], ast.Attribute):
            key = ("attr", targets[0].attr)
    if key is None:
        return True
    func = ctx.enclosing_function(call)
    scope = func if func is not None and key[0] == "name" else ctx.tree  # a local name: its function
    uses = ctx.memo("dos-pattern-uses", scope, lambda: _pattern_uses(ctx, scope)).get(key, set())
    meaningful = uses - _NEUTRAL_ATTRS
    return not meaningful or not meaningful <= UNANCHORED_METHODS


def _pattern_uses(ctx: FileContext, scope: ast.AST) -> dict[tuple[str, str], set[str]]:
    uses: dict[tuple[str, str], set[str]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            key = ("name", node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            key = ("attr", node.attr)
        else:
            continue
        parent = ctx.parent(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            method = parent.attr
        elif isinstance(parent, ast.Call) and node in parent.args and ctx.call_name(parent) in _INSPECTORS:
            continue  # `type(PATTERN)`, `isinstance(x, ...)`: no matching happens
        else:
            method = "?"
        uses.setdefault(key, set()).add(method)
    return uses
