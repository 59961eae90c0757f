"""Private helpers for the crash (SR6xx) and ctypes memory (SR8xx) rules.

Local facts only: which calls may give None, how a value is used as an object,
whether a local name is checked before a use, and whether an enclosing `try`
catches a given exception. Nothing here follows values across functions.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import NamedTuple

from secreview.analysis.context import FileContext
from secreview.analysis.flow import REQUEST_OBJECTS, Source, external_source, is_route_handler, reaching_value
from secreview.analysis.values import is_literal, is_none, literal_value, module_constant

_LINE_BREAK = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def segment(ctx: FileContext, node: ast.AST) -> str:
    """`segment(ctx, node)` without re-splitting the whole file on every call (the same text)."""
    start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    if start is None or end is None or col is None or end_col is None:
        return ""
    lines = ctx.memo(
        "robustness-lines", ctx.tree, lambda: [m.encode("utf-8") for m in _LINE_BREAK.findall(ctx.source)]
    )
    if end > len(lines):
        return ctx.segment(node)
    if start == end:
        return lines[start - 1][col:end_col].decode("utf-8", "replace")
    parts = [lines[start - 1][col:], *lines[start : end - 1], lines[end - 1][:end_col]]
    return b"".join(parts).decode("utf-8", "replace")


BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


# -- exceptions and try blocks ---------------------------------------------------------------
def handler_names(ctx: FileContext, handler: ast.ExceptHandler) -> list[str]:
    """Qualified names of the exceptions a handler catches; [] for a bare `except:`."""
    if handler.type is None:
        return []
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return [ctx.qualname(t) or "" for t in types]


def handler_catches(ctx: FileContext, handler: ast.ExceptHandler, wanted: frozenset[str]) -> bool:
    """The handler catches one of `wanted` (short names) or is bare / broad."""
    if handler.type is None:
        return True
    for name in handler_names(ctx, handler):
        short = name.rsplit(".", 1)[-1]
        if name in BROAD_EXCEPTIONS or short in {"Exception", "BaseException"} or short in wanted:
            return True
    return False


def caught_here(ctx: FileContext, node: ast.AST, wanted: frozenset[str]) -> bool:
    """An enclosing `try` body (in the same function) or `contextlib.suppress` catches `wanted`."""
    child: ast.AST = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, _NESTED_SCOPES):
            return False
        if isinstance(anc, ast.Try) and child in anc.body:
            if any(handler_catches(ctx, h, wanted) for h in anc.handlers):
                return True
        if isinstance(anc, (ast.With, ast.AsyncWith)) and child in anc.body:
            for item in anc.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and ctx.call_name(expr) == "contextlib.suppress":
                    names = {(ctx.qualname(a) or "").rsplit(".", 1)[-1] for a in expr.args}
                    if names & (wanted | {"Exception", "BaseException"}):
                        return True
        child = anc
    return False


# -- how a value is used ---------------------------------------------------------------------
_ITERATING_BUILTINS = frozenset(
    {
        "builtins.len",
        "builtins.iter",
        "builtins.sorted",
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.enumerate",
        "builtins.dict",
        "builtins.sum",
        "builtins.frozenset",
    }
)


def object_use(ctx: FileContext, expr: ast.AST) -> str | None:
    """How the parent of `expr` uses it as an object (and would fail on None), or None."""
    parent = ctx.parent(expr)
    if isinstance(parent, ast.Attribute) and parent.value is expr:
        if parent.attr.startswith("__"):
            return None
        grand = ctx.parent(parent)
        if isinstance(grand, ast.Call) and grand.func is parent:
            return f"`.{parent.attr}()`"
        return f"`.{parent.attr}`"
    if isinstance(parent, ast.Subscript) and parent.value is expr:
        return "subscripting"
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is expr:
        return "iteration"
    if isinstance(parent, ast.Call) and expr in parent.args:
        name = ctx.call_name(parent)
        if name in _ITERATING_BUILTINS:
            return f"`{name.split('.', 1)[1]}()`"
    if isinstance(parent, ast.Starred) and isinstance(ctx.parent(parent), ast.Call):
        return "`*` unpacking"
    if isinstance(parent, ast.keyword) and parent.arg is None:
        return "`**` unpacking"
    if isinstance(parent, ast.Assign) and parent.value is expr:
        if any(isinstance(t, (ast.Tuple, ast.List)) for t in parent.targets):
            return "tuple unpacking"
    if isinstance(parent, ast.Compare) and expr in parent.comparators:
        op = parent.ops[parent.comparators.index(expr)]
        if isinstance(op, (ast.In, ast.NotIn)):
            return "an `in` test"
    return None


_CHECK_CALLS = frozenset(
    {
        "builtins.isinstance",
        "builtins.bool",
        "builtins.callable",
        "builtins.issubclass",
        "builtins.type",
        "builtins.id",
    }
)
_CHECKING_WORDS = re.compile(r"(check|valid|require|ensure|assert|verify|expect|must|abort|raise|fail)", re.I)


def is_check(ctx: FileContext, name: ast.Name) -> bool:
    """The name is tested rather than used: `if x`, `x is None`, `x or d`, `isinstance(x, ...)`, `not x`."""
    parent = ctx.parent(name)
    if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is name:
        return True
    if isinstance(parent, (ast.BoolOp, ast.UnaryOp, ast.NamedExpr)):
        return True
    if isinstance(parent, ast.comprehension) and name in parent.ifs:
        return True
    if isinstance(parent, ast.Compare):
        if name is parent.left:
            return True
        op = parent.ops[parent.comparators.index(name)]
        return not isinstance(op, (ast.In, ast.NotIn))
    if isinstance(parent, ast.Match):
        return True
    if isinstance(parent, ast.Call) and name in parent.args:
        callee = ctx.call_name(parent) or ""
        return callee in _CHECK_CALLS or bool(_CHECKING_WORDS.search(callee.rsplit(".", 1)[-1]))
    return False


def _names_after(stmts: list[ast.stmt], ident: str) -> list[ast.Name]:
    found: list[ast.Name] = []
    stack: list[ast.AST] = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, _NESTED_SCOPES):
            continue
        if isinstance(node, ast.Name) and node.id == ident:
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return found


def block_after(ctx: FileContext, stmt: ast.stmt) -> list[ast.stmt]:
    """The statements that follow `stmt` in its own block (straight-line code and what nests in it)."""
    parent = ctx.parent(stmt)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and stmt in block:
            return block[block.index(stmt) + 1 :]
    return []


def first_unchecked_use(
    ctx: FileContext, stmt: ast.stmt, ident: str, catches: frozenset[str]
) -> tuple[ast.Name, str] | None:
    """The first use of `ident` as an object after its binding in `stmt`, before any check or rebinding."""
    for name in _names_after(block_after(ctx, stmt), ident):
        if not isinstance(name.ctx, ast.Load):
            return None  # rebound or deleted
        if is_check(ctx, name):
            return None
        how = object_use(ctx, name)
        if how is None:
            continue
        use_stmt = ctx.statement_of(name)
        if use_stmt is not None and _checked_in(ctx, use_stmt, ident):
            return None  # `x.y if x else z`, `x and x.y`
        if caught_here(ctx, name, catches):
            return None
        return name, how
    return None


def _checked_in(ctx: FileContext, stmt: ast.stmt, ident: str) -> bool:
    header = (
        [stmt] if not hasattr(stmt, "body") else [getattr(stmt, "test", None) or getattr(stmt, "iter", None)]
    )
    for part in header:
        if part is None:
            continue
        for node in ast.walk(part):
            if isinstance(node, ast.Name) and node.id == ident and is_check(ctx, node):
                return True
    return False


def tested_texts(ctx: FileContext, node: ast.AST) -> set[str]:
    """Source text of every test expression of the function holding `node` that precedes or encloses it."""
    scope = ctx.enclosing_function(node) or ctx.tree

    def compute() -> list[tuple[int, int, str]]:
        out = []
        for sub in ast.walk(scope):
            tests: list[ast.AST] = []
            if isinstance(sub, (ast.If, ast.While, ast.IfExp, ast.Assert)):
                tests = [sub.test]
            elif isinstance(sub, ast.BoolOp):
                tests = list(sub.values[:-1])
            elif isinstance(sub, ast.comprehension):
                tests = list(sub.ifs)
            for test in tests:
                for part in ast.walk(test):
                    if isinstance(part, (ast.Call, ast.Attribute, ast.Subscript, ast.Compare)):
                        out.append((part.lineno, getattr(sub, "end_lineno", part.lineno), segment(ctx, part)))
        return out

    line = getattr(node, "lineno", 0)
    return {text for start, end, text in ctx.memo("robustness-tests", scope, compute) if start <= line}


# -- calls that give None on a miss -------------------------------------------------------------
_REQUEST_MAPPINGS = frozenset(
    {
        "args",
        "form",
        "values",
        "headers",
        "cookies",
        "files",
        "GET",
        "POST",
        "COOKIES",
        "META",
        "FILES",
        "query_params",
        "path_params",
        "match_info",
        "query",
        "params",
        "environ",
        "view_args",
        "json",
        "session",
        "query_arguments",
    }
)
_MAPPING_FACTORIES = frozenset(
    {
        "builtins.dict",
        "json.loads",
        "json.load",
        "yaml.safe_load",
        "collections.defaultdict",
        "collections.OrderedDict",
        "http.cookies.SimpleCookie",
        "Cookie.SimpleCookie",
        "copy.deepcopy",
        "copy.copy",
    }
)
_NONE_CALLS = {
    "os.getenv": "returns None for an unset variable",
    "os.environ.get": "returns None for an unset variable",
    "shutil.which": "returns None when the program is not found",
    "mimetypes.guess_extension": "returns None for an unknown type",
}
_URL_NONE_ATTRS = frozenset({"hostname", "username", "password"})
_ORM_CHAIN = re.compile(r"\.(query|filter|filter_by|where|order_by|objects|scalars|select_from|join)\b")
XML_USES = frozenset(
    {
        "text",
        "attrib",
        "tail",
        "tag",
        "get",
        "find",
        "findall",
        "findtext",
        "iter",
        "items",
        "keys",
        "get_text",
        "string",
        "attrs",
        "find_all",
        "getchildren",
        "set",
    }
)


def _annotated_mapping(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    text = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return text in {"dict", "Dict", "Mapping", "MutableMapping", "OrderedDict", "DefaultDict", "defaultdict"}


def _is_mapping_value(ctx: FileContext, value: ast.expr | None) -> bool:
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return True
    if isinstance(value, ast.Call):
        name = ctx.call_name(value) or ""
        if name in _MAPPING_FACTORIES or name.endswith(("request.get_json", ".get_json")):
            return True
    return False


def _self_attr_mapping(ctx: FileContext, attr: ast.Attribute) -> bool:
    """`self.x` where the class assigns `self.x = {}` (or `dict()`, ...) and nothing else."""
    if not (isinstance(attr.value, ast.Name) and attr.value.id == "self"):
        return False
    cls = ctx.enclosing_class(attr)
    if cls is None:
        return False

    def compute() -> dict[str, bool]:
        kinds: dict[str, bool] = {}
        for sub in ast.walk(cls):
            if isinstance(sub, (ast.Assign, ast.AnnAssign)):
                targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                for t in targets:
                    if (
                        isinstance(t, ast.Attribute)
                        and isinstance(t.value, ast.Name)
                        and t.value.id == "self"
                    ):
                        ok = sub.value is not None and _is_mapping_value(ctx, sub.value)
                        kinds[t.attr] = kinds.get(t.attr, True) and ok
        return kinds

    return ctx.memo("robustness-self-maps", cls, compute).get(attr.attr, False)


def mapping_receiver(ctx: FileContext, recv: ast.expr) -> str | None:
    """A description of `recv` when it is known to be a mapping whose `.get()` may give None."""
    qual = ctx.qualname(recv) or ""
    if qual in {"os.environ", "flask.session", "flask.g.__dict__"}:
        return qual
    if isinstance(recv, ast.Attribute) and recv.attr in _REQUEST_MAPPINGS:
        if ctx.qualname(recv.value) in REQUEST_OBJECTS:
            return segment(ctx, recv) or recv.attr
    if isinstance(recv, ast.Call) and _is_mapping_value(ctx, recv):
        return segment(ctx, recv)
    if isinstance(recv, ast.Attribute) and _self_attr_mapping(ctx, recv):
        return segment(ctx, recv)
    if isinstance(recv, ast.Name):
        func = ctx.enclosing_function(recv)
        if func is not None:
            args = func.args
            if args.kwarg is not None and args.kwarg.arg == recv.id:
                return recv.id
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                if arg.arg == recv.id and _annotated_mapping(arg.annotation):
                    return recv.id
        value = reaching_value(ctx, recv)
        if value is None and func is None:
            value = module_constant(ctx, recv.id)
        if _is_mapping_value(ctx, value):
            return recv.id
        if isinstance(value, ast.Attribute) and value is not recv:
            inner = mapping_receiver(ctx, value)
            if inner:
                return recv.id
    return None


def none_result(ctx: FileContext, expr: ast.AST) -> str | None:
    """Why `expr` may evaluate to None on a miss (a sentence), or None when it cannot (as far as we know)."""
    if isinstance(expr, ast.Attribute) and expr.attr in _URL_NONE_ATTRS:
        base = expr.value
        if isinstance(base, ast.Name):
            base = reaching_value(ctx, base)  # type: ignore[assignment]
        if isinstance(base, ast.Call) and ctx.call_name(base) in {
            "urllib.parse.urlparse",
            "urllib.parse.urlsplit",
            "urlparse.urlparse",
            "urlparse.urlsplit",
        }:
            return f"`.{expr.attr}` of a parsed URL is None when the URL has no such part"
        return None
    if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Call):
        if ctx.call_name(expr.value) == "mimetypes.guess_type" and literal_value(expr.slice) == 0:
            return "`mimetypes.guess_type()[0]` is None for an unknown extension"
        return None
    if not isinstance(expr, ast.Call):
        return None
    name = ctx.call_name(expr) or ""
    if name in _NONE_CALLS and not _has_default(expr, 1):
        return f"`{short_text(ctx, expr)}` {_NONE_CALLS[name]}"
    if name == "builtins.getattr" and len(expr.args) == 3 and is_none(expr.args[2]):
        return "`getattr(..., None)` returns None when the attribute is missing"
    if name == "builtins.next" and len(expr.args) == 2 and is_none(expr.args[1]):
        return "`next(..., None)` returns None when the iterator is exhausted"
    if not isinstance(expr.func, ast.Attribute):
        return None
    method, recv = expr.func.attr, expr.func.value
    if method == "get" and len(expr.args) in (1, 2) and not expr.keywords:
        if len(expr.args) == 2 and not is_none(expr.args[1]):
            return None
        if isinstance(expr.args[0], ast.Starred):
            return None
        where = mapping_receiver(ctx, recv)
        if where and not _literal_key_present(ctx, recv, expr.args[0]):
            return f"`{short_text(ctx, expr)}` returns None when the key is missing"
        if isinstance(recv, ast.Attribute) and recv.attr == "query" and len(expr.args) == 1:
            return f"`{short_text(ctx, expr)}` returns None when no row matches"
        return None
    if method in {"one_or_none", "scalar_one_or_none"} and not expr.args:
        return f"`.{method}()` returns None when no row matches"
    if method == "first" and not expr.args and not expr.keywords and _ORM_CHAIN.search(segment(ctx, recv)):
        return "`.first()` returns None when the query matches no row"
    return None


def element_find(ctx: FileContext, expr: ast.AST) -> str | None:
    """`elem.find("tag")` (ElementTree / BeautifulSoup style): None when the element is absent."""
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "find"):
        return None
    if (
        len(expr.args) != 1
        or not isinstance(expr.args[0], ast.Constant)
        or not isinstance(expr.args[0].value, str)
    ):
        return None
    return f"`{short_text(ctx, expr)}` returns None when the document has no such element"


def element_use(ctx: FileContext, expr: ast.AST) -> bool:
    """`expr` is used the way only an element is: `.text`, `.attrib`, `.get()`, `["href"]`..."""
    parent = ctx.parent(expr)
    if isinstance(parent, ast.Subscript) and parent.value is expr:
        return isinstance(parent.slice, ast.Constant) and isinstance(parent.slice.value, str)
    return isinstance(parent, ast.Attribute) and parent.attr in XML_USES


def short_text(ctx: FileContext, node: ast.AST, limit: int = 60) -> str:
    text = " ".join(segment(ctx, node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _literal_key_present(ctx: FileContext, recv: ast.expr, key: ast.expr) -> bool:
    """`{"a": 1}.get("a")` or `D.get("a")` with `D = {"a": ...}`: the key is there."""
    value: ast.AST | None = recv
    if isinstance(recv, ast.Name):
        value = reaching_value(ctx, recv) or module_constant(ctx, recv.id)
    if not isinstance(value, ast.Dict) or not isinstance(key, ast.Constant):
        return False
    return any(isinstance(k, ast.Constant) and k.value == key.value for k in value.keys)


def _has_default(call: ast.Call, position: int) -> bool:
    if len(call.args) > position:
        return not is_none(call.args[position])
    return any(k.arg == "default" and not is_none(k.value) for k in call.keywords)


def use_attr_of(ctx: FileContext, expr: ast.AST) -> str | None:
    parent = ctx.parent(expr)
    if isinstance(parent, ast.Attribute) and parent.value is expr:
        return parent.attr
    return None


def iter_functions_and_module(ctx: FileContext) -> Iterator[ast.AST]:
    yield ctx.tree
    for node in ast.walk(ctx.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


# -- regular expressions ---------------------------------------------------------------------
_RE_FUNCS = frozenset({f"{m}.{f}" for m in ("re", "regex") for f in ("match", "search", "fullmatch")})
_RE_COMPILE = frozenset({"re.compile", "regex.compile"})


def _compiled_pattern(ctx: FileContext, recv: ast.expr) -> ast.Call | None:
    """The `re.compile(...)` call a receiver refers to (inline, local, module, or class attribute)."""
    value: ast.AST | None = recv
    if isinstance(recv, ast.Name):
        value = reaching_value(ctx, recv) or module_constant(ctx, recv.id)
    elif isinstance(recv, ast.Attribute) and isinstance(recv.value, ast.Name):
        value = _class_attribute(ctx, recv)
    if isinstance(value, ast.Call) and ctx.call_name(value) in _RE_COMPILE:
        return value
    return None


def _class_attribute(ctx: FileContext, attr: ast.Attribute) -> ast.expr | None:
    """`self.X`, `cls.X` or `Klass.X` bound once in a class body of this file."""
    owner = attr.value.id  # type: ignore[union-attr]
    cls = ctx.enclosing_class(attr) if owner in {"self", "cls"} else None
    classes = (
        [cls]
        if cls is not None
        else [n for n in ctx.tree.body if isinstance(n, ast.ClassDef) and n.name == owner]
    )
    for klass in classes:
        for stmt in klass.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == attr.attr
            ):
                return stmt.value
    return None


class RegexCall(NamedTuple):
    what: str
    method: str
    pattern: ast.expr | None
    flags: ast.expr | None
    subject: ast.expr | None


def regex_match(ctx: FileContext, call: ast.Call) -> RegexCall | None:
    """The parts of a `re.match/search/fullmatch` style call (module function or compiled pattern)."""
    name = ctx.call_name(call) or ""
    if name in _RE_FUNCS:
        return RegexCall(
            f"`{name}()`",
            name.rsplit(".", 1)[1],
            _arg(call, 0, "pattern"),
            _arg(call, 2, "flags"),
            _arg(call, 1, "string"),
        )
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in {"match", "search", "fullmatch"}:
        compiled = _compiled_pattern(ctx, func.value)
        if compiled is not None:
            if len(call.args) > 1 or call.keywords:
                return None  # pos/endpos: the match starts mid-string, probes say nothing
            return RegexCall(
                f"`{short_text(ctx, func)}()`",
                func.attr,
                _arg(compiled, 0, "pattern"),
                _arg(compiled, 1, "flags"),
                _arg(call, 0, "string"),
            )
    return None


def _arg(call: ast.Call, pos: int, kw: str) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == kw:
            return k.value
    if pos < len(call.args) and not isinstance(call.args[pos], ast.Starred):
        return call.args[pos]
    return None


_PROBES = ("", "a", "0", "_", " ", "a\n", "\u00e9t\u00e9", "".join(chr(c) for c in range(32, 127)))
_FLAG_NAMES = {
    "I": re.I,
    "IGNORECASE": re.I,
    "M": re.M,
    "MULTILINE": re.M,
    "S": re.S,
    "DOTALL": re.S,
    "X": re.X,
    "VERBOSE": re.X,
    "A": re.A,
    "ASCII": re.A,
    "U": re.U,
    "UNICODE": re.U,
}


def _flags(ctx: FileContext, expr: ast.expr | None) -> int | None:
    if expr is None:
        return 0
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return expr.value
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        left, right = _flags(ctx, expr.left), _flags(ctx, expr.right)
        return None if left is None or right is None else left | right
    name = ctx.qualname(expr) or ""
    module, _, flag = name.rpartition(".")
    if module in {"re", "re.RegexFlag", "regex"} and flag in _FLAG_NAMES:
        return int(_FLAG_NAMES[flag])
    return None


def always_matches(ctx: FileContext, pattern: ast.expr | None, flags: ast.expr | None, method: str) -> bool:
    """A literal pattern matching every probe string (`\\s*`, `(.*?)(\\d*)$`): a miss is not expected."""
    value = literal_value(pattern, ctx)
    flag_value = _flags(ctx, flags)
    if method == "fullmatch" or not isinstance(value, (str, bytes)) or flag_value is None:
        return False
    try:
        compiled = re.compile(value, flag_value)
        test = compiled.search if method == "search" else compiled.match
        probes = _PROBES if isinstance(value, str) else [p.encode("utf-8") for p in _PROBES]
        return all(test(probe) is not None for probe in probes)
    except (re.error, RecursionError, OverflowError, ValueError):
        return False


# -- security checks and their exceptions ----------------------------------------------------------
SECURITY_EXCEPTION = re.compile(
    r"^(InvalidSignature|BadSignature|BadTimeSignature|SignatureExpired|BadData|BadPayload|InvalidToken\w*|"
    r"ExpiredSignature\w*|InvalidSignatureError|ImmatureSignatureError|InvalidAudience\w*|InvalidIssuer\w*|"
    r"DecodeError|PyJWTError|JWTError|JWSError|JOSEError|InvalidKeyError|CertificateError|SSLError|"
    r"SSLCertVerificationError|PermissionDenied|PermissionError|Forbidden|HTTPForbidden|NotAuthorized|"
    r"PolicyNotAuthorized|Unauthorized|HTTPUnauthorized|AuthenticationFailed|AuthenticationError|"
    r"AuthorizationError|AccessDenied|NotAuthenticated|VerificationError|VerifyMismatchError|InvalidHash|"
    r"SuspiciousOperation|CSRFError|ValidationError|InvalidKey|InvalidTag|InvalidMac|BadMac|BadSignatureError)$"
)
_LOGGING_RECEIVER = re.compile(
    r"(^|\.)_*(log|logger|logging|LOG|LOGGER|log_\w+|\w+_log|\w+_logger|warnings)$", re.I
)
_LOGGING_CALLS = frozenset(
    {
        "builtins.print",
        "warnings.warn",
        "traceback.print_exc",
        "sys.stderr.write",
        "logging.exception",
        "logging.error",
        "logging.warning",
        "logging.info",
        "logging.debug",
        "logging.critical",
        "logging.warn",
    }
)


def broad_or_security_handler(ctx: FileContext, handler: ast.ExceptHandler) -> str | None:
    """`except:` / `Exception` / a security exception: the name to show, else None."""
    if handler.type is None:
        return "a bare `except:`"
    for name in handler_names(ctx, handler):
        short = name.rsplit(".", 1)[-1]
        if short in {"Exception", "BaseException"} or SECURITY_EXCEPTION.match(short):
            return f"`except {short}`"
    return None


def is_logging_call(ctx: FileContext, call: ast.AST) -> bool:
    if not isinstance(call, ast.Call):
        return False
    name = ctx.call_name(call) or ""
    if name in _LOGGING_CALLS:
        return True
    receiver, _, _ = name.rpartition(".")
    return bool(receiver) and bool(_LOGGING_RECEIVER.search(receiver))


def swallows(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    """The handler only passes or logs: nothing returns, raises, records the failure or leaves the loop."""
    for stmt in handler.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring-like comment or `...`
        if isinstance(stmt, ast.Expr) and is_logging_call(ctx, stmt.value):
            continue
        return False
    return True


ACCESS_FUNCTION = re.compile(
    r"^_*(is_|has_|can_|check_|verify|validate|authenticate|authori[sz]e|allow|permit|may_|user_can|"
    r"is_valid|ensure_|require_|assert_)",
    re.I,
)
_ACCESS_WORDS = re.compile(
    r"(allow|authori[sz]|authent|perm|access|valid|verif|trust|safe|signature|token|passw|admin|owner|csrf|"
    r"acl|polic|role|privilege|login|credential|cert|hostname|origin|referr?er|redirect|scope|grant|"
    r"can_(view|edit|delete|access|read|write|modify|manage|admin|update|create|see|change))",
    re.I,
)
_DENY_WORDS = re.compile(
    r"(expired|locked|blocked|denied|deny|forbidden|revoked|invalid|banned|disabled|required|restricted|"
    r"blacklist|denylist|limited|throttl|suspicious|malicious|unsafe|untrusted|need|must|reject|stale|"
    r"missing|empty|fail)",
    re.I,
)


def decides_access(name: str) -> bool:
    """`is_authorized`, `check_permission`, `verify_token`, `can_edit`: True means "let it through"."""
    return (
        bool(ACCESS_FUNCTION.match(name))
        and bool(_ACCESS_WORDS.search(name))
        and not _DENY_WORDS.search(name)
    )


def truthy_return(stmt: ast.AST) -> bool:
    """`return True` (or a literal "allow"-like answer)."""
    if not isinstance(stmt, ast.Return) or stmt.value is None:
        return False
    value = stmt.value
    if isinstance(value, ast.Constant):
        return value.value is True or (
            isinstance(value.value, str)
            and value.value.lower() in {"allow", "allowed", "permit", "grant", "granted", "ok"}
        )
    return False


_NOT_FOUND = re.compile(
    r"(DoesNotExist|NotFound|NoResultFound|KeyError|LookupError|IndexError|StopIteration|ImportError|"
    r"NotImplementedError|FileExistsError|NoSuch|Missing)"
)


def fail_open(ctx: FileContext, handler: ast.ExceptHandler) -> tuple[str, str, ast.AST] | None:
    """(function name, handler kind, the granting return) when an access decision grants on an exception."""
    func = ctx.enclosing_function(handler)
    if func is None or not decides_access(func.name):
        return None
    kind = broad_or_security_handler(ctx, handler)
    if kind is None:
        names = [n.rsplit(".", 1)[-1] for n in handler_names(ctx, handler)]
        if not names or any(_NOT_FOUND.search(n) for n in names):
            return None  # "not found" may honestly mean yes (a free user name, an absent lock)
        kind = f"`except {', '.join(names)}`"
    for stmt in handler.body:
        if truthy_return(stmt):
            return func.name, kind, stmt
    try_stmt = ctx.parent(handler)
    if isinstance(try_stmt, ast.Try) and not try_stmt.orelse and swallows(ctx, handler):
        after = block_after(ctx, try_stmt)
        if after and truthy_return(after[0]) and ctx.parent(try_stmt) is func:
            return func.name, kind, after[0]
    return None


_CHECK_NAME = re.compile(
    r"^_*(verify|verify_\w+|authenticate|authenticate_\w+|authori[sz]e|authori[sz]e_\w+|enforce|"
    r"check_perms?|check_permissions?|has_perms?|has_permission|check_password|check_auth\w*|check_access\w*|"
    r"check_token|check_signature|check_csrf\w*|check_hostname|match_hostname|unsign|check_policy|"
    r"require_\w*(perm|auth|login|admin|role|scope|owner|access)\w*|"
    r"assert_\w*(perm|access|owner|auth|admin|role)\w*|validate_\w*(token|signature|sig|cert|auth|passw|csrf|"
    r"hmac|jwt|credential|perm|access|origin|referr?er|redirect|session|otp|mac)\w*)$",
    re.I,
)
_CHECK_QUALNAMES = frozenset(
    {
        "jwt.decode",
        "jose.jwt.decode",
        "jwt.api_jwt.decode",
        "jwt.api_jws.decode",
        "ssl.match_hostname",
        "authlib.jose.jwt.decode",
    }
)


def security_check(ctx: FileContext, call: ast.AST) -> str | None:
    """The name of a call whose job is to raise when a security check fails, or None."""
    if isinstance(call, ast.Await):
        call = call.value
    if not isinstance(call, ast.Call):
        return None
    name = ctx.call_name(call) or ""
    if name in _CHECK_QUALNAMES:
        return name
    if isinstance(call.func, ast.Attribute):
        short, receiver = call.func.attr, ctx.qualname(call.func.value) or ""
    elif isinstance(call.func, ast.Name):
        short, receiver = call.func.id, ""
    else:
        return None
    if _CHECK_NAME.match(short):
        return name or short
    if short == "can" and re.search(r"(context|ctxt|ctx)$", receiver):
        return name or short
    return None


# -- conversions of outside input ------------------------------------------------------------------
_VALUE_ERRORS = frozenset({"ValueError", "TypeError"})
CONVERTERS: dict[str, frozenset[str]] = {
    "builtins.int": _VALUE_ERRORS,
    "builtins.float": _VALUE_ERRORS,
    "builtins.complex": _VALUE_ERRORS,
    "uuid.UUID": _VALUE_ERRORS | {"AttributeError"},
    "datetime.datetime.strptime": _VALUE_ERRORS,
    "datetime.datetime.fromisoformat": _VALUE_ERRORS,
    "datetime.date.fromisoformat": _VALUE_ERRORS,
    "time.strptime": _VALUE_ERRORS,
    "ipaddress.ip_address": _VALUE_ERRORS,
    "ipaddress.ip_network": _VALUE_ERRORS,
    "ipaddress.ip_interface": _VALUE_ERRORS,
    "ipaddress.IPv4Address": _VALUE_ERRORS | {"AddressValueError"},
    "ipaddress.IPv6Address": _VALUE_ERRORS | {"AddressValueError"},
    "json.loads": _VALUE_ERRORS | {"JSONDecodeError"},
    "base64.b64decode": _VALUE_ERRORS | {"Error", "binascii.Error"},
    "base64.urlsafe_b64decode": _VALUE_ERRORS | {"Error", "binascii.Error"},
    "base64.b32decode": _VALUE_ERRORS | {"Error", "binascii.Error"},
    "decimal.Decimal": frozenset({"InvalidOperation", "DecimalException", "ArithmeticError"}),
}
_PASS_THROUGH = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "decode", "encode", "casefold"})
_INPUT_GETTERS = frozenset(
    {
        "get",
        "get_argument",
        "get_query_argument",
        "get_body_argument",
        "getvalue",
        "getfirst",
        "get_data",
        "get_json",
        "read",
        "pop",
        "__getitem__",
    }
)
_TYPED = frozenset(
    {"int", "float", "UUID", "uuid.UUID", "datetime", "date", "Decimal", "IPv4Address", "IPv6Address", "bool"}
)


def strip_wrappers(ctx: FileContext, expr: ast.expr) -> ast.expr:
    """`x.strip()`, `str(x)`, `x or 0`: the value that is really converted."""
    for _ in range(6):
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in _PASS_THROUGH
        ):
            expr = expr.func.value
        elif isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.str" and len(expr.args) == 1:
            expr = expr.args[0]
        elif isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            expr = expr.values[0]
        else:
            break
    return expr


def direct_input(ctx: FileContext, expr: ast.expr | None, depth: int = 3) -> Source | None:
    """The outside value `expr` is (not merely contains): `request.args["n"]`, `sys.argv[1]`, a route
    parameter, `input()`, or a local name bound to one of these. The environment (operator input) is
    left out."""
    if expr is None or depth < 0:
        return None
    expr = strip_wrappers(ctx, expr)
    if isinstance(expr, ast.Name):
        source = external_source(ctx, expr, depth=0)
        if source is not None and source.node is expr:
            return _keep(source)  # a route parameter
        return direct_input(ctx, reaching_value(ctx, expr), depth - 1)
    if isinstance(expr, ast.Subscript):
        return _input_container(ctx, expr.value, 2)
    if isinstance(expr, ast.Attribute):
        return _keep(external_source(ctx, expr, depth=0))
    if isinstance(expr, ast.Call):
        if ctx.call_name(expr) == "builtins.input":
            return _keep(external_source(ctx, expr, depth=0))
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in _INPUT_GETTERS:
            if any(k.arg == "type" for k in expr.keywords):
                return None
            return _input_container(ctx, expr.func.value, 2)
    return None


_PARSERS = frozenset(
    {"json.loads", "json.load", "yaml.safe_load", "urllib.parse.parse_qs", "urllib.parse.parse_qsl"}
)


def _input_container(ctx: FileContext, base: ast.expr | None, depth: int) -> Source | None:
    """`request.args`, `request.get_json()`, `json.loads(request.data)`, `sys.argv`, or a name bound to
    one."""
    if base is None or depth < 0:
        return None
    if isinstance(base, ast.Name):
        source = external_source(ctx, base, depth=0)
        if source is not None and source.node is base:
            return _keep(source)
        return _input_container(ctx, reaching_value(ctx, base), depth - 1)
    if isinstance(base, ast.Attribute):
        return _keep(external_source(ctx, base, depth=0))
    if isinstance(base, ast.Subscript):
        return _input_container(ctx, base.value, depth)
    if isinstance(base, ast.Call):
        name = ctx.call_name(base) or ""
        if isinstance(base.func, ast.Attribute) and base.func.attr in {"get_json", "get_data", "json"}:
            return _keep(external_source(ctx, base.func, depth=0))
        if isinstance(base.func, ast.Attribute) and base.func.attr == "get":
            return _input_container(ctx, base.func.value, depth)
        if name in _PARSERS and base.args:
            return direct_input(ctx, base.args[0], depth - 1)
    return None


def _keep(source: Source | None) -> Source | None:
    if source is None or "environment" in source.description:
        return None
    return source


def route_param_typed(ctx: FileContext, name: str, func: ast.AST | None) -> bool:
    """A route parameter declared with a converter (`<int:id>`) or a typed annotation (FastAPI)."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for arg in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs):
        if arg.arg == name and arg.annotation is not None:
            text = segment(ctx, arg.annotation)
            if text in _TYPED or text.rsplit(".", 1)[-1] in _TYPED:
                return True
    for deco in func.decorator_list:
        if isinstance(deco, ast.Call) and deco.args and isinstance(deco.args[0], ast.Constant):
            path = str(deco.args[0].value)
            if re.search(r"<(int|float|uuid|path_int):" + re.escape(name) + r">", path):
                return True
    return False


