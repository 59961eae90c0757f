"""Where a value comes from (request data, route and view parameters, the caller) and what the code is."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import (
    ROUTE_DECORATORS,
    Source,
    external_source,
    is_route_handler,
    reaching_value,
)
from secreview.rules._injection.model import Part

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
    return ctx.memo("injection-web-framework", ctx.tree,  # type: ignore[no-any-return]
                    lambda: any(v.lstrip(".").split(".")[0] in WEB_FRAMEWORKS for v in ctx.imports.values()))


def handler_function(ctx: FileContext, func: FunctionNode | None) -> bool:
    """A route handler or a view: decorated as a route, or taking the request object."""
    if func is None:
        return False
    if is_route_handler(ctx, func) and _route_decorated(ctx, func):
        return True
    names = [a.arg for a in func.args.args]
    return "request" in names[:2] or "req" in names[:2]
