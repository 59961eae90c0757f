"""Private helpers of the injection rules (SR102-SR139).

They answer, for a string handed to an interpreter (a shell, a database, `eval`, a
template engine, a browser, a log file): how was it put together, which
interpolated values are not neutralised for that interpreter, and does one of them
come from outside the program. Everything is local to one function, like
`secreview.analysis.flow`, whose helpers these build on.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass, field

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import (
    ROUTE_DECORATORS,
    Source,
    external_source,
    is_route_handler,
    reaching_value,
)
from secreview.analysis.values import is_literal, literal_value, module_constant

_NUMERIC_CALLS = frozenset(
    {
        "builtins.int",
        "builtins.float",
        "builtins.len",
        "builtins.bool",
        "builtins.abs",
        "builtins.round",
        "builtins.hash",
        "builtins.ord",
        "builtins.id",
        "builtins.min",
        "builtins.max",
        "builtins.sum",
        "uuid.uuid4",
        "uuid.uuid1",
        "time.time",
        "time.monotonic",
        "math.floor",
        "math.ceil",
        "decimal.Decimal",
        "uuid.UUID",
        "ipaddress.ip_address",
        "ipaddress.ip_network",
        "ipaddress.ip_interface",
    }
)
_PRINTF = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[a-zA-Z%])")
_NUMERIC_CONV = set("diouxXeEfFgG")
_NUMERIC_SPEC = set("bdoxXneEfFgG%")
# Call names (last component) that neutralise a value for one interpreter.
SANITIZERS = {
    "shell": re.compile(r"^(quote|shlex_quote|sh_quote|shell_quote|escape_shell_arg|join)$"),
    "sql": re.compile(r"(quote|escape|^literal$|^qn$|^sanitiz)", re.IGNORECASE),
    "html": re.compile(
        r"(escape|^clean$|^linkify$|sanitiz|^format_html|^quote(_plus)?$|^urlencode$|"
        r"^render|^strip_?tags$|^url_for$|^reverse$|^Markup$|"
        r"^mark_safe$|^urlize$|^linebreaks)",
        re.IGNORECASE,
    ),
    "log": re.compile(r"(escape|sanitiz|^quote(_plus)?$|^dumps$|^repr$|^ascii$|^mask)", re.IGNORECASE),
    "code": re.compile(r"^(repr|dumps)$"),
    "template": re.compile(r"^$"),
}
_SHELL_SANITIZER_MODULES = ("shlex.", "pipes.", "shellescape.")
WEB_FRAMEWORKS = frozenset(
    {
        "flask",
        "django",
        "starlette",
        "fastapi",
        "pecan",
        "webob",
        "aiohttp",
        "bottle",
        "tornado",
        "falcon",
        "pyramid",
        "quart",
        "sanic",
    }
)
_VALIDATORS = frozenset(
    {"isdigit", "isdecimal", "isnumeric", "isalnum", "isidentifier", "isalpha", "isascii"}
)
_STRONG = (
    "request data",
    "the route parameter",
    "the URL parameter",
    "data read from a socket",
    "a remote HTTP response",
)


@dataclass(frozen=True)
class Part:
    """One interpolated value: `expr` after following local names, `site` as written."""

    expr: ast.expr
    site: ast.expr
    conversion: str  # "r" (repr), "num" (numeric format), "" otherwise
    before: str  # the literal text that precedes it in the final string


@dataclass
class Build:
    kind: str = ""  # the interpreter the string is for: shell, sql, html, log, code, template, fmt
    how: str | None = None  # the first string-building operation met
    parts: list[Part] = field(default_factory=list)
    chunks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


@dataclass(frozen=True)
class Verdict:
    """What reaches a sink: its build, the values not neutralised, and an outside source."""

    how: str | None
    text: str
    unsafe: tuple[Part, ...]
    source: Source | None
    carrier: Part | None = None  # the unsafe value the source flows through

    @property
    def strong(self) -> bool:
        """The source is an attacker-facing input (request, socket), not env or argv."""
        return self.source is not None and self.source.description.startswith(_STRONG)


def analyze(ctx: FileContext, expr: ast.AST | None, kind: str) -> Verdict | None:
    """How `expr` was built and which of its values are unsafe for `kind`; None when all are safe."""
    if expr is None or is_literal(expr, ctx):
        return None
    build = Build(kind)
    _walk(ctx, expr, build, 6, "")
    unsafe = tuple(p for p in build.parts if not is_safe(ctx, p, kind))
    if not unsafe:
        return None
    sources = []
    for part in unsafe:
        found = find_source(ctx, part.expr)
        if found is None and part.site is not part.expr:
            found = find_source(ctx, part.site)
        if (
            found is not None
            and not found.description.startswith(_STRONG)
            and not direct_data(part.expr, ctx)
        ):
            found = None  # argv/env/stdin naming a file or a setting, not the text itself
        if found is not None:
            if found.description.startswith(_STRONG):
                return Verdict(build.how, build.text, unsafe, found, part)
            sources.append((found, part))
    first = sources[0] if sources else (None, None)
    return Verdict(build.how, build.text, unsafe, first[0], first[1])


_ACCESSORS = frozenset(
    {
        "get",
        "getlist",
        "getone",
        "getall",
        "get_argument",
        "get_arguments",
        "get_query_argument",
        "get_body_argument",
        "get_json",
        "get_data",
        "decode",
        "strip",
        "lower",
        "upper",
        "title",
    }
)


def direct_data(expr: ast.AST, ctx: FileContext | None = None) -> bool:
    """The value is read straight off a request (`request.args.get("q")`, a route parameter, `input()`,
    `sock.recv()`), not derived from it by an arbitrary call (`lookup(request.args["id"]).name`)."""
    while True:
        if isinstance(expr, ast.Call):
            if ctx is not None and (ctx.call_name(expr) or "") in _DIRECT_CALLS:
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


_DIRECT_CALLS = frozenset({"builtins.input", "os.getenv", "os.environ.get", "raw_input"})


_TORNADO_GETTERS = frozenset(
    {
        "get_argument",
        "get_arguments",
        "get_query_argument",
        "get_query_arguments",
        "get_body_argument",
        "get_body_arguments",
        "get_cookie",
        "get_secure_cookie",
    }
)


def find_source(ctx: FileContext, expr: ast.AST) -> Source | None:
    for node in ast.walk(expr):  # Tornado handlers read the request through `self.get_argument(...)`
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _TORNADO_GETTERS
        ):
            if isinstance(node.func.value, ast.Name) and node.func.value.id == "self":
                return Source(node, f"request data (self.{node.func.attr})")
    found = external_source(ctx, expr)
    if found is not None and found.description.startswith("the route parameter"):
        func = ctx.enclosing_function(found.node)
        if func is None or not _route_decorated(ctx, func):
            found = None  # `@mock.patch(...)` matched the shared route-decorator test
    return found or view_parameter(ctx, expr)


_NOT_ROUTES = ("unittest.mock.", "mock.", "pytest.", "patch")


def _route_decorated(ctx: FileContext, func: FunctionNode) -> bool:
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = ctx.qualname(target) or ""
        if name.startswith(_NOT_ROUTES) or ".patch." in name or name.endswith(".patch.object"):
            continue
        if "." in name and name.rsplit(".", 1)[-1] in ROUTE_DECORATORS or name == "pecan.expose":
            return True
    return False


def const_str(ctx: FileContext, expr: ast.AST | None, depth: int = 4) -> object:
    """The value of a literal, also for string concatenations (`"a" "b" + "c"`) and module constants."""
    if isinstance(expr, ast.Name):
        expr = module_constant(ctx, expr.id)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add) and depth > 0:
        left, right = const_str(ctx, expr.left, depth - 1), const_str(ctx, expr.right, depth - 1)
        if (
            isinstance(left, str)
            and isinstance(right, str)
            or isinstance(left, bytes)
            and isinstance(right, bytes)
        ):
            return left + right
        return None
    return literal_value(expr, ctx)


def _template_text(ctx: FileContext, expr: ast.AST, depth: int = 3) -> object:
    """A constant template, also through a local name: `query = "... %s"; query % (x,)`."""
    value = const_str(ctx, expr)
    if value is None and isinstance(expr, ast.Name) and depth > 0:
        bound = reaching_value(ctx, expr)
        if bound is not None and bound is not expr:
            return _template_text(ctx, bound, depth - 1)
    return value


# -- walking a string expression ---------------------------------------------------------------
def _walk(
    ctx: FileContext, expr: ast.AST, build: Build, depth: int, conv: str, site: ast.expr | None = None
) -> None:
    site = site if site is not None else expr  # type: ignore[assignment]
    if isinstance(expr, ast.Constant):
        build.chunks.append(_text(expr.value))
        return
    if isinstance(expr, ast.Name) and is_literal(expr, ctx):
        value = const_str(ctx, expr)
        build.chunks.append(_text(value) if isinstance(value, (str, bytes)) else "?")
        return
    if is_literal(expr, ctx):
        build.chunks.append("?")
        return
    if depth <= 0:
        _part(build, expr, site, conv)
        return
    if isinstance(expr, ast.JoinedStr):
        for value in expr.values:
            if isinstance(value, ast.FormattedValue):
                build.how = build.how or "f-string"
                _walk(ctx, value.value, build, depth - 1, _fstring_conv(value))
            else:
                _walk(ctx, value, build, depth - 1, "")
        return
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and stringish(ctx, expr.left):
        build.how = build.how or "%-formatting"
        _walk_percent(ctx, expr, build, depth)
        return
    if (
        isinstance(expr, ast.BinOp)
        and isinstance(expr.op, ast.Add)
        and (stringish(ctx, expr.left) or stringish(ctx, expr.right))
    ):
        build.how = build.how or "concatenation"
        _walk(ctx, expr.left, build, depth - 1, "")
        _walk(ctx, expr.right, build, depth - 1, "")
        return
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        func = expr.func
        if func.attr == "format" and stringish(ctx, func.value):
            build.how = build.how or "str.format()"
            _walk_format(ctx, expr, build, depth)
            return
        if func.attr == "join" and stringish(ctx, func.value) and len(expr.args) == 1:
            build.how = build.how or "str.join()"
            _walk_iterable(ctx, expr.args[0], build, depth - 1)
            return
    if isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.str" and len(expr.args) == 1:
        _walk(ctx, expr.args[0], build, depth - 1, conv, site)
        return
    if isinstance(expr, ast.Name):
        if validated(ctx, expr):
            build.chunks.append("?")
            return
        value = reaching_value(ctx, expr)
        if value is not None and value is not expr:
            _walk(ctx, value, build, depth - 1, conv, expr)
            return
    if isinstance(expr, ast.IfExp):
        _walk(ctx, expr.body, build, depth - 1, conv)
        _walk(ctx, expr.orelse, build, depth - 1, conv)
        return
    if _whitelist_lookup(ctx, expr):
        build.chunks.append("?")
        return
    _part(build, expr, site, conv)


def _part(build: Build, expr: ast.AST, site: ast.AST, conv: str) -> None:
    build.parts.append(Part(expr, site, conv, build.text))  # type: ignore[arg-type]
    build.chunks.append("?")


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else "?"


def stringish(ctx: FileContext, expr: ast.AST, depth: int = 3) -> bool:
    """A string literal, an f-string, a string build, or a local name bound to one."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (str, bytes))
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
        return stringish(ctx, expr.left, depth) or (
            isinstance(expr.op, ast.Add) and stringish(ctx, expr.right, depth)
        )
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in ("format", "join")
    ):
        return stringish(ctx, expr.func.value, depth)
    if isinstance(expr, ast.Name) and depth > 0:
        value = const_str(ctx, expr) if is_literal(expr, ctx) else None
        if isinstance(value, (str, bytes)):
            return True
        bound = reaching_value(ctx, expr)
        return bound is not None and bound is not expr and stringish(ctx, bound, depth - 1)
    return False


