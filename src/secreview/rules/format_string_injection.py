"""Format string (the template itself) taken from outside the program.

## What it flags
With data flow (the taint part): data from a network client, a socket, the command line
or the environment that
reaches a `format_string` sink of the taint specs, followed through assignments, helpers in
other modules and attributes of `self`, reported with its trace. Where the specs name
the sink call, data flow decides; the pattern part below speaks for the rest.

`str.format(...)`, `str.format_map(...)` and `%` formatting whose *format
string* — the receiver of `.format`, the left side of `%` — comes from request
data, a route parameter, a socket, the command line, the environment or stdin;
and `string.Template(...)` built from such a value then `substitute()`d with a whole mapping
(`substitute(os.environ)`, `substitute(**vars(obj))`; explicit keywords only let a placeholder read
the values the code chose). Outside
data as the *arguments* of a literal template is the normal, safe use and is not
reported; neither are logging calls (see log-injection).

## Why it matters
A format string is a small language. With `str.format`, a field like
`{user.__class__.__init__.__globals__[SECRET_KEY]}` walks from any argument to
module globals and leaks them into the output; `%(password)s` against a mapping,
or `$secret` in a `string.Template`, reads keys the author never meant to
expose, and malformed fields raise exceptions (CWE-134).

## Example
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/greet")
def greet():
    template = request.args.get("template", "Hello {user.name}")
    return template.format(user=load_current_user())

def load_current_user():
    ...
```

## Use instead
```python
from flask import Flask, request

app = Flask(__name__)

GREETINGS = {"formal": "Good day, {name}", "casual": "Hi {name}"}

@app.route("/greet")
def greet():
    template = GREETINGS.get(request.args.get("style"), "Hello {name}")
    return template.format(name=load_current_user().name)

def load_current_user():
    ...
```

## References
- CWE-134: Use of Externally-Controlled Format String
- Armin Ronacher, "Be Careful with Python's New-Style String Format"; Python docs, `string.Template`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value, trace_for
from secreview.analysis.values import argument, is_literal
from secreview.model import Confidence, Severity
from secreview.rules._injection.loggers import is_logging_call
from secreview.rules._injection.verdict import analyze
from secreview.ruleset import Hit, Meta, TaintQuery

META = Meta(
    code="SR130",
    name="format-string-injection",
    title="Format string controlled from outside the program",
    cwe=134,
    type="fmt",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Keep format strings in the code (pick one from a dict of known templates) and pass outside "
    "data only as arguments; for user-authored templates use a sandboxed engine (jinja2.sandbox).",
)
NODES = (ast.Call, ast.BinOp)

_WEAK = ("the environment", "the command line")


def check(node: ast.AST, ctx: FileContext) -> Iterator[Hit]:
    template: ast.expr | None
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, ast.Mod) or _numeric(ctx, node.right) or _in_logging_call(ctx, node):
            return
        template, how = node.left, "`%` formatting"
    else:
        assert isinstance(node, ast.Call)
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        if func.attr in ("format", "format_map") and (node.args or node.keywords):
            if _in_logging_call(ctx, node):
                return
            template, how = func.value, f"`.{func.attr}()`"
        elif func.attr in ("substitute", "safe_substitute") and _passes_a_mapping(node):
            template, how = _string_template(ctx, func.value), f"`string.Template(...).{func.attr}()`"
        else:
            return
    if template is None or is_literal(template, ctx):
        return
    verdict = analyze(ctx, template, "fmt")
    if verdict is None or verdict.source is None:
        return
    source = verdict.source
    weak = source.description.startswith(_WEAK)
    yield Hit(
        node,
        f"{how} uses a format string taken from {source.description}.",
        trace=trace_for(ctx, source, node, how.strip("`")),
        confidence=Confidence.LOW if weak else Confidence.HIGH,
        severity=Severity.LOW if weak else None,
    )


def _passes_a_mapping(call: ast.Call) -> bool:
    """`substitute(mapping)` or `substitute(**values)`: the template picks what it reads from a whole
    mapping. With explicit keywords only (`substitute(name=n)`), a `$placeholder` can read nothing but
    the values the code chose, and `string.Template` has no attribute or index access."""
    return bool(call.args) or any(kw.arg is None for kw in call.keywords)


def _numeric(ctx: FileContext, expr: ast.expr) -> bool:
    """`x % 2`, `x % n_buckets`: arithmetic, not formatting."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool)
    if isinstance(expr, ast.Call):
        return (ctx.call_name(expr) or "") in ("builtins.int", "builtins.len", "builtins.float")
    return isinstance(expr, ast.BinOp) and not isinstance(expr.op, ast.Mod) and _numeric(ctx, expr.left)


def _string_template(ctx: FileContext, expr: ast.expr, depth: int = 3) -> ast.expr | None:
    """The template text of `string.Template(text)`, directly or through a local name."""
    if isinstance(expr, ast.Call) and ctx.call_name(expr) == "string.Template":
        return argument(expr, 0, "template")
    if isinstance(expr, ast.Name) and depth > 0:
        value = reaching_value(ctx, expr)
        return _string_template(ctx, value, depth - 1) if value is not None and value is not expr else None
    return None


def _in_logging_call(ctx: FileContext, node: ast.AST) -> bool:
    parent = ctx.parent(node)
    return isinstance(parent, ast.Call) and is_logging_call(ctx, parent) is not None and node in parent.args


# The taint part: flows from these source kinds to these sink kinds, across functions and modules, with a
# trace (secreview/taint/README.md). `check` above stays for what data flow cannot see; where both report
# the same call, the traced finding is kept.
TAINT = TaintQuery(
    sources=frozenset({"remote_input", "socket_input", "cli_input", "env_input"}),
    sinks=frozenset({"format_string"}),
)
