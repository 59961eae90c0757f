"""Server-side template source built from non-literal values.

## What it flags
With data flow (the taint part): data from a network client or a socket that
reaches a `template` sink of the taint specs, followed through assignments, helpers in
other modules and attributes of `self`, reported with its trace. Where the specs name
the sink call, data flow decides; the pattern part below speaks for the rest.

Template engines compiling template *source* that is assembled by f-string, `%`,
`.format()`, `+` or `join` from non-literal values, or that comes from outside the
program: `flask.render_template_string()`, `jinja2.Template()`,
`Environment.from_string()` (a `jinja2.Environment` or Flask's `app.jinja_env`),
`mako.template.Template()`, `django.template.Template()` and
`tornado.template.Template()`. A Jinja2 environment that is not sandboxed (also one
`__init__` keeps in `self`) compiling any non-literal value with `from_string` is
reported with low confidence: whoever writes that text runs code. A sandboxed Jinja environment
(`jinja2.sandbox.SandboxedEnvironment`) is not reported, and neither is passing
the data as a template *variable* (`render_template_string(TEMPLATE, name=name)`).

## Why it matters
Template syntax is code. When user data becomes part of the template text,
`{{ ... }}` in it is evaluated on the server: in Jinja2 and Mako that reaches
Python objects and, through them, `os.popen` — remote code execution (CWE-1336,
server-side template injection). Data passed as variables is only rendered,
never evaluated.

## Example
```python
from flask import Flask, render_template_string, request

app = Flask(__name__)

@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    return render_template_string("<h1>Hello " + name + "!</h1>")
```

## Use instead
```python
from flask import Flask, render_template_string, request

app = Flask(__name__)

@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    return render_template_string("<h1>Hello {{ name }}!</h1>", name=name)
```

## References
- CWE-1336: Improper Neutralization of Special Elements Used in a Template Engine
- Jinja2 documentation, "Sandbox"; PortSwigger Research, "Server-Side Template Injection"
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value, trace_for
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._injection.verdict import analyze, describe
from secreview.ruleset import Hit, Meta, TaintQuery

META = Meta(
    code="SR120",
    name="template-injection",
    title="Template source built from non-literal values",
    cwe=1336,
    type="xss",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Keep the template text constant (a file or a literal) and pass data as template variables; compile "
    "templates users write only in jinja2.sandbox.SandboxedEnvironment (Django, Mako and Tornado have no sandbox).",
)
NODES = (ast.Call,)

# The fix by template engine (prefixes of the compiling call's qualified name).
JINJA_FIX = ("Keep the template text constant (a file or a literal) and pass data as template variables "
             "(render_template_string(TEMPLATE, name=name)); for user-authored templates use "
             "jinja2.sandbox.SandboxedEnvironment.")
DJANGO_FIX = ("Keep the template text constant (a template file or a literal) and pass data in the context: "
              "render(request, \"page.html\", {\"name\": name}) or Template(TEXT).render(Context({\"name\": name})); "
              "Django has no sandbox, so never compile templates users write.")
MAKO_FIX = ("Keep the template text constant and pass data as render() arguments (Template(TEXT).render(name=name)); "
            "Mako templates run Python, so never compile templates users write.")
TORNADO_FIX = ("Keep the template text constant and pass data as generate() arguments "
               "(Template(TEXT).generate(name=name)); Tornado templates run Python expressions, so never compile "
               "templates users write.")
_FIXES = (
    (("jinja2.", "flask.", "quart."), JINJA_FIX),
    (("django.",), DJANGO_FIX),
    (("mako.",), MAKO_FIX),
    (("tornado.",), TORNADO_FIX),
)


def fix_for_engine(name: str) -> str | None:
    """The fix for a template compiler by its qualified name (None: the rule's general fix)."""
    return next((fix for prefixes, fix in _FIXES if name.startswith(prefixes)), None)


_COMPILERS = {
    "flask.render_template_string": "source",
    "flask.templating.render_template_string": "source",
    "quart.render_template_string": "source",
    "jinja2.Template": "source",
    "jinja2.environment.Template": "source",
    "mako.template.Template": "text",
    "django.template.Template": "template_string",
    "django.template.base.Template": "template_string",
    "tornado.template.Template": "template_string",
}
_SANDBOXES = ("jinja2.sandbox.", "SandboxedEnvironment")


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    func = node.func
    if name in _COMPILERS:
        call, source_arg = name.rsplit(".", 1)[-1], argument(node, 0, _COMPILERS[name])
        fix = fix_for_engine(name)
    elif isinstance(func, ast.Attribute) and func.attr == "from_string" and _environment(ctx, func.value):
        call, source_arg = "from_string", argument(node, 0, "source")
        fix = DJANGO_FIX if _django_engine(ctx, func.value) else JINJA_FIX
    else:
        return
    verdict = analyze(ctx, source_arg, "template")
    if verdict is None:
        return
    if verdict.source is not None:
        how = f"built with {verdict.how} from" if verdict.how else "taken from"
        yield Hit(
            node,
            f"`{call}` compiles template source {how} {verdict.source.description}.",
            fix=fix,
            trace=trace_for(ctx, verdict.source, node, f"{call}(...)"),
            confidence=Confidence.HIGH if verdict.strong else Confidence.MEDIUM,
        )
    elif verdict.how:
        yield Hit(
            node,
            f"`{call}` compiles template source built with {verdict.how} from "
            f"{describe(verdict.unsafe[0], ctx)}; "
            "template syntax in that value would be evaluated.",
            fix=fix,
            confidence=Confidence.MEDIUM,
        )
    elif call == "from_string" and fix is JINJA_FIX:
        # An opaque value compiled by a Jinja2 environment that is not sandboxed: a choice a reviewer
        # must see (whoever writes that text runs code on the server), low as nothing shows who does.
        yield Hit(
            node,
            f"`from_string` compiles {describe(verdict.unsafe[0], ctx)} in a Jinja2 environment that is not "
            "sandboxed; it is not a literal, so whoever writes that template runs code on the server.",
            fix=fix,
            confidence=Confidence.LOW,
        )


def _environment(ctx: FileContext, expr: ast.expr, depth: int = 3) -> bool:
    """A Jinja2 (non-sandboxed) environment, Flask's `app.jinja_env` or a Django engine."""
    name = ctx.qualname(expr) or ""
    if isinstance(expr, ast.Call):
        called = ctx.call_name(expr) or ""
        return (
            called.startswith("jinja2.")
            and called.endswith("Environment")
            and not called.startswith(_SANDBOXES)
            and "Sandboxed" not in called
        )
    if name.endswith("jinja_env") or name.startswith("django.template.engines"):
        return True
    if isinstance(expr, ast.Subscript):
        return (ctx.qualname(expr.value) or "") in (
            "django.template.engines",
            "django.template.loader.engines",
        )
    if isinstance(expr, ast.Name) and depth > 0:
        value = reaching_value(ctx, expr)
        return value is not None and value is not expr and _environment(ctx, value, depth - 1)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self" \
            and depth > 0:
        # `self._env = jinja2.Environment(...)`, written only in the class's `__init__`
        cls = ctx.enclosing_class(expr)
        init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None) \
            if cls is not None else None
        values = [n.value for n in ast.walk(init) if isinstance(n, ast.Assign) and len(n.targets) == 1
                  and isinstance(n.targets[0], ast.Attribute) and n.targets[0].attr == expr.attr
                  and isinstance(n.targets[0].value, ast.Name) and n.targets[0].value.id == "self"] \
            if init is not None else []
        return len(values) == 1 and _environment(ctx, values[0], depth - 1)
    return False


def _django_engine(ctx: FileContext, expr: ast.expr, depth: int = 3) -> bool:
    """`engines["django"]`, `django.template.engines[...]` or a name bound to one: a Django engine."""
    if isinstance(expr, ast.Subscript):
        expr = expr.value
    if isinstance(expr, ast.Name) and depth > 0:
        value = reaching_value(ctx, expr)
        if value is not None and value is not expr:
            return _django_engine(ctx, value, depth - 1)
    return (ctx.qualname(expr) or "").startswith("django.")


def _for_sink(hit: Hit, sink: str, ctx: FileContext) -> Hit:
    return replace(hit, fix=fix_for_engine(sink))


# The taint part: flows from these source kinds to these sink kinds, across functions and modules, with a
# trace (secreview/taint/README.md). `check` above stays for what data flow cannot see; where both report
# the same call, the traced finding is kept.
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"template"}),
                   for_sink=_for_sink)
