"""Log message built from request data without neutralising line breaks.

## What it flags
Data from a network client or a socket that reaches the *message* of a logging
call (the `log` sinks of the taint specs: `logging.info(...)`, `LOG.warning(...)`,
`logger.log(level, ...)` ...), followed through assignments, helpers in other
modules and attributes of `self`, with the trace — the message assembled by f-string, `%`,
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
import re

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.ruleset import Meta, TaintQuery

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


def _taint_validated(call: ast.Call, arg: ast.AST, ctx: FileContext) -> bool:
    """The message cannot carry a raw line break: every interpolated value goes through repr()
    (`%r`, `{x!r}`), or CR and LF are replaced in it."""
    if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "replace" and n.args
           and isinstance(n.args[0], ast.Constant) and n.args[0].value in ("\n", "\r", "\r\n")
           for n in ast.walk(arg)):
        return True
    if isinstance(arg, ast.JoinedStr):
        parts = [v for v in arg.values if isinstance(v, ast.FormattedValue)]
        return bool(parts) and all(v.conversion == ord("r") for v in parts)
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod) and isinstance(arg.left, ast.Constant) \
            and isinstance(arg.left.value, str):
        conversions = re.findall(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?([a-zA-Z%])", arg.left.value)
        used = [c for c in conversions if c != "%"]
        return bool(used) and all(c == "r" for c in used)
    return False


# A taint rule (converted from a local pattern rule, whose sources were the same): flows from these source
# kinds to the `log` sinks of the specs, across functions and modules, with a trace (secreview/taint/README.md).
TAINT = TaintQuery(
    sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"log"}), validated=_taint_validated
)