def _fstring_conv(value: ast.FormattedValue) -> str:
    if value.conversion in (ord("r"), ord("a")):
        return "r"
    spec = value.format_spec
    if (
        isinstance(spec, ast.JoinedStr)
        and spec.values
        and all(isinstance(v, ast.Constant) for v in spec.values)
    ):
        text = "".join(str(v.value) for v in spec.values)  # type: ignore[attr-defined]
        if text and text[-1] in _NUMERIC_SPEC:
            return "num"
    return ""


def _walk_percent(ctx: FileContext, expr: ast.BinOp, build: Build, depth: int) -> None:
    template = _template_text(ctx, expr.left)
    right = expr.right
    if isinstance(right, ast.Name) and not is_literal(right, ctx):
        bound = reaching_value(ctx, right)
        if isinstance(bound, (ast.Tuple, ast.Dict)):
            right = bound
    if not isinstance(template, (str, bytes)):
        _walk(ctx, expr.left, build, depth - 1, "")
        for value in _values_of(right):
            _walk(ctx, value, build, depth - 1, "")
        return
    text = _text(template)
    positional = list(right.elts) if isinstance(right, ast.Tuple) else None
    named = None
    if isinstance(right, ast.Dict):
        named = {
            k.value: v for k, v in zip(right.keys, right.values, strict=True) if isinstance(k, ast.Constant)
        }
    index, last = 0, 0
    for match in _PRINTF.finditer(text):
        build.chunks.append(text[last : match.start()])
        last = match.end()
        kind = match.group("conv")
        if kind == "%":
            build.chunks.append("%")
            continue
        conv = "num" if kind in _NUMERIC_CONV else ("r" if kind in "ra" else "")
        key = match.group("key")
        if key is not None:
            value = named.get(key) if named is not None else right
        elif positional is not None:
            value = positional[index] if index < len(positional) else None
            index += 1
        else:
            value = right if index == 0 else None
            index += 1
        if value is None:
            build.chunks.append("?")
        else:
            _walk(ctx, value, build, depth - 1, conv)
    build.chunks.append(text[last:])


