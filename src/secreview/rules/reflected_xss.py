"""Request data written unescaped into an HTML response.

## What it flags
With data flow (the taint part): data from a network client or a socket that
reaches a `html` sink of the taint specs, followed through assignments, helpers in
other modules and attributes of `self`, reported with its trace. Where the specs name
the sink call, data flow decides; the pattern part below speaks for the rest.
A page a handler returns is reported where the value is put into markup
(`header = f"<h2>{q}</h2>"`) when that is an earlier statement: there the escape
belongs; the `return` is the trace's last step. A project's own escape function
(a character table, a `.replace("<", "&lt;")` chain covering `<` and `>`) clears the
value, in any module; one that misses a character, or adds the raw value back, does not.

Web handlers (a function decorated as a route, a Django view, any function that
takes the `request`) that answer with HTML assembled by f-string, `%`,
`.format()`, `+` or `join` from request data or URL parameters without
escaping them: returned directly from a Flask/Bottle route (a `str` becomes a
`text/html` response), or passed to `make_response`, `flask.Response`,
`werkzeug.Response`, `django.http.HttpResponse`, `HTMLResponse` (Starlette,
FastAPI), Tornado's `self.write()`, or to `aiohttp.web.Response`/Starlette `Response` declared as
`text/html`. Request data sent back whole, or in plain text that the framework
still serves as `text/html`, is reported with medium confidence. Values passed through
`escape()`/`html.escape()`/`markupsafe.escape()`, `bleach.clean()`,
`format_html()` or a template renderer are fine, and so are responses declared
as JSON or plain text (also a Flask `(body, status, {"Content-Type": ...})` tuple).

## Why it matters
The browser parses the response as HTML: a `<script>` or an event-handler
attribute in the reflected value runs in the victim's session when they follow a
crafted link (CWE-79, reflected cross-site scripting), with access to their
cookies, CSRF tokens and the pages they can see.

## Example
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/search")
def search():
    query = request.args.get("q", "")
    return f"<h1>Results for {query}</h1>"
```

## Use instead
```python
from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)

@app.route("/search")
def search():
    query = request.args.get("q", "")
    return f"<h1>Results for {escape(query)}</h1>"
```

## References
- CWE-79: Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')
- OWASP Cross Site Scripting Prevention Cheat Sheet; Flask documentation, "HTML Escaping"
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import replace

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument, keyword, literal_value
from secreview.model import Confidence, Severity
from secreview.rules._injection.verdict import analyze
from secreview.ruleset import Hit, Meta, TaintQuery
from secreview.taint.handlers import declared_not_html
from secreview.taint.provenance import handler_function, read_directly

META = Meta(
    code="SR123",
    name="reflected-xss",
    title="Request data reflected unescaped in an HTML response",
    cwe=79,
    type="xss",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Render through a template with autoescaping, or escape every request value with markupsafe.escape() "
    "/ html.escape() (django.utils.html.format_html in Django) before building the HTML.",
    restates=("SR121", "SR122"),
)
NODES = (ast.Return, ast.Call)

# Response constructors: (argument position, keyword of the body, HTML unless a content type says otherwise)
_RESPONSES = {
    "flask.make_response": (0, None, True),
    "flask.Response": (0, "response", True),
    "flask.wrappers.Response": (0, "response", True),
    "werkzeug.Response": (0, "response", True),
    "werkzeug.wrappers.Response": (0, "response", True),
    "django.http.HttpResponse": (0, "content", True),
    "django.http.response.HttpResponse": (0, "content", True),
    "starlette.responses.HTMLResponse": (0, "content", True),
    "fastapi.responses.HTMLResponse": (0, "content", True),
    "starlette.responses.Response": (0, "content", False),
    "fastapi.responses.Response": (0, "content", False),
    "fastapi.Response": (0, "content", False),
    "aiohttp.web.Response": (None, "text", False),
    "bottle.HTTPResponse": (0, "body", True),
    "pyramid.response.Response": (0, "body", True),
    "webob.Response": (0, "body", True),
}
_TYPE_KEYWORDS = ("content_type", "mimetype", "media_type")
_RETURNS_HTML = ("flask", "bottle", "quart")  # a returned str becomes text/html
_HTML = re.compile(r"<\s*[a-zA-Z!/]")


def check(node: ast.AST, ctx: FileContext) -> Iterator[Hit]:
    if isinstance(node, ast.Return):
        value = node.value
        if isinstance(value, ast.Tuple) and value.elts:
            if declared_not_html(value):
                return  # `return body, 200, {"Content-Type": "application/json"}`: not an HTML page
            value = value.elts[0]
        if value is None or isinstance(value, ast.Call) and (ctx.call_name(value) or "") in _RESPONSES:
            return
        func = ctx.enclosing_function(node)
        if not handler_function(ctx, func) or not _returns_html(ctx):
            return
        for hit in _report(ctx, node, value, "The route returns"):
            # as the taint part does: at the statement that puts the value into markup, if earlier
            built = _markup_binding(func, value, node.lineno) if func is not None else None
            yield replace(hit, node=built) if built is not None else hit
        return
    assert isinstance(node, ast.Call)
    spec = _RESPONSES.get(ctx.call_name(node) or "")
    if spec is None and _tornado_write(ctx, node):
        spec = (0, "chunk", True)
    if spec is None:
        return
    position, name, html_default = spec
    declared = next(
        (literal_value(kw.value) for kw in (keyword(node, k) for k in _TYPE_KEYWORDS) if kw), None
    )
    if declared is not None and not (isinstance(declared, str) and "html" in declared.lower()):
        return
    if declared is None and not html_default:
        return
    short = (ctx.call_name(node) or "").rsplit(".", 1)[-1]
    short = "self." + short if short in ("write", "finish") else short
    yield from _report(ctx, node, argument(node, position, name), f"`{short}` sends")


def _report(ctx: FileContext, node: ast.AST, body: ast.expr | None, where: str) -> Iterator[Hit]:
    verdict = analyze(ctx, body, "html")
    if verdict is None or verdict.source is None or not verdict.strong:
        return
    if verdict.carrier is not None and not read_directly(verdict.carrier.expr):
        return  # derived through some other call (a lookup, a serializer): not a reflection
    if verdict.how is not None:
        html = _HTML.search(verdict.text) is not None
        what = "HTML" if html else "text (served as text/html)"
        message = (
            f"{where} {what} built with {verdict.how} from {verdict.source.description} without escaping it."
        )
        confidence = Confidence.HIGH if html else Confidence.MEDIUM
    else:
        message = f"{where} {verdict.source.description} as HTML without escaping it."
        confidence = Confidence.MEDIUM
    yield Hit(
        node,
        message,
        trace=trace_for(ctx, verdict.source, node, where.replace(" sends", "")),
        confidence=confidence,
    )


def _tornado_write(ctx: FileContext, node: ast.Call) -> bool:
    """`self.write(html)` / `self.finish(html)` in a Tornado RequestHandler (text/html by default)."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr in ("write", "finish") and node.args):
        return False
    if not (isinstance(func.value, ast.Name) and func.value.id == "self"):
        return False
    return any(v.split(".")[0] == "tornado" for v in ctx.imports.values())