def file_error_handlers(ctx: FileContext) -> frozenset[str]:
    """Exception names an app-wide handler in this file turns into a response (`@app.errorhandler(X)`)."""

    def compute() -> frozenset[str]:
        found: set[str] = set()
        for node in ast.walk(ctx.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.args
                and node.func.attr
                in {"errorhandler", "register_error_handler", "exception_handler", "add_exception_handler"}
            ):
                name = ctx.qualname(node.args[0]) or ""
                found.add(name.rsplit(".", 1)[-1])
        return frozenset(found)

    return ctx.memo("robustness-error-handlers", ctx.tree, compute)


_SHAPE_CHECKS = frozenset(
    {"isdigit", "isdecimal", "isnumeric", "isalnum", "match", "fullmatch", "search", "isidentifier"}
)


def shape_checked(ctx: FileContext, call: ast.Call, value: ast.expr) -> bool:
    """A test before the conversion checks the value's shape (`s.isdigit()`, `PAT.fullmatch(s)`)."""
    value = strip_wrappers(ctx, value)
    text = segment(ctx, value)
    func = ctx.enclosing_function(call) or ctx.tree
    for node in ast.walk(func):
        test = (
            getattr(node, "test", None)
            if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert))
            else None
        )
        if test is None or node.lineno > call.lineno:  # type: ignore[attr-defined]
            continue
        for sub in ast.walk(test):
            if (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Attribute)
                and sub.func.attr in _SHAPE_CHECKS
            ):
                parts = [sub.func.value, *sub.args]
                if any(segment(ctx, strip_wrappers(ctx, p)) == text for p in parts):
                    return True
    return False


