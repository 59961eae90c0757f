"""The source vocabulary of `provenance.py` (import that module, not this one): which single node is a
source, of which taint kind and part, told by the specs first and then by the conventions specs cannot
express. Every table of request attributes, web frameworks and HTTP clients a rule needs lives here.
"""

from __future__ import annotations

import ast
import functools
import re
import weakref
from typing import TYPE_CHECKING

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import Source, reaching_value
from secreview.analysis.memo import MemoKey
from secreview.taint.provenance_reach import params_of, remote_call
from secreview.taint.spec import Source as SpecSource
from secreview.taint.types import Typer

if TYPE_CHECKING:  # for the annotation only: the spec index (and its TOML reader) loads on first use
    from secreview.taint.loader import SpecIndex

_PROVENANCE_TYPER: MemoKey[Typer] = MemoKey("provenance-typer")
_PROVENANCE_OBJECT_PARAMS: MemoKey[frozenset[str]] = MemoKey("provenance-object-params")
_WEB_MODULE: MemoKey[bool] = MemoKey("web-module")

Found = tuple[Source, str, str]  # (the source, its taint kind, its part)

# Attributes of a request object that carry client-controlled data, across Flask, Django, WebOb/Pecan,
# Starlette/FastAPI, aiohttp, Bottle, Tornado and Falcon, for a `request` no spec types (a bare name in a
# module that imports a web framework).
REQUEST_ATTRS = frozenset({
    "args", "form", "values", "json", "data", "files", "cookies", "headers", "get_json", "get_data", "stream",
    "view_args", "query_string", "GET", "POST", "FILES", "COOKIES", "META", "body", "params", "body_file",
    "query_params", "path_params", "match_info", "content", "query", "query_arguments", "body_arguments",
    "arguments", "get_argument", "get_arguments", "get_body_argument", "get_query_argument", "text", "read",
    "post", "environ", "path_info", "url", "full_path", "raw_post_data",
})
REQUEST_OBJECTS = frozenset(
    {"flask.request", "pecan.request", "bottle.request", "request", "req", "self.request", "webob.request"})
_FRAMEWORK_REQUESTS = frozenset({"flask.request", "pecan.request", "bottle.request", "webob.request"})
# The body (bulk bytes), not a short field: what a decompressor or parser may be handed.
_BODY_ATTRS = frozenset({"data", "body", "stream", "get_data", "files", "FILES", "read", "content", "text",
                         "body_file", "raw_post_data", "input_stream", "body_file_raw", "rfile"})
_UPLOAD_ATTRS = frozenset({"files", "FILES"})
WEB_FRAMEWORKS = frozenset({
    "flask", "django", "rest_framework", "starlette", "fastapi", "pecan", "webob", "aiohttp", "bottle", "tornado",
    "falcon", "pyramid", "werkzeug", "sanic", "quart", "cherrypy", "litestar", "webapp2", "wsme", "wsmeext",
    "horizon", "openstack_dashboard", "wsgiref",
})
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete", "expose", "api_route", "websocket"})
_NOT_ROUTES = ("mock.", "unittest.", "pytest.", "patch.", "builtins.", "functools.", "typing.")
_TORNADO_GETTERS = frozenset({"get_argument", "get_arguments", "get_query_argument", "get_query_arguments",
                              "get_body_argument", "get_body_arguments", "get_cookie", "get_secure_cookie"})
_WSGI_BODY, _WSGI_FIELDS = "wsgi.input", ("QUERY_STRING", "PATH_INFO", "HTTP_", "CONTENT_LENGTH", "CONTENT_TYPE")
_UPLOAD_TYPES = ("UploadFile", "FileStorage", "UploadedFile", "InMemoryUploadedFile")
_SOCKET_READS = frozenset({"recv", "recvfrom", "recv_into", "recvfrom_into", "recvmsg"})
_CLIENT_MODULES = ("requests.", "urllib.", "urllib3.", "httpx.", "aiohttp.ClientRequest", "botocore.")


