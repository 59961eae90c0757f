"""Where a value comes from: local provenance with the kind of the source.

- `find_origin`: local provenance like `flow.external_source`, with the kind of
  the source ("request", "upload", "route", "socket", "remote", "cli", "env",
  "stdin"), sanitizer calls that stop the search, remote responses bound to a
  name (`resp = requests.get(u); resp.content`), WSGI `environ["wsgi.input"]`,
  `self.rfile` and FastAPI `UploadFile` parameters.
- `constructor_of`: which call built an object (`s = requests.Session()`,
  `with requests.Session() as s`, `self.s = requests.Session()` in the class).
- `is_remote_call`, `params_of`, and the source kinds (`EXTERNAL`, `PAYLOAD`, `OPERATOR`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import (
    REQUEST_ATTRS,
    REQUEST_OBJECTS,
    Source,
    is_route_handler,
    reaching_value,
)
from secreview.analysis.values import is_literal

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