# -- ctypes ------------------------------------------------------------------------------------------
# Bits kept by each fixed-width integer type (c_long / c_ulong are 32 bits on Windows).
CTYPES_INT_BITS = {
    "c_byte": 8,
    "c_ubyte": 8,
    "c_int8": 8,
    "c_uint8": 8,
    "c_short": 16,
    "c_ushort": 16,
    "c_int16": 16,
    "c_uint16": 16,
    "c_int": 32,
    "c_uint": 32,
    "c_int32": 32,
    "c_uint32": 32,
    "c_long": 32,
    "c_ulong": 32,
    "c_int64": 64,
    "c_uint64": 64,
    "c_longlong": 64,
    "c_ulonglong": 64,
    "c_size_t": 64,
    "c_ssize_t": 64,
}
NUMPY_INT_BITS = {
    "int8": 8,
    "uint8": 8,
    "int16": 16,
    "uint16": 16,
    "int32": 32,
    "uint32": 32,
    "intc": 32,
    "uintc": 32,
    "short": 16,
    "ushort": 16,
    "byte": 8,
    "ubyte": 8,
    "int64": 64,
    "uint64": 64,
}
_OWNING_CTYPES = frozenset(
    {
        "create_string_buffer",
        "create_unicode_buffer",
        "c_char",
        "c_wchar",
        "c_char_p",
        "c_wchar_p",
        "c_void_p",
        "c_bool",
        "c_float",
        "c_double",
        "c_longdouble",
        *CTYPES_INT_BITS,
    }
)
_BYTE_TYPES = frozenset({"c_char", "c_byte", "c_ubyte", "c_int8", "c_uint8"})
_STRUCT_BASES = frozenset(
    {
        "ctypes.Structure",
        "ctypes.Union",
        "ctypes.BigEndianStructure",
        "ctypes.LittleEndianStructure",
        "ctypes.BigEndianUnion",
        "ctypes.LittleEndianUnion",
    }
)