# -- one node -----------------------------------------------------------------------------------------
def direct(ctx: FileContext, node: ast.AST) -> Found | None:
    """The source `node` itself is, if any (its sub-expressions are the walker's business)."""
    if isinstance(node, ast.Attribute):
        base = ctx.qualname(node.value)
        if request_attribute(ctx, node) and not _rebound_locally(ctx, node.value):
            part = "upload" if node.attr in _UPLOAD_ATTRS else "body" if node.attr in _BODY_ATTRS else "field"
            return Source(node, f"request data ({ctx.segment(node) or node.attr})"), "remote_input", part
        if node.attr == "rfile" and base == "self":
            return Source(node, "the HTTP request body (self.rfile)"), "remote_input", "body"
        return _spec_source(ctx, node, _attribute_sources(ctx, node))
    if isinstance(node, ast.Subscript):
        return _wsgi_key(ctx, node, node.value, node.slice)
    if isinstance(node, ast.Call):
        func = node.func
        wsgi = _wsgi_get(ctx, node)
        if wsgi is not None:
            return wsgi
        if isinstance(func, ast.Attribute) and func.attr in _TORNADO_GETTERS and \
                isinstance(func.value, ast.Name) and func.value.id == "self":
            return Source(node, f"request data (self.{func.attr})"), "remote_input", "field"
        found = _spec_source(ctx, node, _call_sources(ctx, node))
        if found is not None:
            return found
        if isinstance(func, ast.Attribute) and func.attr in _SOCKET_READS:
            return Source(node, "data read from a socket"), "socket_input", "socket"
        if remote_call(ctx, node):
            label = ctx.call_name(node) or ctx.segment(func)
            return Source(node, f"a remote HTTP response ({label})"), "socket_input", "response"
        return None
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        name = ctx.qualname(node)
        if name and "." in name:  # `from sys import argv`
            return _spec_source(ctx, node, _index().sources_by_attribute.get(name, ()))
    return None