def _values_of(expr: ast.expr) -> list[ast.expr]:
    if isinstance(expr, ast.Tuple):
        return list(expr.elts)
    if isinstance(expr, ast.Dict):
        return list(expr.values)
    return [expr]


def _walk_format(ctx: FileContext, call: ast.Call, build: Build, depth: int) -> None:
    func = call.func
    assert isinstance(func, ast.Attribute)
    template = _template_text(ctx, func.value)
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}
    spread = [a.value for a in call.args if isinstance(a, ast.Starred)] + [
        k.value for k in call.keywords if not k.arg
    ]
    if not isinstance(template, str):
        _walk(ctx, func.value, build, depth - 1, "")
        for value in [*args, *kwargs.values(), *spread]:
            _walk(ctx, value, build, depth - 1, "")
        return
    auto = 0
    try:
        pieces = list(string.Formatter().parse(template))
    except ValueError:
        pieces = [(template, None, None, None)]
    for literal, field_name, spec, conversion in pieces:
        build.chunks.append(literal or "")
        if field_name is None:
            continue
        base = re.split(r"[.\[]", field_name, maxsplit=1)[0]
        value: ast.expr | None
        if base == "":
            value = args[auto] if auto < len(args) else None
            auto += 1
        elif base.isdigit():
            value = args[int(base)] if int(base) < len(args) else None
        else:
            value = kwargs.get(base)
        if value is None:
            value = spread[0] if spread else None
        conv = "r" if conversion in ("r", "a") else ("num" if spec and spec[-1] in _NUMERIC_SPEC else "")
        if value is None:
            build.chunks.append("?")
        else:
            _walk(ctx, value, build, depth - 1, conv)