def ctypes_name(ctx: FileContext, expr: ast.AST | None) -> str | None:
    """`c_int` for `ctypes.c_int` / `from ctypes import c_int` / `ct.c_int`, else None."""
    name = ctx.qualname(expr) or ""
    if name.startswith("ctypes.") and name.count(".") == 1:
        return name.split(".", 1)[1]
    return None


def _local_struct(ctx: FileContext, name: str) -> bool:
    def compute() -> frozenset[str]:
        found = set()
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.ClassDef):
                bases = {ctx.qualname(b) or "" for b in node.bases}
                if bases & _STRUCT_BASES or bases & found:
                    found.add(node.name)
        return frozenset(found)

    return name in ctx.memo("robustness-structs", ctx.tree, compute)


def owning_creation(ctx: FileContext, expr: ast.AST | None) -> str | None:
    """A call that creates a ctypes object owning its memory: a description, else None."""
    if not isinstance(expr, ast.Call):
        return None
    kind = ctypes_name(ctx, expr.func)
    if kind in _OWNING_CTYPES:
        return f"`ctypes.{kind}(...)`"
    func = expr.func
    if isinstance(func, ast.BinOp) and isinstance(func.op, ast.Mult):
        if ctypes_name(ctx, func.left) or (
            isinstance(func.left, ast.Name) and _local_struct(ctx, func.left.id)
        ):
            return f"the array `{short_text(ctx, expr)}`"
    if isinstance(func, ast.Attribute) and func.attr == "from_buffer_copy":
        return f"`{short_text(ctx, expr)}`"
    if isinstance(func, ast.Name) and _local_struct(ctx, func.id):
        return f"the structure `{func.id}()`"
    return None


