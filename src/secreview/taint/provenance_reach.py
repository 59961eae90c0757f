"""How values reach a place other than by a plain assignment, for `provenance.py` (import that module,
not this one): the objects HTTP clients return (`requests.get(u)`, `session.get(u)` of a session built
elsewhere in the class), bytes written or saved into a file object, and the arguments this module's own
calls give a helper's parameters.
"""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import reaching_value
from secreview.analysis.memo import MemoKey

_PROVENANCE_SELF_ATTRS: MemoKey[dict[str, str | None]] = MemoKey("provenance-self-attrs")
_PROVENANCE_WRITES: MemoKey[dict[str, list[tuple[int, ast.expr]]]] = MemoKey("provenance-writes")
_PROVENANCE_CALLS_BY_NAME: MemoKey[dict[str, list[ast.Call]]] = MemoKey("provenance-calls-by-name")

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send"})
_REMOTE_FUNCS = frozenset(
    {f"requests.{m}" for m in HTTP_METHODS - {"send"}} | {f"httpx.{m}" for m in HTTP_METHODS - {"send"}}
    | {"urllib.request.urlopen", "urllib2.urlopen", "six.moves.urllib.request.urlopen", "httpx.stream"})
SESSION_FACTORIES = frozenset({"requests.Session", "requests.session", "requests.sessions.Session"})
_CLIENT_FACTORIES = SESSION_FACTORIES | {"httpx.Client", "httpx.AsyncClient", "urllib3.PoolManager",
                                         "urllib3.poolmanager.PoolManager"}
_CONNECTIONS = frozenset({"http.client.HTTPConnection", "http.client.HTTPSConnection", "httplib.HTTPConnection",
                          "httplib.HTTPSConnection"})


def params_of(func: FunctionNode) -> list[ast.arg]:
    args = func.args
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]


# -- HTTP clients ---------------------------------------------------------------------------------------
def remote_call(ctx: FileContext, call: ast.Call) -> bool:
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
        return ctx.memo(_PROVENANCE_SELF_ATTRS, cls, lambda: _self_constructors(ctx, cls)).get(expr.attr)
    return None


def _self_constructors(ctx: FileContext, cls: ast.ClassDef) -> dict[str, str | None]:
    """`self.x = f(...)` anywhere in the class, or a class attribute `x = f(...)`: x -> f when every
    binding agrees."""
    found: dict[str, set[str | None]] = {}
    for node in ast.walk(cls):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and \
                        target.value.id == "self":
                    name = ctx.call_name(node.value) if isinstance(node.value, ast.Call) else None
                    found.setdefault(target.attr, set()).add(name)
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, set()).add(ctx.call_name(stmt.value))
    return {attr: names.pop() if len(names) == 1 else None for attr, names in found.items()}


# -- values that arrive other than by assignment -------------------------------------------------------
_WRITES_INTO = frozenset({"write", "writelines"})


def written_into(ctx: FileContext, name: ast.Name) -> list[ast.expr]:
    """What the function wrote into the object `name` holds before this use: `upload.save(tmp)`,
    `tmp.write(data)`, `shutil.copyfileobj(src, tmp)` (a temporary file then holds the client's bytes)."""
    func = ctx.enclosing_function(name)
    if func is None:
        return []
    writes = ctx.memo(_PROVENANCE_WRITES, func, lambda: _writes(ctx, func))
    return [value for line, value in writes.get(name.id, ()) if line < name.lineno]


def _writes(ctx: FileContext, func: FunctionNode) -> dict[str, list[tuple[int, ast.expr]]]:
    """target name -> [(line, what is written into it)] for the write-like calls of one function."""
    found: dict[str, list[tuple[int, ast.expr]]] = {}
    for call in ast.walk(func):
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            continue
        target = call.func
        pairs: list[tuple[ast.expr, ast.expr]] = []
        if target.attr in _WRITES_INTO and call.args:
            pairs.append((target.value, call.args[0]))
        elif target.attr == "save":
            pairs += [(a, target.value) for a in (*call.args[:1], *(k.value for k in call.keywords if k.arg == "dst"))]
        elif len(call.args) >= 2 and ctx.call_name(call) == "shutil.copyfileobj":
            pairs.append((call.args[1], call.args[0]))
        for into, value in pairs:
            if isinstance(into, ast.Name):
                found.setdefault(into.id, []).append((call.lineno, value))
    return found


def caller_arguments(ctx: FileContext, name: ast.Name) -> list[ast.expr]:
    """For a parameter of a function this module calls (`parse_route(data)` in a handler), the arguments
    the calls give it: a helper's parameter holds what its callers in the file pass."""
    func = ctx.enclosing_function(name)
    if func is None or ctx.enclosing_function(func) is not None:
        return []
    cls = ctx.enclosing_class(func)
    params = params_of(func)
    index = next((i for i, a in enumerate(params) if a.arg == name.id), None)
    if index is None or index >= len(func.args.posonlyargs) + len(func.args.args):
        return []
    if cls is not None:
        if not params or params[0].arg not in ("self", "cls"):
            return []
        index -= 1  # `self.helper(x)`: the receiver is not an argument

    by_name = ctx.memo(_PROVENANCE_CALLS_BY_NAME, ctx.tree, lambda: _calls_by_name(ctx))
    found = []
    for call in by_name.get(func.name, ()):
        if not _calls(call, func, cls is not None):
            continue
        if func in ctx.ancestors(call):
            continue  # a recursive call passes the parameter on, it does not fill it
        if 0 <= index < len(call.args) and not isinstance(call.args[index], ast.Starred):
            found.append(call.args[index])
        found.extend(k.value for k in call.keywords if k.arg == name.id)
    return found


def _calls_by_name(ctx: FileContext) -> dict[str, list[ast.Call]]:
    """Calls of the module by the called name (`helper(...)`, `self.helper(...)`)."""
    found: dict[str, list[ast.Call]] = {}
    for node in ctx.tree_nodes():
        if isinstance(node, ast.Call):
            target = node.func
            name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) \
                else None
            if name:
                found.setdefault(name, []).append(node)
    return found


def _calls(call: ast.Call, func: FunctionNode, method: bool) -> bool:
    target = call.func
    if method:
        return isinstance(target, ast.Attribute) and target.attr == func.name and isinstance(
            target.value, ast.Name) and target.value.id in ("self", "cls")
    return isinstance(target, ast.Name) and target.id == func.name