def _walk_iterable(ctx: FileContext, expr: ast.expr, build: Build, depth: int) -> None:
    if is_literal(expr, ctx):
        build.chunks.append("?")
    elif (
        isinstance(expr, ast.BinOp)
        and isinstance(expr.op, ast.Mult)
        and (is_literal(expr.left, ctx) or is_literal(expr.right, ctx))
    ):
        build.chunks.append("?")  # ["%s"] * len(ids): placeholders
    elif isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        for elt in expr.elts:
            _walk(ctx, elt.value if isinstance(elt, ast.Starred) else elt, build, depth - 1, "")
    elif isinstance(expr, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        _walk(ctx, expr.elt, build, depth - 1, "")
    elif isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.map" and len(expr.args) == 2:
        fn = ctx.qualname(expr.args[0]) or ""
        pattern = SANITIZERS.get(build.kind)
        numeric = fn in _NUMERIC_CALLS or fn == "builtins.str" and _numeric_iterable(ctx, expr.args[1])
        if numeric or pattern is not None and pattern.search(fn.rsplit(".", 1)[-1]):
            build.chunks.append("?")
        else:
            _opaque_iterable(build, expr)
    elif isinstance(expr, ast.Name) and depth > 0 and not validated(ctx, expr):
        value = reaching_value(ctx, expr)
        if value is not None and value is not expr:
            _walk_iterable(ctx, value, build, depth - 1)
        else:
            _opaque_iterable(build, expr)
    elif isinstance(expr, ast.Name):
        build.chunks.append("?")
    else:
        _opaque_iterable(build, expr)


def _opaque_iterable(build: Build, expr: ast.expr) -> None:
    """Items we cannot see. Joined into HTML they are usually fragments rendered elsewhere (judged there);
    joined into SQL or a command line they are values pasted into the text."""
    if build.kind == "html":
        build.chunks.append("?")
    else:
        _part(build, expr, expr, "")


def _numeric_iterable(ctx: FileContext, expr: ast.expr) -> bool:
    """`range(n)` or `map(int, values)`: every item is a number."""
    if not isinstance(expr, ast.Call):
        return False
    name = ctx.call_name(expr)
    if name == "builtins.range":
        return True
    return (
        name == "builtins.map"
        and len(expr.args) == 2
        and (ctx.qualname(expr.args[0]) or "") in _NUMERIC_CALLS
    )


def _whitelist_lookup(ctx: FileContext, expr: ast.AST) -> bool:
    """`CHOICES[key]` / `CHOICES.get(key, default)` on a literal mapping: the result is one of ours."""
    target = None
    if isinstance(expr, ast.Subscript):
        target = expr.value
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get":
        if len(expr.args) < 2 or is_literal(expr.args[1], ctx):
            target = expr.func.value
    if target is None:
        return False
    if isinstance(target, ast.Name) and not is_literal(target, ctx):
        bound = reaching_value(ctx, target)
        target = bound if bound is not None else target
    return (
        isinstance(target, (ast.Dict, ast.List, ast.Tuple))
        and is_literal(ast.Tuple(elts=[v for v in _values_of(target) if v is not None], ctx=ast.Load()), ctx)
        or (isinstance(target, ast.Name) and is_literal(target, ctx))
    )


# -- is a value neutralised? ----------------------------------------------------------------------
def is_safe(ctx: FileContext, part: Part, kind: str) -> bool:
    if part.conversion == "num":
        return True
    if part.conversion == "r" and kind in ("log", "code"):
        return True
    return safe_value(ctx, part.expr, kind)


def safe_value(ctx: FileContext, expr: ast.AST, kind: str, depth: int = 3) -> bool:
    if is_literal(expr, ctx):
        return True
    if isinstance(expr, ast.Name) and depth > 0:
        value = reaching_value(ctx, expr)
        return value is not None and value is not expr and safe_value(ctx, value, kind, depth - 1)
    if isinstance(expr, ast.BinOp) and isinstance(
        expr.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)
    ):
        left, right = (expr.left, expr.right)
        if isinstance(expr.op, ast.Mult) and (_literal_str(left) or _literal_str(right)):
            return _numeric_expr(ctx, right if _literal_str(left) else left)  # "\n" * (lineno - 1)
        return _numeric_expr(ctx, expr)
    if not isinstance(expr, ast.Call):
        return False
    name = ctx.call_name(expr) or ""
    last = name.rsplit(".", 1)[-1].rstrip("()")
    if name in _NUMERIC_CALLS:
        return True
    if last in _GETTEXT and expr.args and all(is_literal(a, ctx) for a in expr.args):
        return True  # a translated literal: the catalogue is ours
    if name == "builtins.str" and expr.args:
        return safe_value(ctx, expr.args[0], kind, depth - 1)
    if kind == "shell":
        return name.startswith(_SHELL_SANITIZER_MODULES) or (
            bool(SANITIZERS["shell"].search(last)) and last != "join"
        )
    if kind == "sql" and isinstance(expr.func, ast.Attribute) and expr.func.attr == "replace" and expr.args:
        return isinstance(expr.args[0], ast.Constant) and expr.args[0].value in ("'", "\\")
    if (
        kind == "log"
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in ("replace", "translate", "sub")
    ):
        return expr.func.attr == "translate" or any(_names_newline(a) for a in expr.args)
    if kind == "log" and isinstance(expr.func, ast.Attribute) and expr.func.attr == "encode" and expr.args:
        return isinstance(expr.args[0], ast.Constant) and expr.args[0].value in (
            "unicode_escape",
            "unicode-escape",
        )
    if kind in ("log", "code") and name in ("builtins.repr", "builtins.ascii"):
        return True
    if kind == "html" and isinstance(expr.func, ast.Attribute) and isinstance(expr.func.value, ast.Call):
        inner = ctx.call_name(expr.func.value) or ""
        if expr.func.attr == "format" and inner.endswith(("Markup", "format_html")):
            return True  # Markup("<b>{}</b>").format(x) escapes x
    pattern = SANITIZERS.get(kind)
    return bool(pattern and last and pattern.search(last))