def buffer_base(ctx: FileContext, expr: ast.expr) -> ast.expr:
    """`addressof(buf) + 4`, `byref(buf, 4)`, `cast(buf, T)`, `pointer(buf)` -> `buf`."""
    for _ in range(4):
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Sub)):
            expr = expr.left
        elif (
            isinstance(expr, ast.Call)
            and ctypes_name(ctx, expr.func)
            in {"addressof", "byref", "cast", "pointer", "c_void_p", "c_char_p"}
            and expr.args
        ):
            expr = expr.args[0]
        else:
            break
    return expr


class BufferSize(NamedTuple):
    size: ast.expr | None  # the element count / byte size expression
    init: ast.expr | None  # `create_string_buffer(init)`: size is len(init) + 1
    byte_elements: bool  # each element is one byte
    type_text: str  # the type `sizeof()` may be given for it ("Header", "c_char * 16")
    described: str  # how the buffer was made


def buffer_size(ctx: FileContext, buf: ast.expr) -> BufferSize | None:
    """How big a ctypes object made in this function (or module) is, from its creation."""
    value: ast.AST | None = buf
    if isinstance(buf, ast.Name):
        value = reaching_value(ctx, buf)
    if not isinstance(value, ast.Call):
        return None
    kind = ctypes_name(ctx, value.func)
    made = short_text(ctx, value)
    if kind == "create_string_buffer" and value.args:
        first = value.args[0]
        size = value.args[1] if len(value.args) > 1 else None
        if size is not None:
            return BufferSize(size, None, True, "", made)
        if (
            isinstance(first, ast.Constant)
            and isinstance(first.value, int)
            or isinstance(first, ast.BinOp)
            or isinstance(first, ast.Call)
            and ctx.call_name(first) in {"builtins.len", "builtins.int"}
        ):
            return BufferSize(first, None, True, "", made)
        if isinstance(first, ast.Constant) and isinstance(first.value, bytes):
            return BufferSize(ast.Constant(len(first.value) + 1), None, True, "", made)
        return BufferSize(None, first, True, "", made)
    func = value.func
    if isinstance(func, ast.BinOp) and isinstance(func.op, ast.Mult) and ctypes_name(ctx, func.left):
        return BufferSize(
            func.right, None, ctypes_name(ctx, func.left) in _BYTE_TYPES, segment(ctx, func), made
        )
    if owning_creation(ctx, value) and kind != "create_unicode_buffer":
        return BufferSize(None, None, False, segment(ctx, func), made)
    return None