def _returns_html(ctx: FileContext) -> bool:
    return any(v.split(".")[0] in _RETURNS_HTML for v in ctx.imports.values())


# The taint part: flows from these source kinds to these sink kinds, across functions and modules, with a
# trace (secreview/taint/README.md). `check` above stays for what data flow cannot see; where both report
# the same call, the traced finding is kept.
def _where_markup_is_built(hit: Hit, sink: str, ctx: FileContext) -> Hit:
    """A handler's `return` of a page is located where the tainted value is put into HTML markup
    (`header = f"<h2>{q}</h2>"`), when that is an earlier statement of the handler: the return
    only hands the page over, the escape belongs where the markup is made (the return stays the
    last step of the trace). A response constructor (`HttpResponse(page)`) is a sink the code
    names, and is kept as the location."""
    func = ctx.enclosing_function(hit.node)
    if func is None or not isinstance(hit.node, ast.Return):
        return hit
    for item in hit.trace[:-1]:
        if item.path != ctx.path or not item.note.startswith("assigned to") \
                or not func.lineno < item.line < hit.node.lineno:
            continue
        statement = next((n for n in ast.walk(func) if isinstance(n, ast.Assign) and n.lineno == item.line), None)
        if statement is not None and _builds_markup(statement.value):
            return replace(hit, node=statement)
    return hit


def _markup_binding(func: ast.AST, value: ast.expr, line: int) -> ast.Assign | None:
    """`page = "<p>" + name + "</p>"; return page`: the last binding of the returned name before the
    return, when it builds markup."""
    if not isinstance(value, ast.Name):
        return None
    bindings = [n for n in ast.walk(func) if isinstance(n, ast.Assign) and n.lineno < line and len(n.targets) == 1
                and isinstance(n.targets[0], ast.Name) and n.targets[0].id == value.id]
    last = max(bindings, key=lambda n: n.lineno, default=None)
    return last if last is not None and _builds_markup(last.value) else None


def _builds_markup(value: ast.expr) -> bool:
    """A string build (f-string, `%`, `+`, `.format`) whose literal text holds a tag."""
    if not isinstance(value, (ast.JoinedStr, ast.BinOp, ast.Call)):
        return False
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and _HTML.search(n.value)
               for n in ast.walk(value))


TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"html"}),
                   for_sink=_where_markup_is_built)