_GETTEXT = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "ugettext",
        "ugettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "gettext_noop",
        "_lazy",
        "_l",
    }
)


def _literal_str(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, (str, bytes))


def _numeric_expr(ctx: FileContext, expr: ast.AST, depth: int = 3) -> bool:
    """Arithmetic on numbers: `i + 1`, `page * size`, `len(x) - 1` (never a string concatenation)."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool)
    if isinstance(expr, ast.Call):
        return (ctx.call_name(expr) or "") in _NUMERIC_CALLS
    if isinstance(expr, ast.UnaryOp):
        return _numeric_expr(ctx, expr.operand, depth)
    if isinstance(expr, ast.BinOp) and depth > 0:
        sides = (expr.left, expr.right)
        if any(_literal_str(side) or isinstance(side, ast.JoinedStr) for side in sides):
            return False
        known = [side for side in sides if _numeric_expr(ctx, side, depth - 1)]
        return len(known) >= 1 and all(
            isinstance(side, (ast.Name, ast.Attribute)) or side in known for side in sides
        )
    return False


def _names_newline(arg: ast.expr) -> bool:
    """A literal that matches line breaks: "\\n", "\\r", or a regex such as r"[\\r\\n]" / r"\\s"."""
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return False
    return "\n" in arg.value or "\r" in arg.value or any(t in arg.value for t in ("\\n", "\\r", "\\s"))


def validated(ctx: FileContext, name: ast.Name) -> bool:
    """An `if`/`assert` before the use checks the name against a whitelist, a pattern or a str predicate."""
    func = ctx.enclosing_function(name)
    if func is None:
        return False
    for test in ctx.memo("injection-tests", func, lambda: _tests(func)):
        if test.lineno >= name.lineno:
            break
        for node in ast.walk(test):
            if _checks(ctx, node, name.id):
                return True
    return False


def _tests(func: FunctionNode) -> list[ast.expr]:
    """Conditions, and bare calls such as `validate_hostname(host)` that raise on bad input."""
    tests = [n.test for n in ast.walk(func) if isinstance(n, (ast.If, ast.Assert, ast.While))]
    tests += [n.value for n in ast.walk(func) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    return sorted(tests, key=lambda t: t.lineno)


_VALIDATING_CALL = re.compile(
    r"(valid|allowed|whitelist|allowlist|permitted|is_safe|sanitiz|check_|verify|ensure)", re.IGNORECASE
)


def _checks(ctx: FileContext, node: ast.AST, ident: str) -> bool:
    def is_it(expr: ast.AST) -> bool:
        return isinstance(expr, ast.Name) and expr.id == ident

    if isinstance(node, ast.Compare) and is_it(node.left):
        return all(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in _VALIDATORS and is_it(node.func.value):
            return True
        if node.func.attr in ("match", "fullmatch") and any(is_it(a) for a in node.args):
            return True
    if isinstance(node, ast.Call) and any(is_it(a) for a in node.args):
        name = (ctx.call_name(node) or "").rsplit(".", 1)[-1]
        return bool(_VALIDATING_CALL.search(name))
    return False


# -- sources beyond the shared ones ---------------------------------------------------------------
def view_parameter(ctx: FileContext, expr: ast.AST) -> Source | None:
    """A URL capture of a Django view: `def detail(request, slug)` / `def get(self, request, pk)`."""
    if not any(v.split(".")[0] == "django" for v in ctx.imports.values()):
        return None
    for node in ast.walk(expr):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
            continue
        func = ctx.enclosing_function(node)
        if func is None or not _is_view(ctx, func):
            continue
        params = [a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)]
        if (
            node.id in params
            and node.id not in ("self", "cls", "request")
            and reaching_value(ctx, node) is None
            and not _used_as_object(ctx, func, node.id)
        ):
            return Source(node, f"the URL parameter `{node.id}` of view `{func.name}()`")
    return None


_STR_METHODS = frozenset(dir(str))


def _used_as_object(ctx: FileContext, func: FunctionNode, ident: str) -> bool:
    """`f.title`, `obj.pk`: the parameter is a model object handed over by another view, not a URL capture."""

    def compute() -> frozenset[str]:
        return frozenset(
            n.value.id
            for n in ast.walk(func)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.attr not in _STR_METHODS
        )

    return ident in ctx.memo("injection-object-params", func, compute)


_NOT_CAPTURES = frozenset({"exc", "exception", "e", "err", "error", "response", "resp", "context", "template_name"})


def _is_view(ctx: FileContext, func: FunctionNode) -> bool:
    names = [a.arg for a in func.args.args]
    if names[:1] == ["request"] and ctx.enclosing_class(func) is None:
        # A function the module calls itself is a helper taking a request, not a URLconf view
        # (Django's own `response_for_exception(request, exc)`), and exception/response
        # parameters are never URL captures.
        return not _called_in_module(ctx, func.name) and not _NOT_CAPTURES & set(names[1:])
    return names[:2] in (["self", "request"],) and func.name in (
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "dispatch",
    )


def _called_in_module(ctx: FileContext, name: str) -> bool:
    return any(called == name or called.endswith("." + name) for called in ctx.called_names())


def from_parameter(ctx: FileContext, part: Part) -> bool:
    """The value is (an attribute or item of) a parameter of the enclosing function: data from the caller,
    not a loop counter or an attribute the code computed itself."""
    for expr in (part.site, part.expr):
        while isinstance(expr, (ast.Attribute, ast.Subscript)):
            expr = expr.value
        if not isinstance(expr, ast.Name) or expr.id in ("self", "cls"):
            continue
        func = ctx.enclosing_function(expr)
        if func is None:
            continue
        args = func.args
        params = {
            a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a
        }
        if expr.id in params and reaching_value(ctx, expr) is None:
            return True
    return False


def is_test_module(ctx: FileContext) -> bool:
    """Test code evaluates and builds strings on purpose; only outside data counts there."""
    path = ctx.path.replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    return name.startswith("test_") or name.endswith("_test.py") or "/tests/" in path or "/test/" in path


def imports_web_framework(ctx: FileContext) -> bool:
    return any(v.lstrip(".").split(".")[0] in WEB_FRAMEWORKS for v in ctx.imports.values())


def handler_function(ctx: FileContext, func: FunctionNode | None) -> bool:
    """A route handler or a view: decorated as a route, or taking the request object."""
    if func is None:
        return False
    if is_route_handler(ctx, func) and _route_decorated(ctx, func):
        return True
    names = [a.arg for a in func.args.args]
    return "request" in names[:2] or "req" in names[:2]


# -- logging ----------------------------------------------------------------------------------------
LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_LOGGER_NAME = re.compile(r"^_*(log|logger|logging|[a-z0-9_]*_(log|logger)|audit|syslog)$", re.IGNORECASE)
_NOT_LOGGERS = frozenset(
    {"math", "cmath", "np", "numpy", "torch", "tf", "jnp", "sympy", "sp", "mpmath", "decimal"}
)


def is_logging_call(ctx: FileContext, call: ast.Call) -> str | None:
    """`logging.info`, `LOG.warning`, `self.logger.error`, `logging.getLogger(x).debug` -> the method name."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return None
    receiver = ctx.qualname(func.value) or ""
    if receiver in _NOT_LOGGERS:
        return None
    if receiver == "logging" or receiver.endswith(("getLogger()", "get_logger()", "getChild()")):
        return func.attr
    last = receiver.rsplit(".", 1)[-1]
    return func.attr if last and _LOGGER_NAME.match(last) else None