def _int(ctx: FileContext, expr: ast.AST | None) -> int | None:
    value = literal_value(expr, ctx)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def size_fits(ctx: FileContext, count: ast.expr, buf: ast.expr, size: BufferSize | None) -> bool:
    """The byte count is visibly bounded by the buffer: sizeof/len of it, min(), the size it was made with."""
    buf_text = segment(ctx, buf)
    for node in ast.walk(count):
        if isinstance(node, ast.Call):
            name = ctx.call_name(node) or ""
            if name.rsplit(".", 1)[-1] == "min" and name in {"builtins.min", "min"}:
                return True
            if name in {"ctypes.sizeof", "builtins.len"} and node.args:
                arg_text = segment(ctx, node.args[0])
                if arg_text == buf_text or (
                    size is not None and size.type_text and arg_text == size.type_text
                ):
                    return True
        if isinstance(node, ast.Attribute) and node.attr == "_length_":
            return True
    if size is None:
        return False
    count_text = segment(ctx, count)
    if size.size is not None:
        if size.byte_elements and segment(ctx, size.size) == count_text:
            return True
        grown = size.size
        if (
            size.byte_elements
            and isinstance(grown, ast.BinOp)
            and isinstance(grown.op, ast.Add)
            and segment(ctx, grown.left) == count_text
            and (_int(ctx, grown.right) or 0) >= 0
        ):
            return True  # create_string_buffer(len(data) + 1) for len(data) bytes
        n, limit = _int(ctx, count), _int(ctx, size.size)
        if n is not None and limit is not None and size.byte_elements:
            return n <= limit
    return (
        size.init is not None
        and isinstance(count, ast.Call)
        and ctx.call_name(count) == "builtins.len"
        and bool(count.args)
        and segment(ctx, count.args[0]) == segment(ctx, size.init)
    )


