"""A function's entry and exit as the code around it sees them. Entry (`entry_env`): each
parameter's label — a symbolic origin for summaries, the type of `self` and of a parameter, and
what web frameworks make of a handler, read from its decorators and its place: which parameters
carry client data (route decorators, Django URL captures), which the framework converts or
injects (not client text). Exit (`Responses`): where a handler's return value goes (a Flask
view's string is the HTML body). `flow.py` asks at a function's entry and at its `return`,
`module.py` to decide which functions are worth walking."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext
from secreview.analysis.values import keyword_matches
from secreview.taint.facts import Env, ModuleFacts
from secreview.taint.labels import PARAM, Label, is_param, step
from secreview.taint.secrets import name_source
from secreview.taint.sinks import Sinks
from secreview.taint.spec import Sink, Source
from secreview.taint.state import FunctionState

Handler = ast.FunctionDef | ast.AsyncFunctionDef


def entry_env(m: ModuleFacts, state: FunctionState, func: Handler) -> Env:
    """The environment at the function's entry; binds `state.self_name` and the types it knows."""
    ctx = m.ctx
    env: Env = {}
    args = func.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    params += [a for a in (args.vararg, args.kwarg) if a is not None]
    bound = state.cls is not None and not _is_static(ctx, func) and bool(args.posonlyargs or args.args)
    if bound:
        state.self_name = (args.posonlyargs or args.args)[0].arg
        known = m.typer.class_type(m.class_bases.get(state.cls or "", ()))
        if known:
            state.types[state.self_name] = known
        for attr, attr_type in m.attribute_types(state.cls or "").items():
            state.types[f"{state.self_name}.{attr}"] = attr_type  # `self.log = getLogger()` in __init__
    decorated = decorator_sources(m, func)
    captured = url_parameters(m, func)
    injected = injected_parameters(ctx, args) | converted_parameters(func, decorated) if decorated else set()
    for arg in params:
        if arg.arg == state.self_name:
            continue
        label: Label = {(PARAM + arg.arg, frozenset()): (step(ctx, arg, f"parameter `{arg.arg}` of "
                                                                        f"`{state.name}()`"),)}
        found = m.typer.parameter_type(arg.arg, arg.annotation)
        if found:
            state.types[arg.arg] = found
        # a handler's request object is typed (its members are the sources), and
        # framework-injected dependencies (`Depends(...)`) are not client data
        if not found and arg.arg not in injected:
            for source in decorated:
                label[(source.kind, frozenset())] = (step(ctx, arg, f"source: parameter `{arg.arg}` of the "
                                                                    f"handler `{state.name}()`"),)
        secret = name_source(ctx, arg, arg.arg, arg.arg)
        if secret:
            label = {**label, **secret}
        if arg.arg in captured:
            label[("remote_input", frozenset())] = (step(ctx, arg, f"source: URL parameter `{arg.arg}` of "
                                                                   f"the view `{state.name}()`"),)
        env[arg.arg] = label
    return env


def _is_static(ctx: FileContext, func: Handler) -> bool:
    return any(ctx.qualname(d) == "builtins.staticmethod" or (isinstance(d, ast.Name) and d.id == "staticmethod")
               for d in func.decorator_list)


def decorator_sources(m: ModuleFacts, func: Handler) -> list[Source]:
    """The sources its decorators make of every parameter (route decorators)."""
    found: list[Source] = []
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        for name in m.typer.names(target, {}):
            found.extend(m.index.sources_by_decorator.get(name, ()))
    return found