# -- SQL --------------------------------------------------------------------------------------------
_VALUE_END = re.compile(
    r"(?:'|=|<|>|\blike|\bilike|\blimit|\boffset|\bbetween|\bregexp|\bagainst\s*\()\s*$", re.IGNORECASE
)


def sql_value_position(before: str) -> bool:
    """Does the value land where SQL expects a value (after `=`, a quote, LIKE, `IN (`...)?"""
    if _VALUE_END.search(before):
        return True
    open_paren = before.rfind("(")
    if open_paren >= 0 and ")" not in before[open_paren:]:
        head = before[:open_paren].rstrip().lower()
        if head.endswith((" in", " values", "\nvalues", "\tin")) or head == "values" or head.endswith("in"):
            tail = before[open_paren + 1 :].rstrip()
            return tail == "" or tail.endswith((",", "'"))
    return False


def sql_verdict(ctx: FileContext, expr: ast.AST | None, need_sql_text: bool = True) -> Verdict | None:
    """A built SQL string worth reporting: an outside value in it, or a non-literal in a value position."""
    verdict = analyze(ctx, expr, "sql")
    if verdict is None or verdict.how is None and verdict.source is None:
        return None
    if verdict.how is None:
        if verdict.source is None or verdict.carrier is None or not direct_data(verdict.carrier.expr):
            return None  # e.g. execute(text(...)): the inner call is judged on its own
        return verdict  # the whole statement comes from outside; the caller judges the sink
    if need_sql_text and not looks_like_sql_text(verdict.text):
        return None
    if verdict.source is not None:
        return verdict
    if _SQL_START.search(verdict.text) and not _DML.match(verdict.text):
        return None  # DDL, SET and PRAGMA take no parameters: only outside data counts there
    if any(sql_value_position(p.before) for p in verdict.unsafe):
        return verdict
    return None