def _wsgi_get(ctx: FileContext, call: ast.Call) -> Found | None:
    """`environ.get("CONTENT_LENGTH")`: a WSGI request variable read with a default."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "get" and call.args:
        return _wsgi_key(ctx, call, func.value, call.args[0])
    return None


def _wsgi_key(ctx: FileContext, node: ast.AST, base: ast.expr, key: ast.expr) -> Found | None:
    """`environ["wsgi.input"]`, `environ["HTTP_X_TOKEN"]`, `environ["CONTENT_LENGTH"]` of a WSGI environ
    (not `os.environ`)."""
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return None
    name = ctx.qualname(base) or ""
    if name.rsplit(".", 1)[-1] not in {"environ", "env"} or name == "os.environ":
        return None
    if key.value != _WSGI_BODY and not key.value.startswith(_WSGI_FIELDS):
        return None
    part = "body" if key.value == _WSGI_BODY else "field"
    return Source(node, f"the WSGI request ({ctx.segment(node)})"), "remote_input", part


def _spec_source(ctx: FileContext, node: ast.AST, sources: tuple[SpecSource, ...]) -> Found | None:
    """A source the specs declare at `node`, described the way the former helpers did."""
    if not sources:
        return None
    kind = sources[0].kind
    text = ctx.segment(node) or ""
    name = ctx.qualname(node.func if isinstance(node, ast.Call) else node) or text
    if kind == "cli_input":
        stdin = "stdin" in name or name == "builtins.input"
        shown = "input()" if name == "builtins.input" else name
        return (Source(node, f"standard input ({shown})" if stdin else f"the command line ({shown})"), kind,
                "stdin" if stdin else "argv")
    if kind == "env_input":
        return Source(node, f"the environment ({name.removesuffix('()')})"), kind, "environ"
    if kind == "socket_input":
        member = sources[0].call or sources[0].attribute or ""
        response = member.rpartition(".")[0] in _response_types()
        what = f"a remote HTTP response ({text})" if response else "data read from a socket"
        return Source(node, what), kind, "response" if response else "socket"
    if kind == "remote_input":
        last = name.rsplit(".", 1)[-1]
        part = "upload" if last in _UPLOAD_ATTRS else "body" if last in _BODY_ATTRS | {"json", "body"} else "field"
        return Source(node, f"request data ({text})"), kind, part
    return Source(node, f"{kind.replace('_', ' ')} ({text})"), kind, "file" if kind == "file_input" else kind


def _attribute_sources(ctx: FileContext, node: ast.Attribute) -> tuple[SpecSource, ...]:
    typer, local = _typer(ctx), _local_types(ctx, node)
    index = _index()
    for name in typer.names(node, local):
        found = index.sources_by_attribute.get(name)
        if found:
            return found
    return ()


def _call_sources(ctx: FileContext, node: ast.Call) -> tuple[SpecSource, ...]:
    typer, local = _typer(ctx), _local_types(ctx, node.func)
    index = _index()
    for name in typer.names(node.func, local):
        found = index.sources_by_call.get(name)
        if found:
            return found
    return ()


@functools.cache
def clearing_calls() -> frozenset[str]:
    """Qualified names of the calls the specs declare sanitizers for every sink kind (`builtins.int`)."""
    index = _index()
    return frozenset(name for name, found in index.sanitizers_by_call.items()
                     if any("*" in s.clears for s in found))


def _index() -> SpecIndex:  # the engine's spec index, loaded on first use
    from secreview.taint.rules import spec_index

    return spec_index()


def _typer(ctx: FileContext) -> Typer:
    def build() -> Typer:
        typer = Typer(ctx, _index())
        # Kept in the context's memo: a strong reference back would make a cycle that holds the tree
        # until the collector runs (the review pauses it, secreview/memory.py).
        typer.ctx = weakref.proxy(ctx)
        return typer

    return ctx.memo(_PROVENANCE_TYPER, ctx.tree, build)


def _response_types() -> frozenset[str]:
    """Types whose members the specs declare as `socket_input`: what an HTTP client returns."""
    index = _index()
    return frozenset(key.rpartition(".")[0] for table in (index.sources_by_call, index.sources_by_attribute)
                     for key, found in table.items() if any(s.kind == "socket_input" for s in found)) - {"socket"}


def _local_types(ctx: FileContext, expr: ast.AST) -> dict[str, str]:
    """Types of the names `expr` reads: a parameter's (by name or annotation), a local binding's value,
    `self` in a subclass of a type the specs know (`http.server.BaseHTTPRequestHandler`)."""
    typer = _typer(ctx)
    local: dict[str, str] = {}
    for node in ast.walk(expr):
        if not isinstance(node, ast.Name) or node.id in local:
            continue
        func = ctx.enclosing_function(node)
        found: str | None = None
        if node.id == "self":
            cls = ctx.enclosing_class(node)
            if cls is not None:
                found = typer.class_type(tuple(filter(None, (ctx.qualname(b) for b in cls.bases))))
        elif func is not None and reaching_value(ctx, node) is None:
            arg = next((a for a in params_of(func) if a.arg == node.id), None)
            if arg is not None:
                found = typer.parameter_type(arg.arg, arg.annotation)
        else:
            value = reaching_value(ctx, node)
            if value is not None and not (isinstance(value, ast.Name) and value.id == node.id):
                found = typer.type_of(value, {})
        if found:
            local[node.id] = found
    return local


def request_attribute(ctx: FileContext, node: ast.AST) -> bool:
    """`request.args`, `flask.request.form`: a client-data attribute of the incoming request (a bare
    `request` counts only in a module that imports a web framework)."""
    if not (isinstance(node, ast.Attribute) and node.attr in REQUEST_ATTRS):
        return False
    base = ctx.qualname(node.value)
    return base in REQUEST_OBJECTS and (base in _FRAMEWORK_REQUESTS or is_web_module(ctx))


def _rebound_locally(ctx: FileContext, base: ast.expr) -> bool:
    """`request = urllib.request.Request(url)` or `def match(request: PreparedRequest)`: an outgoing
    request object that merely shares the name of the incoming one."""
    if not isinstance(base, ast.Name):
        return False
    func = ctx.enclosing_function(base)
    if func is None:
        return False
    arg = next((a for a in params_of(func) if a.arg == base.id), None)
    if arg is not None and arg.annotation is not None:
        annotation = ctx.qualname(arg.annotation) or ""
        if annotation.startswith(_CLIENT_MODULES) or annotation.endswith("PreparedRequest"):
            return True
    value = reaching_value(ctx, base)
    if value is None:
        return False
    name = ctx.qualname(value) or ""
    return name not in REQUEST_OBJECTS and not name.endswith("request")


# -- parameters -----------------------------------------------------------------------------------------
def parameter_source(ctx: FileContext, name: ast.Name) -> Found | None:
    """A parameter the framework fills from the request: an upload, a route capture, a Django view's URL
    capture."""
    func = ctx.enclosing_function(name)
    if func is None or name.id in {"self", "cls"}:
        return None
    arg = next((a for a in params_of(func) if a.arg == name.id), None)
    if arg is None or reaching_value(ctx, name) is not None:
        return None
    annotation = ctx.qualname(arg.annotation) if arg.annotation is not None else ""
    if annotation and annotation.rsplit(".", 1)[-1] in _UPLOAD_TYPES:
        return Source(name, f"the uploaded file `{name.id}` of `{func.name}()`"), "remote_input", "upload"
    if name.id in {"request", "req"}:
        return None
    if is_route_handler(ctx, func) or _spec_decorated(ctx, func):
        return Source(name, f"the route parameter `{name.id}` of `{func.name}()`"), "remote_input", "route"
    if _view_capture(ctx, func, name.id):
        return Source(name, f"the URL parameter `{name.id}` of view `{func.name}()`"), "remote_input", "route"
    return None


def _spec_decorated(ctx: FileContext, func: FunctionNode) -> bool:
    by_decorator = _index().sources_by_decorator
    return any((ctx.qualname(d.func if isinstance(d, ast.Call) else d) or "") in by_decorator
               for d in func.decorator_list)


def is_route_handler(ctx: FileContext, func: FunctionNode) -> bool:
    """Decorated as a web route (`@app.route`, `@router.get`, `@expose`, ...), not `@mock.patch(...)`."""
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = ctx.qualname(target) or ""
        if name.startswith(_NOT_ROUTES) or name.split(".")[0] in ("mock", "patch") or ".patch." in name:
            continue
        if name.rsplit(".", 1)[-1] in ROUTE_DECORATORS and "." in name or name == "pecan.expose":
            return True
    return False


_NOT_CAPTURES = frozenset({"exc", "exception", "e", "err", "error", "response", "resp", "context", "template_name"})
_STR_METHODS = frozenset(dir(str))


def _view_capture(ctx: FileContext, func: FunctionNode, ident: str) -> bool:
    """A URL capture of a Django view: `def detail(request, slug)` / `def get(self, request, pk)`; not a
    model object handed over by another view (`obj.pk`), nor a helper the module calls itself."""
    if ident == "self" or not any(v.split(".")[0] == "django" for v in ctx.imports.values()):
        return False
    names = [a.arg for a in func.args.args]
    if names[:1] == ["request"] and ctx.enclosing_class(func) is None:
        called = ctx.called_names()
        if any(c == func.name or c.endswith("." + func.name) for c in called) or _NOT_CAPTURES & set(names[1:]):
            return False
    elif not (names[:2] == ["self", "request"] and func.name in ("get", "post", "put", "patch", "delete",
                                                                  "dispatch")):
        return False
    if ident not in [a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)]:
        return False

    def objects() -> frozenset[str]:
        return frozenset(n.value.id for n in ast.walk(func) if isinstance(n, ast.Attribute)
                         and isinstance(n.value, ast.Name) and n.attr not in _STR_METHODS)

    return ident not in ctx.memo(_PROVENANCE_OBJECT_PARAMS, func, objects)


# -- modules, handlers, clients -------------------------------------------------------------------------
def is_web_module(ctx: FileContext) -> bool:
    """The file imports a web framework: only then is a bare `request` a client's request."""
    return ctx.memo(_WEB_MODULE, ctx.tree, lambda: any(
        target.lstrip(".").split(".")[0] in WEB_FRAMEWORKS for target in ctx.imports.values()))


