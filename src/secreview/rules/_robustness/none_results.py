"""Expressions that give None on a miss: `os.getenv()`, `.get()` on a known mapping, `.first()` of a
query, `urlparse(...).hostname`, `elem.find("tag")`, and what only an element is used for."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext, walk
from secreview.analysis.flow import reaching_value
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import is_none, literal_value, module_constant
from secreview.rules._robustness.source_text import segment, short_text
from secreview.taint.provenance import request_mapping, source_of

_ROBUSTNESS_SELF_MAPS: MemoKey[dict[str, bool]] = MemoKey("robustness-self-maps")

# -- calls that give None on a miss -------------------------------------------------------------
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
        for sub in walk(cls):
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

    return ctx.memo(_ROBUSTNESS_SELF_MAPS, cls, compute).get(attr.attr, False)


def mapping_receiver(ctx: FileContext, recv: ast.expr) -> str | None:
    """A description of `recv` when it is known to be a mapping whose `.get()` may give None."""
    qual = ctx.qualname(recv) or ""
    if qual in {"os.environ", "flask.session", "flask.g.__dict__"}:
        return qual
    if isinstance(recv, ast.Attribute) and request_mapping(ctx, recv):
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
        if isinstance(value, ast.Attribute):  # (recv is a Name here: never the same node)
            inner = mapping_receiver(ctx, value)
            if inner:
                return recv.id
    return None


def none_result(ctx: FileContext, expr: ast.AST) -> str | None:
    """Why `expr` may evaluate to None on a miss (a sentence), or None when it cannot (as far as we know)."""
    if isinstance(expr, ast.Attribute) and expr.attr in _URL_NONE_ATTRS:
        base: ast.expr | None = expr.value
        if isinstance(base, ast.Name):
            base = reaching_value(ctx, base)
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
    if method == "first" and not expr.args and not expr.keywords:
        is_query, aggregate_only = orm_query(ctx, recv)
        if is_query and not aggregate_only:
            return "`.first()` returns None when the query matches no row"
    return None


# -- ORM queries ----------------------------------------------------------------------------------
# SQL aggregates: a query that selects only these, without GROUP BY, always answers exactly one row.
_AGGREGATES = frozenset({"count", "sum", "min", "max", "avg", "coalesce", "total", "bool_and", "bool_or",
                         "array_agg", "string_agg", "group_concat", "every"})  # fmt: skip
_QUERY_ROOTS = frozenset({"query", "select", "model_query"})
_GROUPING = frozenset({"group_by", "having"})


def orm_query(ctx: FileContext, recv: ast.expr) -> tuple[bool, bool]:
    """(is an ORM query, selects only aggregates without GROUP BY) for the receiver of `.first()`.

    A local name is followed to the chain it was built from (`q = session.query(M).filter(...)`, then
    `q = q.filter(...)`), so `q.first()` is judged like the same chain written inline."""
    texts: list[str] = []
    grouped = False
    node: ast.expr | None = recv
    for _ in range(12):
        if isinstance(node, ast.Name):
            texts.append(node.id)
            value = reaching_value(ctx, node)
            if value is None or value is node:
                break
            node = value
            continue
        if not isinstance(node, (ast.Call, ast.Attribute)):
            break
        texts.append(segment(ctx, node))
        if isinstance(node, ast.Call):
            func = node.func
            last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if last in _GROUPING:
                grouped = True
            if last in _QUERY_ROOTS:
                return True, not grouped and _selects_aggregates_only(ctx, node)
            node = func.value if isinstance(func, ast.Attribute) else None
        else:
            node = node.value
    return bool(_ORM_CHAIN.search(" ".join(texts))), False


def _selects_aggregates_only(ctx: FileContext, root: ast.Call) -> bool:
    """`session.query(func.count(M.id), func.sum(M.size))` or `model_query(ctx, func.count(M.id))`: every
    selected column is an aggregate (plain names such as a context argument are not columns)."""
    columns = [a for a in root.args if not isinstance(a, ast.Name)]
    return bool(columns) and all(_aggregate(ctx, c) for c in columns)


def _aggregate(ctx: FileContext, expr: ast.expr) -> bool:
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        if expr.func.attr == "label":  # func.count(M.id).label("n")
            return _aggregate(ctx, expr.func.value)
        owner = ctx.qualname(expr.func.value) or ""
        return expr.func.attr.lower() in _AGGREGATES and owner.rsplit(".", 1)[-1] == "func"
    return False


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
    if expr.args[0].value.strip() in {".", "./"}:
        return None  # the element itself: never None
    return f"`{short_text(ctx, expr)}` returns None when the document has no such element"


# Calls that make a tree in memory (the code writes every element) and calls that parse a document.
_TREE_BUILDERS = frozenset({"Element", "SubElement", "E", "TreeBuilder"})
_PARSERS = frozenset({"fromstring", "XML", "parse", "HTML", "fromstringlist", "BeautifulSoup", "iterparse"})
_TREE_WALKS = frozenset({"find", "findall", "iterfind", "iter", "getroot", "getchildren", "find_all",
                         "select", "select_one", "xpath", "getparent", "getroottree"})  # fmt: skip


def element_document(ctx: FileContext, find: ast.Call) -> str:
    """Where the tree `find()` searches comes from: "built" (made in memory by this code, or parsed from a
    literal: its author wrote every element), "outside" (parsed from request data, a socket, the command
    line: whoever sends it decides what is missing) or "unknown" (a parameter, a file, a backend's reply
    the code trusts to be well-formed)."""
    node: ast.expr | None = find.func.value if isinstance(find.func, ast.Attribute) else None
    for _ in range(12):
        if isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            value = reaching_value(ctx, node)
            if value is None or value is node:
                return "unknown"
            node = value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _TREE_WALKS:
            node = node.func.value
        elif isinstance(node, ast.Call):
            name = (ctx.call_name(node) or "").rsplit(".", 1)[-1]
            if name == "ElementTree":  # ElementTree(element) wraps a tree; ElementTree(file=...) parses
                node = node.args[0] if node.args else None
                if node is None:
                    return "unknown"
            elif name in _TREE_BUILDERS:
                return "built"
            elif name in _PARSERS:
                data = node.args[0] if node.args else None
                if isinstance(data, ast.Constant):
                    return "built"
                return "outside" if data is not None and source_of(ctx, data) is not None else "unknown"
            else:
                return "unknown"
        else:
            return "unknown"
    return "unknown"


def outside_miss(ctx: FileContext, expr: ast.AST) -> bool:
    """Whether something outside the program decides the miss (a client leaves out a field, the operator
    an environment variable, the host a program, the database a row), rather than the program's own data
    (a local dict, `**kwargs`, an attribute of `self`, `getattr(o, name, None)`, `next(it, None)`), whose
    keys the surrounding code usually controls."""
    if not isinstance(expr, ast.Call):
        return True
    name = ctx.call_name(expr) or ""
    if name in {"builtins.getattr", "builtins.next"}:
        return False
    if not (isinstance(expr.func, ast.Attribute) and expr.func.attr == "get"):
        return True
    recv = expr.func.value
    qual = ctx.qualname(recv) or ""
    if qual.startswith(("os.environ", "flask.session", "flask.g")):
        return True
    if isinstance(recv, ast.Attribute) and (
        recv.attr == "query" or request_mapping(ctx, recv)
    ):
        return True  # `Model.query.get(pk)`: the row; `request.args.get(...)`: the client
    return source_of(ctx, recv) is not None


def element_use(ctx: FileContext, expr: ast.AST) -> bool:
    """`expr` is used the way only an element is: `.text`, `.attrib`, `.get()`, `["href"]`..."""
    parent = ctx.parent(expr)
    if isinstance(parent, ast.Subscript) and parent.value is expr:
        return isinstance(parent.slice, ast.Constant) and isinstance(parent.slice.value, str)
    return isinstance(parent, ast.Attribute) and parent.attr in XML_USES


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