def compared_before(ctx: FileContext, node: ast.AST, expr: ast.AST) -> bool:
    """A comparison before `node` in its function mentions one of the names used in `expr` (a bound check)."""
    names = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)} - {"len", "ctypes", "min", "max"}
    if not names:
        return False
    scope = ctx.enclosing_function(node) or ctx.tree
    line = getattr(node, "lineno", 0)
    for sub in ast.walk(scope):
        if isinstance(sub, ast.Compare) and sub.lineno <= line:
            if any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(sub)):
                return True
    return False


def struct_fields(ctx: FileContext, name: str) -> dict[str, str]:
    """field -> ctypes integer type name, for a Structure declared in this file with a literal `_fields_`."""

    def compute() -> dict[str, dict[str, str]]:
        table: dict[str, dict[str, str]] = {}
        for node in ast.walk(ctx.tree):
            if not isinstance(node, ast.ClassDef) or not _local_struct(ctx, node.name):
                continue
            fields: dict[str, str] = {}
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "_fields_" for t in stmt.targets
                ):
                    if isinstance(stmt.value, (ast.List, ast.Tuple)):
                        for item in stmt.value.elts:
                            if (
                                isinstance(item, ast.Tuple)
                                and len(item.elts) == 2
                                and isinstance(item.elts[0], ast.Constant)
                            ):
                                kind = ctypes_name(ctx, item.elts[1])
                                if kind in CTYPES_INT_BITS:
                                    fields[str(item.elts[0].value)] = kind
            table[node.name] = fields
        return table

    return ctx.memo("robustness-struct-fields", ctx.tree, compute).get(name, {})


_WRAPPING_OPS = (ast.Add, ast.Sub, ast.Mult, ast.LShift, ast.Pow)


def _has_variable(ctx: FileContext, expr: ast.AST) -> bool:
    """Some operand varies at run time: a local name or attribute, not a constant, an imported name or the
    type given to `sizeof()`."""
    if isinstance(expr, ast.Constant):
        return False
    if isinstance(expr, ast.Name):
        return (
            expr.id not in ctx.imports
            and not is_literal(expr, ctx)
            and not (ctx.qualname(expr) or "").startswith("builtins.")
        )
    if isinstance(expr, ast.Attribute):
        root: ast.AST = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        return not (isinstance(root, ast.Name) and root.id in ctx.imports)
    if isinstance(expr, ast.Call):
        if (ctx.call_name(expr) or "").rsplit(".", 1)[-1] in {"sizeof", "alignment"}:
            return False
        return any(_has_variable(ctx, a) for a in (*expr.args, *(k.value for k in expr.keywords)))
    return any(_has_variable(ctx, child) for child in ast.iter_child_nodes(expr))