def handler_function(ctx: FileContext, func: FunctionNode | None) -> bool:
    """A route handler or a view: decorated as a route, or taking the request object."""
    if func is None:
        return False
    if is_route_handler(ctx, func):
        return True
    names = [a.arg for a in func.args.args]
    return "request" in names[:2] or "req" in names[:2]


_HANDLER_CLASS = re.compile(r"(View|Handler|Controller|Resource|ViewSet|Endpoint|Api|API)$")


def is_web_request(ctx: FileContext, source: Source) -> bool:
    """The request a source reads is a server-side web request, not an outgoing client request object."""
    node = source.node
    while isinstance(node, ast.Attribute):
        node = node.value
    qual = ctx.qualname(node) or ""
    if "." in qual and qual.split(".", 1)[0] in WEB_FRAMEWORKS:
        return True
    func = ctx.enclosing_function(source.node)
    if func is not None and is_route_handler(ctx, func):
        return True
    cls = ctx.enclosing_class(source.node)
    return cls is not None and bool(_HANDLER_CLASS.search(cls.name)) or is_web_module(ctx)


# -- the walk's "carriers" policy -------------------------------------------------------------------------
# Functions (module-level, imported) whose result still carries their argument's text.
_CARRIERS = frozenset({
    "join", "str", "urljoin", "format", "unquote", "unquote_plus", "normpath", "abspath", "realpath",
    "expanduser", "Path", "PurePath", "PosixPath", "fspath", "dirname", "strip", "lower", "upper", "replace",
    "decode", "encode", "urlunparse", "urlunsplit", "quote", "quote_plus",
})


