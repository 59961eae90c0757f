"""Web framework debug mode switched on in code.

## What it flags
- `app.run(debug=True)` on a Flask/Quart app (resolved from `Flask(...)`, or an
  object named like an app), `app.debug = True`, `app.config["DEBUG"] = True`,
  `app.config.update(DEBUG=True)`;
- `DEBUG = True` in a Django settings module (settings.py, settings/*.py, or a
  module defining INSTALLED_APPS/MIDDLEWARE/ROOT_URLCONF), in a configuration class
  (`Config`, `ProductionConfig`, `DevSettings` ...), and at module level of a module
  that imports a web framework;
- `werkzeug.debug.DebuggedApplication(app, evalex=True)`,
  `werkzeug.serving.run_simple(..., use_debugger=True)`, and
  `Starlette(debug=True)`/`FastAPI(debug=True)`/`tornado.web.Application(debug=True)`.
A computed value (`debug=os.environ.get(...) == "1"`), `debug=True` on objects that
are not web applications (`asyncio.run(main(), debug=True)`, `loop.run(...)`) and a
framework's table of defaults (`global_settings.py`) are not flagged.

## Confidence
- high: the switch is on a web application the code creates (`Flask(...)`,
  `FastAPI(...)`), the Werkzeug debugger, a settings module that is not for
  development, or a configuration class named for production;
- medium: `run(debug=True)`/`.debug = True` on an object only named like an app, or
  `DEBUG = True` in a configuration class named for neither production nor
  development (a base class deployed configurations inherit from);
- low: `DEBUG = True` in a development or test settings file or class
  (`settings/dev.py`, `DevConfig`), or a module-level `DEBUG = True` in a web module
  that is not a settings module: explicit choices a reviewer should see, which are
  harmless as long as that file never configures a deployment.

## Why it matters
Debug mode renders tracebacks with source, settings and environment to any
client, and the Werkzeug debugger runs arbitrary Python typed into the browser:
a deployed debug flag is remote code execution or wholesale information
exposure (CWE-489).

## Example
```python
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(debug=True)
```

## Use instead
```python
import os

from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
```

## References
- CWE-489: Active Debug Code
- Flask docs, "Debug Mode"; Django docs, the DEBUG setting and the deployment checklist
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument, is_true, keyword
from secreview.analysis.words import identifier_of
from secreview.model import Confidence, Severity
from secreview.rules._access.file_kinds import (
    config_class,
    is_defaults_table,
    is_dev_settings,
    is_module_level,
    is_settings_module,
)
from secreview.rules._access.object_facts import created_by
from secreview.rules._access.vocabulary import word_set
from secreview.ruleset import Hit, Meta
from secreview.taint.provenance import is_web_module

META = Meta(
    code="SR207",
    name="debug-mode-enabled",
    title="Debug mode enabled",
    cwe=489,
    type="access",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Leave debug off in code and enable it only from the environment of a developer machine "
    "(FLASK_DEBUG=1, a dev settings file); never deploy the Werkzeug debugger.",
    bandit=("B201",),
)
NODES = (ast.Call, ast.Assign)

_APPS = {"flask.Flask", "quart.Quart"}
_APP_NAME = re.compile(r"(^|_)(app|application|server|api|socketio)$", re.IGNORECASE)
_DEBUG_CTORS = word_set(
    """
    starlette.applications.Starlette fastapi.FastAPI fastapi.applications.FastAPI
    tornado.web.Application starlette.Starlette
    """
)


def check(node: ast.Call | ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    if isinstance(node, ast.Assign):
        yield from _assignment(node, ctx)
        return
    name = ctx.call_name(node) or ""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "run" and is_true(_kw(node, "debug")):
        confidence = _app_confidence(func.value, ctx)
        if confidence:
            yield Hit(
                node,
                f"`{ctx.segment(func)}(debug=True)` starts the server with the interactive debugger "
                "and reloader.",
                confidence=confidence,
                rewrite=_off(_kw(node, "debug")),
            )
    elif name.endswith("DebuggedApplication") and "werkzeug" in name:
        evalex = argument(node, 1, "evalex")
        if is_true(evalex):
            yield Hit(
                node,
                "`DebuggedApplication(..., evalex=True)` lets any client run Python in the browser debugger.",
            )
    elif name in ("werkzeug.serving.run_simple", "werkzeug.run_simple") and is_true(
        _kw(node, "use_debugger")
    ):
        yield Hit(node, "`run_simple(..., use_debugger=True)` serves the interactive Werkzeug debugger.")
    elif name in _DEBUG_CTORS and is_true(_kw(node, "debug")):
        yield Hit(node, f"`{name}(debug=True)` returns tracebacks to clients.", rewrite=_off(_kw(node, "debug")))
    elif (
        isinstance(func, ast.Attribute)
        and func.attr in ("update", "from_mapping")
        and is_true(_kw(node, "DEBUG"))
    ):
        config = func.value
        if (
            isinstance(config, ast.Attribute)
            and config.attr == "config"
            and _app_confidence(config.value, ctx)
        ):
            yield Hit(node, f"`{ctx.segment(func)}(DEBUG=True)` turns on Flask debug mode.")


def _assignment(node: ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    if not is_true(node.value):
        return
    for target in node.targets:
        ident = identifier_of(target)
        if isinstance(target, ast.Attribute) and ident == "debug" and _app_confidence(target.value, ctx):
            yield Hit(node, f"`{ctx.segment(target)} = True` turns on debug mode.", rewrite=_off(node.value))
        elif isinstance(target, ast.Subscript) and ident == "DEBUG":
            config = target.value
            if (
                isinstance(config, ast.Attribute)
                and config.attr == "config"
                and _app_confidence(config.value, ctx)
            ):
                yield Hit(node, f"`{ctx.segment(target)} = True` turns on Flask debug mode.")
        elif isinstance(target, ast.Name) and target.id == "DEBUG":
            yield from _debug_setting(node, ctx)


def _debug_setting(node: ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    """`DEBUG = True` as a setting: in a configuration class or at module level of a settings or web module."""
    kind = config_class(ctx, node)
    cls = ctx.enclosing_class(node)
    if kind is not None and cls is not None:
        if kind == "production":
            yield Hit(node, f"`DEBUG = True` in the production config class `{cls.name}`.")
        elif kind == "development":
            yield Hit(node, f"`DEBUG = True` in the development config class `{cls.name}`; make sure no deployed "
                      "configuration uses or inherits it.", confidence=Confidence.LOW)
        else:
            yield Hit(node, f"`DEBUG = True` in the config class `{cls.name}`: every configuration that inherits "
                      "from it runs in debug mode unless it turns it off.", confidence=Confidence.MEDIUM)
        return
    if not is_module_level(ctx, node) or is_defaults_table(ctx):
        return
    if is_settings_module(ctx):
        if is_dev_settings(ctx):
            yield Hit(node, "`DEBUG = True` in a development or test settings module; make sure it never "
                      "configures a deployment.", confidence=Confidence.LOW)
        else:
            yield Hit(node, "`DEBUG = True` in a Django settings module shows tracebacks and settings to every "
                      "client.")
    elif is_web_module(ctx):
        yield Hit(node, "`DEBUG = True` at module level of a web module: if the app loads its settings from "
                  "this module (`config.from_object(__name__)`), it runs in debug mode.", confidence=Confidence.LOW)


def _app_confidence(expr: ast.AST, ctx: FileContext) -> Confidence | None:
    """HIGH for an object made by Flask(...), MEDIUM for one named like an app, else None."""
    if created_by(ctx, expr, _APPS):
        return Confidence.HIGH
    qual = ctx.qualname(expr) or ""
    if qual.split(".")[0] in {"asyncio", "trio", "anyio", "subprocess", "unittest", "pytest"}:
        return None
    if _APP_NAME.search(identifier_of(expr)):
        return Confidence.MEDIUM
    return None


def _off(value: ast.expr | None) -> tuple[ast.AST, str] | None:
    """A literal `True` debug switch becomes `False` (exact); computed values are left alone."""
    if isinstance(value, ast.Constant) and value.value is True:
        return value, "False"
    return None


def _kw(node: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(node, name)
    return kw.value if kw else None