def wrapping_value(
    ctx: FileContext, expr: ast.expr | None, kind: str, anchor: ast.AST, depth: int = 2
) -> tuple[str, Source | None] | None:
    """Why `expr` may not fit a `kind` integer: (description, outside source or None), else None."""
    if expr is None or depth < 0:
        return None
    if isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.int" and len(expr.args) == 1:
        expr = expr.args[0]
    bits = CTYPES_INT_BITS.get(kind, NUMPY_INT_BITS.get(kind, 64))
    unsigned = kind.startswith(("c_u", "u")) or kind == "c_size_t"
    source = direct_input(ctx, expr)
    if source is not None:
        if compared_before(ctx, anchor, expr):
            return None
        return f"outside input ({source.description})", source
    if isinstance(expr, ast.Name):
        if compared_before(ctx, anchor, expr):
            return None
        return wrapping_value(ctx, reaching_value(ctx, expr), kind, anchor, depth - 1)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, _WRAPPING_OPS):
        if not _has_variable(ctx, expr):
            return None
        if bits == 64 and not (unsigned and isinstance(expr.op, ast.Sub)):
            return None
        if compared_before(ctx, anchor, expr):
            return None
        if unsigned and isinstance(expr.op, ast.Sub):
            return f"the subtraction `{short_text(ctx, expr)}` (negative results become huge)", None
        return f"the arithmetic `{short_text(ctx, expr)}`", None
    if isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.len" and bits < 64:
        if compared_before(ctx, anchor, expr):
            return None
        return f"`{short_text(ctx, expr)}`", None
    return None


def count_source(ctx: FileContext, count: ast.expr) -> Source | None:
    """Outside data the byte count comes from (`len(sock.recv(...))`, `int(request.args[...])`)."""
    return _keep(external_source(ctx, count))


def overflow_reason(
    ctx: FileContext, call: ast.Call, target: ast.expr, count: ast.expr
) -> tuple[str, Source | None] | None:
    """Why copying `count` bytes to/from `target` may run past the buffer, else None."""
    base = buffer_base(ctx, target)
    size = buffer_size(ctx, base)
    if size_fits(ctx, count, base, size) or compared_before(ctx, call, count):
        return None
    source = count_source(ctx, count)
    count_text = short_text(ctx, count)
    if size is not None:
        limit = _int(ctx, size.size) if size.byte_elements else None
        n = _int(ctx, count)
        if n is not None and limit is not None:
            return f"{n} bytes but `{segment(ctx, base)}` holds only {limit}", source
        if n is not None and source is None and limit is None:
            return None  # a constant count against a structure: sizes unknown here
        return (
            f"`{count_text}` bytes, which nothing bounds by the size of `{segment(ctx, base)}` "
            f"(made by `{size.described}`)",
            source,
        )
    if source is not None:
        return f"`{count_text}` bytes taken from {source.description} into memory of unknown size", source
    return None


_TEMP_BYTES_METHODS = frozenset({"encode", "tobytes", "to_bytes", "getvalue", "read", "join"})


def temporary_memory(ctx: FileContext, expr: ast.AST | None) -> str | None:
    """A call result that owns memory and that nothing else references: freed at the end of the expression."""
    made = owning_creation(ctx, expr)
    if made:
        return made
    if isinstance(expr, ast.Call):
        name = ctx.call_name(expr) or ""
        if name in {"builtins.bytes", "builtins.bytearray"} and expr.args:
            return f"`{short_text(ctx, expr)}`"
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in _TEMP_BYTES_METHODS:
            return f"`{short_text(ctx, expr)}`"
    return None


_KEEPS_NOTHING = frozenset(
    {
        "ctypes.addressof",
        "ctypes.sizeof",
        "ctypes.byref",
        "ctypes.memmove",
        "ctypes.memset",
        "ctypes.string_at",
        "ctypes.wstring_at",
        "ctypes.cast",
        "builtins.len",
        "builtins.bytes",
        "builtins.print",
        "builtins.id",
    }
)


_LIBRARY_LOADERS = frozenset(
    {
        "ctypes.CDLL",
        "ctypes.PyDLL",
        "ctypes.WinDLL",
        "ctypes.OleDLL",
        "ctypes.cdll.LoadLibrary",
        "ctypes.windll.LoadLibrary",
        "ctypes.pydll.LoadLibrary",
    }
)


def foreign_call(ctx: FileContext, call: ast.Call) -> bool:
    """`lib.func(...)` with `lib = ctypes.CDLL(...)`: a C function, which keeps no Python reference."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    root = func.value
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    if (ctx.qualname(func.value) or "").startswith(("ctypes.cdll.", "ctypes.windll.", "ctypes.pythonapi")):
        return True
    value = reaching_value(ctx, root) or module_constant(ctx, root.id)
    return isinstance(value, ast.Call) and ctx.call_name(value) in _LIBRARY_LOADERS


def local_escapes(ctx: FileContext, func: ast.AST, ident: str, skip: ast.AST) -> bool:
    """`ident` may outlive the function: returned, stored, captured, handed to a call that could keep it."""
    for node in ast.walk(func):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and ident in node.names:
            return True
        if not (isinstance(node, ast.Name) and node.id == ident and isinstance(node.ctx, ast.Load)):
            continue
        if any(anc is skip for anc in ctx.ancestors(node)):
            continue
        inner = ctx.enclosing_function(node)
        if inner is not func and inner is not None:
            return True  # a closure keeps it alive
        parent = ctx.parent(node)
        if isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is node:
            continue  # buf.raw, buf[0]
        if (
            isinstance(parent, ast.Call)
            and node in parent.args
            and (ctx.call_name(parent) in _KEEPS_NOTHING or foreign_call(ctx, parent))
        ):
            continue
        if isinstance(parent, ast.Compare):
            continue
        return True
    return False


def in_test_code(ctx: FileContext, node: ast.AST) -> bool:
    """Inside a test (`test_*` function, `Test*` class, `assert`, `self.assertEqual(...)`): a crash there is
    the test failing, which is what the test is for."""
    for anc in ctx.ancestors(node):
        if isinstance(anc, ast.Assert):
            return True
        func = anc.func if isinstance(anc, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr.startswith("assert"):
            return True
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)) and anc.name.startswith("test"):
            return True
        if isinstance(anc, ast.ClassDef) and anc.name.startswith("Test"):
            return True
    return False


_WEB_FRAMEWORKS = frozenset(
    {
        "django",
        "rest_framework",
        "flask",
        "werkzeug",
        "webob",
        "pyramid",
        "tornado",
        "falcon",
        "aiohttp",
        "starlette",
        "fastapi",
        "pecan",
        "bottle",
        "sanic",
        "quart",
        "cherrypy",
        "webapp2",
        "wsme",
        "litestar",
    }
)
_HANDLER_CLASS = re.compile(r"(View|Handler|Controller|Resource|ViewSet|Endpoint|Api|API)$")


def is_web_request(ctx: FileContext, source: Source) -> bool:
    """The request a source reads is a server-side web request, not an outgoing client request object."""
    node = source.node
    while isinstance(node, ast.Attribute):
        node = node.value
    qual = ctx.qualname(node) or ""
    if "." in qual and qual.split(".", 1)[0] in _WEB_FRAMEWORKS:
        return True
    func = ctx.enclosing_function(source.node)
    if func is not None and is_route_handler(ctx, func):
        return True
    cls = ctx.enclosing_class(source.node)
    if cls is not None and _HANDLER_CLASS.search(cls.name):
        return True
    return any(target.split(".", 1)[0].lstrip(".") in _WEB_FRAMEWORKS for target in ctx.imports.values())