def url_parameters(m: ModuleFacts, func: Handler) -> set[str]:
    """A Django function view's URL captures: in a `views` module of a project that uses
    Django, a module-level function whose first parameter is `request` receives what
    `urls.py` captured in its other parameters (those without a default: defaults are the
    URL pattern's fixed `kwargs`, configuration)."""
    ctx = m.ctx
    if "django" not in m.typer.libraries or func not in ctx.tree.body:
        return set()
    parts = ctx.path.replace("\\", "/").split("/")
    if parts[-1] != "views.py" and "views" not in parts[:-1]:
        return set()
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    if not positional or positional[0].arg != "request":
        return set()
    without_default = positional[1:len(positional) - len(args.defaults)]
    keyword_only = [a for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    if (without_default or keyword_only) and re.search(rf"(?<!def )(?<![\w.]){re.escape(func.name)}\s*\(",
                                                       ctx.source):
        return set()  # called by the module's own code: a helper that takes a request, not a URL target
    return {a.arg for a in (*without_default, *keyword_only)}


def response_sinks(m: ModuleFacts, func: Handler) -> list[tuple[str, Sink]]:
    """The `returned` sinks its decorators make of its return value (a Flask view, a Pecan
    `expose()` handler), with the decorator's name."""
    found: list[tuple[str, Sink]] = []
    if not m.index.sinks_by_decorator:
        return found
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        for name in m.typer.names(target, {}):
            for sink in m.index.sinks_by_decorator.get(name, ()):
                if isinstance(decorator, ast.Call) and not _decorator_applies(decorator, sink, m.ctx):
                    continue
                found.append((name, sink))
    return found


def _decorator_applies(decorator: ast.Call, sink: Sink, ctx: FileContext) -> bool:
    if decorator.args and not sink.positional:
        return False
    given = {kw.arg: kw.value for kw in decorator.keywords if kw.arg}
    if any(name in given for name in sink.unless_keywords):
        return False
    for name, unwanted in sink.unless:
        if name in given and keyword_matches(given[name], unwanted, ctx):
            return False
    return all(name in given and keyword_matches(given[name], wanted, ctx) for name, wanted in sink.when)


# `<int:id>` in a route: the framework converts the segment (or answers 404), so no markup or path is left
_ROUTE_CONVERTED = re.compile(r"<(?:int|float|uuid):(\w+)>")
_CONVERTING_ANNOTATIONS = frozenset({"int", "float", "bool", "UUID", "uuid.UUID", "datetime", "date"})


def converted_parameters(func: Handler, decorated: list[Source]) -> set[str]:
    """Handler parameters the framework converts to numbers (or UUIDs, dates) before the call: Flask
    and Werkzeug route converters, and FastAPI's annotations (validated, 422 otherwise)."""
    out: set[str] = set()
    for decorator in func.decorator_list:
        if isinstance(decorator, ast.Call) and decorator.args and isinstance(decorator.args[0], ast.Constant) \
                and isinstance(decorator.args[0].value, str):
            out.update(_ROUTE_CONVERTED.findall(decorator.args[0].value))
    if any(source.library == "fastapi" for source in decorated):
        args = func.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            if arg.annotation is not None and ast.unparse(arg.annotation) in _CONVERTING_ANNOTATIONS:
                out.add(arg.arg)
    return out


def injected_parameters(ctx: FileContext, args: ast.arguments) -> set[str]:
    """Parameters whose default is `Depends(...)`/`Security(...)`: filled by the framework."""
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
    out = set()
    for arg, default in pairs:
        if isinstance(default, ast.Call):
            name = (ctx.qualname(default.func) or "").rsplit(".", 1)[-1]
            if name in ("Depends", "Security"):
                out.add(arg.arg)
    return out


def declared_not_html(response: ast.Tuple) -> bool:
    """A Flask-style `(body, status, headers)` tuple whose literal headers give a content type
    that is not HTML (`{"Content-Type": "application/json"}`): the body is not a page."""
    for part in response.elts[1:]:
        if isinstance(part, ast.Dict):
            for key, value in zip(part.keys, part.values, strict=True):
                if isinstance(key, ast.Constant) and str(key.value).lower() == "content-type" \
                        and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    return "html" not in value.value.lower()
    return False


class Responses:
    """The `returned` sinks a function's decorators make of its return value, judged at each `return`."""

    def __init__(self, m: ModuleFacts, state: FunctionState, sinks: Sinks):
        node = state.node
        self.ctx = m.ctx
        self.state = state
        self.sinks = sinks
        # (decorator name, sink) for each `returned` sink its decorators make of its return value
        self.returned: list[tuple[str, Sink]] = (
            response_sinks(m, node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else [])

    def response(self, stmt: ast.Return, value: ast.expr, label: Label) -> None:
        """A handler whose return value is the response body returns a string built from
        tainted data (`(body, status)`: the body). Values that are not visibly strings (a dict
        becomes JSON, a response object has its own sinks) are left alone."""
        body = value
        if isinstance(value, ast.Tuple) and value.elts:
            parts = self.state.element_labels.get(id(value))
            if parts is None or declared_not_html(value):
                return
            body, label = parts[0][2], parts[0][1]
        label = {key: trace for key, trace in label.items() if not is_param(key[0])}  # the framework calls it
        if not label or not self.builds_string(body):
            return
        for decorator, sink in self.returned:
            where = f"sink ({sink.kind}): returned by a `{decorator}` handler"
            # reported at the `return` (a multi-line body starts on a later line)
            self.sinks.reach_sink(stmt, body, sink, label, (step(self.ctx, stmt, where),))

    def builds_string(self, expr: ast.AST, depth: int = 0) -> bool:
        """An f-string, `+`/`%` with a string literal, `"...".format()`/`"".join()`, or a local name
        this function binds to one of these."""
        if depth > 4:
            return False
        if isinstance(expr, ast.JoinedStr) or (isinstance(expr, ast.Constant) and isinstance(expr.value, str)):
            return True
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
            return self.builds_string(expr.left, depth + 1) or (
                isinstance(expr.op, ast.Add) and self.builds_string(expr.right, depth + 1))
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ("format", "join"):
            return self.builds_string(expr.func.value, depth + 1)
        if isinstance(expr, ast.Name):
            return any(self.builds_string(value, depth + 1) for value in self.state.assigned(expr.id))
        return False
