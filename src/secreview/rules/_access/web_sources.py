"""Web request sources: request data, route parameters and socket data flowing into an expression."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.flow import REQUEST_ATTRS, REQUEST_OBJECTS, Source, external_source, reaching_value
from secreview.analysis.values import is_literal
from secreview.rules._access.vocabulary import word_set

_WEB_DESCRIPTIONS = ("request data", "the route parameter", "data read from a socket")
# Calls whose result no longer carries the caller's text: numbers, lengths, hashes, local URL builders.
NEUTRAL_CALLS = word_set(
    """
    int float bool len hash UUID url_for reverse reverse_lazy resolve_url md5 sha1 sha256 hexdigest
    digest isdigit isalnum exists isfile isdir startswith endswith
    """
)
PATH_NEUTRAL_CALLS = NEUTRAL_CALLS | {"basename", "secure_filename", "safe_join", "quote", "quote_plus"}


_WEB_FRAMEWORKS = word_set(
    """
    flask django starlette fastapi pecan webob aiohttp bottle tornado falcon pyramid sanic quart
    werkzeug cherrypy rest_framework horizon openstack_dashboard wsgiref
    """
)
# Functions (module-level, imported) whose result still carries their argument's text.
_CARRIERS = word_set(
    """
    join str urljoin format unquote unquote_plus normpath abspath realpath expanduser Path PurePath
    PosixPath fspath dirname strip lower upper replace decode encode urlunparse urlunsplit quote
    quote_plus
    """
)


def is_web_file(ctx: FileContext) -> bool:
    """The module imports a web framework (so a bare `request` is an HTTP request)."""
    return ctx.memo(
        "access-web-file",
        ctx.tree,
        lambda: any(v.lstrip(".").split(".")[0] in _WEB_FRAMEWORKS for v in ctx.imports.values()),
    )


def is_request_value(ctx: FileContext, node: ast.AST) -> bool:
    if not (isinstance(node, ast.Attribute) and node.attr in REQUEST_ATTRS):
        return False
    base = ctx.qualname(node.value)
    if base not in REQUEST_OBJECTS:
        return False
    return "." in base and base != "self.request" or is_web_file(ctx)


def web_source(
    ctx: FileContext, expr: ast.AST | None, neutral: frozenset[str] = NEUTRAL_CALLS, depth: int = 4
) -> Source | None:
    """Request data, a route parameter or socket data flowing into `expr` within its function.

    Like `flow.external_source`, but ignores the command line and the environment (a CLI
    user choosing a path or URL is not an attacker), counts a bare `request` only in a
    module that imports a web framework (`requests.PreparedRequest` is not client data),
    does not look inside calls that neutralize the value (`int()`, `len()`, `url_for()`,
    `basename()` ... per `neutral`), and follows a plain function call only when it
    carries its argument's text (`os.path.join`, `str`, `urljoin` ...): what an arbitrary
    helper returns is not assumed to be the client's text.
    """
    if expr is None or depth < 0:
        return None
    stack: list[ast.AST] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            name = ctx.call_name(node) or ""
            last = name.rsplit(".", 1)[-1].rstrip("()")
            if last in neutral:
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr in {"recv", "recvfrom"}:
                return Source(node, "data read from a socket")
            if _is_function(ctx, node) and last not in _CARRIERS:
                continue
        elif isinstance(node, ast.Compare):
            continue  # a comparison yields a bool, not the text
        if is_request_value(ctx, node):
            return Source(node, f"request data ({ctx.segment(node) or node.attr})")  # type: ignore[attr-defined]
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found = external_source(ctx, node, 0)
            if found and found.description.startswith(_WEB_DESCRIPTIONS):
                return found
            value = reaching_value(ctx, node)
            if value is not None and value is not expr and not is_literal(value, ctx):
                inner = web_source(ctx, value, neutral, depth - 1)
                if inner:
                    return inner
            continue
        if isinstance(node, ast.IfExp):
            stack.extend((node.body, node.orelse))
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return None


def _is_function(ctx: FileContext, call: ast.Call) -> bool:
    """A call of a plain or imported function (`helper(x)`, `utils.build(x)`), not a method on a value."""
    func = call.func
    if isinstance(func, ast.Name):
        return True
    if isinstance(func, ast.Attribute) and any(is_request_value(ctx, n) for n in ast.walk(func.value)):
        return False  # request.args.get(...): a method on request data
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id in ctx.imports
