"""Local provenance: where a value inside one function comes from.

This is deliberately small: it follows plain assignments inside the enclosing
function (the last binding before the use, through up to a few names) and
recognises values that come from outside the program: a web request, the
command line, the environment, a socket or a remote response. The full
inter-procedural taint engine lives elsewhere; rules here stay local.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from secreview.analysis.context import FileContext, FunctionNode, scope_nodes
from secreview.analysis.values import is_literal, string_building
from secreview.model import TraceStep

# Attributes of a request object that carry client-controlled data, across Flask,
# Django, WebOb/Pecan, Starlette/FastAPI, aiohttp, Bottle, Tornado and Falcon.
REQUEST_ATTRS = frozenset({
    "args", "form", "values", "json", "data", "files", "cookies", "headers", "get_json", "get_data", "stream",
    "view_args", "query_string", "GET", "POST", "FILES", "COOKIES", "META", "body", "params", "body_file",
    "query_params", "path_params", "match_info", "content", "query", "query_arguments", "body_arguments",
    "arguments", "get_argument", "get_arguments", "get_body_argument", "get_query_argument", "text", "read",
    "post", "environ", "path_info", "url", "full_path", "raw_post_data",
})
REQUEST_OBJECTS = frozenset(
    {"flask.request", "pecan.request", "bottle.request", "request", "req", "self.request", "webob.request"}
)
_FRAMEWORK_REQUESTS = frozenset({"flask.request", "pecan.request", "bottle.request", "webob.request"})
_ENV_AND_CLI = {
    "sys.argv": "the command line (sys.argv)",
    "os.environ": "the environment (os.environ)",
    "os.getenv": "the environment (os.getenv)",
    "os.environb": "the environment (os.environb)",
    "builtins.input": "standard input (input())",
    "sys.stdin": "standard input (sys.stdin)",
}
_REMOTE_CALLS = frozenset(
    {"urllib.request.urlopen", "urllib2.urlopen", "requests.get", "requests.post", "requests.request", "httpx.get"}
)
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete", "expose", "api_route", "websocket"})


@dataclass(frozen=True, slots=True)
class Source:
    """An outside value found in an expression: the node and how to describe it."""

    node: ast.AST
    description: str


def assignments(ctx: FileContext, func: FunctionNode | None) -> dict[str, list[tuple[int, ast.expr]]]:
    """name -> [(line, value)] for plain bindings in a function (or the module when None)."""
    scope: ast.AST = func if func is not None else ctx.tree

    def compute() -> dict[str, list[tuple[int, ast.expr]]]:
        table: dict[str, list[tuple[int, ast.expr]]] = {}
        for node in scope_nodes(scope):
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(node, ast.Assign):
                pairs = [(t, node.value) for t in node.targets]
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                pairs = [(node.target, node.value)]
            elif isinstance(node, ast.AugAssign):
                pairs = [(node.target, ast.BinOp(left=node.target, op=node.op, right=node.value))]
            elif isinstance(node, ast.NamedExpr):
                pairs = [(node.target, node.value)]
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                pairs = [(node.target, node.iter)]
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                pairs = [(i.optional_vars, i.context_expr) for i in node.items if i.optional_vars is not None]
            for target, value in pairs:
                _bind(table, target, value, getattr(node, "lineno", 0))
        for values in table.values():
            values.sort(key=lambda item: item[0])
        return table

    return ctx.memo("assignments", scope, compute)


def _bind(table: dict, target: ast.expr, value: ast.expr, line: int) -> None:
    if isinstance(target, ast.Name):
        table.setdefault(target.id, []).append((line, value))
    elif isinstance(target, (ast.Tuple, ast.List)):
        elts = value.elts if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) else None
        for i, elt in enumerate(target.elts):
            _bind(table, elt, elts[i] if elts else value, line)
    elif isinstance(target, ast.Starred):
        _bind(table, target.value, value, line)


def reaching_value(ctx: FileContext, name: ast.Name) -> ast.expr | None:
    """The value of the last binding of `name` before its use in the same function."""
    func = ctx.enclosing_function(name)
    bindings = assignments(ctx, func).get(name.id, [])
    before = [value for line, value in bindings if line < name.lineno]
    if before:
        return before[-1]
    if func is not None and not any(a.arg == name.id for a in _params(func)):
        module_bindings = assignments(ctx, None).get(name.id, [])
        if len(module_bindings) == 1:
            return module_bindings[0][1]
    return None


def _params(func: FunctionNode) -> list[ast.arg]:
    args = func.args
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]


_NOT_ROUTES = ("mock.", "unittest.", "pytest.", "patch.", "builtins.", "functools.", "typing.")
WEB_FRAMEWORKS = frozenset({"flask", "django", "pecan", "webob", "starlette", "fastapi", "aiohttp", "bottle",
                            "tornado", "falcon", "pyramid", "werkzeug", "sanic", "quart", "cherrypy", "litestar"})


def is_route_handler(ctx: FileContext, func: FunctionNode) -> bool:
    """Decorated as a web route (`@app.route`, `@router.get`, `@expose`, ...) — not `@mock.patch`."""
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = ctx.qualname(target) or ""
        if name.startswith(_NOT_ROUTES) or name.split(".")[0] in ("mock", "patch"):
            continue
        if name.rsplit(".", 1)[-1] in ROUTE_DECORATORS and "." in name or name == "pecan.expose":
            return True
    return False


def is_web_module(ctx: FileContext) -> bool:
    """The file imports a web framework: only then is a bare `request` a client's request
    (elsewhere it is as likely an outgoing `requests.PreparedRequest`)."""
    return ctx.memo("web-module", ctx.tree, lambda: any(
        target.lstrip(".").split(".")[0] in WEB_FRAMEWORKS for target in ctx.imports.values()))


def external_source(ctx: FileContext, expr: ast.AST | None, depth: int = 4) -> Source | None:
    """The first outside value that flows into `expr` within its function, or None."""
    if expr is None or depth < 0:
        return None
    for node in ast.walk(expr):
        found = _direct_source(ctx, node)
        if found:
            return found
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            param = _route_parameter(ctx, node)
            if param:
                return param
            value = reaching_value(ctx, node)
            if value is not None and value is not expr and not is_literal(value, ctx):
                inner = external_source(ctx, value, depth - 1)
                if inner:
                    return inner
    return None


def _direct_source(ctx: FileContext, node: ast.AST) -> Source | None:
    if isinstance(node, ast.Attribute):
        base = ctx.qualname(node.value)
        if base in REQUEST_OBJECTS and node.attr in REQUEST_ATTRS and (base in _FRAMEWORK_REQUESTS or
                                                                      is_web_module(ctx)):
            return Source(node, f"request data ({ctx.segment(node) or node.attr})")
        qualified = ctx.qualname(node)
        if qualified in _ENV_AND_CLI:
            return Source(node, _ENV_AND_CLI[qualified])
        if node.attr in {"text", "content"} and isinstance(node.value, ast.Call):
            if ctx.call_name(node.value) in _REMOTE_CALLS:
                return Source(node, "a remote HTTP response")
    if isinstance(node, ast.Call):
        name = ctx.call_name(node) or ""
        if name in _ENV_AND_CLI:
            return Source(node, _ENV_AND_CLI[name])
        if isinstance(node.func, ast.Attribute) and node.func.attr in {"recv", "recvfrom", "recv_into"}:
            return Source(node, "data read from a socket")
        if isinstance(node.func, ast.Attribute) and node.func.attr == "read" and isinstance(node.func.value, ast.Call):
            if ctx.call_name(node.func.value) in _REMOTE_CALLS:
                return Source(node, "a remote HTTP response")
    if isinstance(node, ast.Name) and ctx.qualname(node) in _ENV_AND_CLI:
        return Source(node, _ENV_AND_CLI[ctx.qualname(node)])  # type: ignore[index]
    return None


def _route_parameter(ctx: FileContext, name: ast.Name) -> Source | None:
    func = ctx.enclosing_function(name)
    if func is None or name.id in {"self", "cls", "request", "req"} or not is_route_handler(ctx, func):
        return None
    if any(a.arg == name.id for a in _params(func)) and not reaching_value(ctx, name):
        return Source(name, f"the route parameter `{name.id}` of `{func.name}()`")
    return None


def trace_for(ctx: FileContext, source: Source, sink: ast.AST, sink_note: str) -> tuple[TraceStep, ...]:
    """A two-step trace (source, sink) for a finding built on local provenance."""

    def step(node: ast.AST, note: str) -> TraceStep:
        line = getattr(node, "lineno", 1)
        return TraceStep(
            path=ctx.path,
            line=line,
            column=ctx.char_column(line, getattr(node, "col_offset", 0)),
            snippet=ctx.line_text(line).strip(),
            note=note,
        )

    return (step(source.node, f"source: {source.description}"), step(sink, f"sink: {sink_note}"))


def built_string(ctx: FileContext, expr: ast.AST | None) -> tuple[str, ast.AST] | None:
    """How `expr` is built from non-literal parts, following one local name binding."""
    how = string_building(expr, ctx)
    if how:
        return how, expr  # type: ignore[return-value]
    if isinstance(expr, ast.Name):
        value = reaching_value(ctx, expr)
        if value is not None:
            how = string_building(value, ctx)
            if how:
                return how, value
    return None
