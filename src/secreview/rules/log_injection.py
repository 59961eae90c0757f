"""Log message built from request data without neutralising line breaks.

## What it flags
Logging calls (`logging.info(...)`, `LOG.warning(...)`, `self.logger.error(...)`,
`logger.log(level, ...)` ...) whose *message* is assembled by f-string, `%`,
`.format()`, `+` or `join` from request data, headers or route parameters, or
is such a value on its own (`LOG.info(request.args["msg"])`). Values rendered
with `repr()`/`%r`/`!r`, stripped of `\\n`/`\\r` with `.replace()`, encoded
(`json.dumps`, `urllib.parse.quote`) or reduced to numbers are fine, and so are
lazy arguments (`LOG.info("user %s", name)`), which this rule leaves to the
formatter.

## Why it matters
A value containing a newline forges whole log records — a fake "login
succeeded for admin" line, or entries that hide an attack from whoever reads the
log (CWE-117). When the value is the whole message, `%` directives in it are
also interpreted against the arguments. Log viewers that render HTML add
cross-site scripting on top.

## Example
```python
import logging

from flask import Flask, request

app = Flask(__name__)
LOG = logging.getLogger(__name__)

@app.route("/login", methods=["POST"])
def login():
    user = request.form["username"]
    LOG.info(f"login attempt for {user}")
    return "ok"
```

## Use instead
```python
import logging

from flask import Flask, request

app = Flask(__name__)
LOG = logging.getLogger(__name__)

@app.route("/login", methods=["POST"])
def login():
    user = request.form["username"]
    LOG.info("login attempt for %r", user)
    return "ok"
```

## References
- CWE-117: Improper Output Neutralization for Logs
- OWASP Logging Cheat Sheet; Python docs, "Logging HOWTO" (lazy `%s` arguments)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._injection.loggers import is_logging_call
from secreview.rules._injection.sources import direct_data
from secreview.rules._injection.verdict import analyze
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR131",
    name="log-injection",
    title="Log message built from unneutralised request data",
    cwe=117,
    type="fmt",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    fix='Pass request values as lazy arguments rendered with %r (LOG.info("user %r", name)), or strip '
    'line breaks first (name.replace("\\n", " ").replace("\\r", " ")); never log a request value as '
    "the whole message.",
)
NODES = (ast.Call,)

_REQUEST = ("request data", "the route parameter", "the URL parameter", "data read from a socket")


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    method = is_logging_call(ctx, node)
    if method is None:
        return
    message = argument(node, 1, "msg") if method == "log" else argument(node, 0, "msg")
    verdict = analyze(ctx, message, "log")
    if verdict is None or verdict.source is None or not verdict.source.description.startswith(_REQUEST):
        return
    if verdict.carrier is not None and not direct_data(verdict.carrier.expr):
        return
    call = ctx.segment(node.func) or method
    call = call if len(call) <= 30 else method
    if verdict.how:
        text = f"`{call}` logs a message built with {verdict.how} from {verdict.source.description}; "
        text += "line breaks in it forge log records."
    else:
        text = (
            f"`{call}` logs {verdict.source.description} as the whole message (line breaks and % directives)."
        )
    yield Hit(
        node,
        text,
        trace=trace_for(ctx, verdict.source, node, f"{call}(...)"),
    )