def opaque_call(ctx: FileContext, call: ast.Call) -> bool:
    """A call of a plain or imported function that is not known to carry its argument's text: what an
    arbitrary helper returns is not assumed to be the client's text (a method on a value is looked into)."""
    func = call.func
    if isinstance(func, ast.Attribute) and any(request_attribute(ctx, n) for n in ast.walk(func.value)):
        return False  # request.args.get(...): a method on request data
    plain = isinstance(func, ast.Name)
    while isinstance(func, ast.Attribute):
        func = func.value
    plain = plain or isinstance(func, ast.Name) and func.id in ctx.imports
    last = (ctx.call_name(call) or "").rsplit(".", 1)[-1].rstrip("()")
    return plain and last not in _CARRIERS


def is_request_object(name: str | None) -> bool:
    """`request`, `req`, `self.request`, `flask.request`: a name the incoming request goes by."""
    return name in REQUEST_OBJECTS


# Request attributes that are mappings: their `.get()` gives None for a key the client left out.
_REQUEST_MAPPINGS = frozenset({
    "args", "form", "values", "headers", "cookies", "files", "GET", "POST", "COOKIES", "META", "FILES",
    "query_params", "path_params", "match_info", "query", "params", "environ", "view_args", "json", "session",
    "query_arguments",
})


def request_mapping(ctx: FileContext, node: ast.AST) -> bool:
    """`request.args`, `req.headers`: a mapping of the incoming request (its `.get()` may give None)."""
    return isinstance(node, ast.Attribute) and node.attr in _REQUEST_MAPPINGS and is_request_object(
        ctx.qualname(node.value))


def is_wsgi_body(ctx: FileContext, expr: ast.AST) -> bool:
    """`environ["wsgi.input"]` / `environ.get("wsgi.input")`: the WSGI request body stream."""
    if isinstance(expr, ast.Subscript):
        key = expr.slice
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get" and \
            expr.args:
        key = expr.args[0]
    else:
        return False
    return isinstance(key, ast.Constant) and key.value == _WSGI_BODY


def is_flask_request(ctx: FileContext, expr: ast.AST) -> bool:
    """Flask's (Werkzeug's) request: `flask.request`, or a bare `request` in a module importing Flask."""
    name = ctx.qualname(expr)
    if name == "flask.request":
        return True
    return name in {"request", "req"} and any(v.split(".")[0] in {"flask", "werkzeug"} for v in ctx.imports.values())
