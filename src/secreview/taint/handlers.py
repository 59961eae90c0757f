"""What web frameworks make of a handler function, read from its decorators and its place:
which parameters carry client data (route decorators, Django URL captures), which the
framework converts or injects (not client text), and where its return value goes (a
Flask view's string is the HTML body). `expressions.py` asks at a function's entry,
`flow.py` at its `return`, `module.py` to decide which functions are worth walking."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from secreview.analysis.values import keyword_matches
from secreview.taint.spec import Sink, Source

if TYPE_CHECKING:
    from secreview.analysis.context import FileContext
    from secreview.taint.module import ModuleAnalysis

Handler = ast.FunctionDef | ast.AsyncFunctionDef


def decorator_sources(m: ModuleAnalysis, func: Handler) -> list[Source]:
    """The sources its decorators make of every parameter (route decorators)."""
    found: list[Source] = []
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        for name in m.typer.names(target, {}):
            found.extend(m.index.sources_by_decorator.get(name, ()))
    return found


def url_parameters(m: ModuleAnalysis, func: Handler) -> set[str]:
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


def response_sinks(m: ModuleAnalysis, func: Handler) -> list[tuple[str, Sink]]:
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