_DML = re.compile(r"^\s*\(?\s*(select|insert|update|delete|replace|merge|with|upsert)\b", re.IGNORECASE)


_SQL_START = re.compile(
    r"^\s*\(?\s*(select|insert|update|delete|replace|merge|create|drop|alter|truncate|grant|revoke|with|pragma|"
    r"exec|execute|call|set|show|describe|vacuum|analyze|attach|copy)\b",
    re.IGNORECASE,
)
_SQL_BODY = re.compile(
    r"\b(from|into|set|where|values|table|order\s+by|group\s+by|join|limit|index|view|database|"
    r"schema|procedure|function|search_path|to)\b",
    re.IGNORECASE,
)


def looks_like_sql_text(text: str) -> bool:
    return bool(_SQL_START.search(text)) and (bool(_SQL_BODY.search(text)) or len(text.split()) <= 3)


def describe(part: Part, ctx: FileContext) -> str:
    site = part.site
    text = ctx.segment(site) or ctx.segment(part.expr)
    if not text or len(text) > 40 or "\n" in text:
        return "a non-literal value"
    return f"`{text}`"


def sqlalchemy_object(ctx: FileContext, expr: ast.AST | None, depth: int = 4) -> bool:
    """An engine, connection or session of SQLAlchemy (or Flask-SQLAlchemy's `db.session`)."""
    if expr is None or depth < 0:
        return False
    name = ctx.qualname(expr) or ""
    if name.startswith(("sqlalchemy.", "flask_sqlalchemy.")) or name.endswith(("db.session", "db.engine")):
        return True
    if isinstance(expr, ast.Call):
        if name.startswith(("sqlalchemy.", "flask_sqlalchemy.")):
            return True
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in (
            "connect",
            "begin",
            "execution_options",
            "session",
        ):
            return sqlalchemy_object(ctx, func.value, depth - 1)
        if isinstance(func, ast.Name | ast.Attribute | ast.Call):
            return sqlalchemy_object(ctx, func, depth - 1)
    if isinstance(expr, ast.Name):
        value = reaching_value(ctx, expr)
        if value is not None and value is not expr:
            return sqlalchemy_object(ctx, value, depth - 1)
    return False
