"""Outside input converted with no handler for malformed values.

## What it flags
`int()`, `float()`, `uuid.UUID()`, `datetime.strptime()` / `fromisoformat()`,
`ipaddress.ip_address()`, `decimal.Decimal()`, `json.loads()` and
`base64.b64decode()` applied directly to outside input — a request argument,
form field, header, cookie, JSON field or body, an untyped route parameter,
`sys.argv[n]` or `input()`, or a message that a consumer loop of the class
takes off a queue (`msg = self.queue.get(timeout=1); self.handle(msg)` in a
`while` loop) and hands to the method — with no enclosing `try` (for a
message: neither around the conversion nor around the loop's call) that catches the error
the conversion raises (ValueError / TypeError, `JSONDecodeError`,
`binascii.Error`, `InvalidOperation`, or `Exception`), no app-wide
`errorhandler` for it in the file, and no shape check (`s.isdigit()`,
`PATTERN.fullmatch(s)`) before it. A handler decorated with a schema validator
(`@validation.schema(...)`, `@validation.query_schema(...)`, `@use_args(...)`)
is not reported: the framework rejects a malformed value before the handler runs.

Confidence: medium in a handler; low in a private helper that is handed the
request by its caller (`def _links(self, request)`), whose handlers may have
validated the value where this file cannot see.

## Why it matters
Any client can send `page=abc`. The conversion raises, the exception escapes
the handler and the framework answers 500 with a traceback in the logs — or,
in a worker or CLI, the process dies (CWE-248). Besides the noise, an input
that reliably crashes a code path is a cheap denial of service and hides the
real validation errors. Flask's `request.args.get("page", type=int)` and a
`try/except ValueError` that answers 400 are the safe forms.

## Example
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/items")
def items():
    page = int(request.args.get("page", 1))
    return {"page": page}
```

## Use instead
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/items")
def items():
    page = request.args.get("page", 1, type=int)
    return {"page": page}
```

## References
- CWE-248: Uncaught Exception
- Flask docs, `MultiDict.get(key, default=None, type=None)`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.model import Confidence, Severity
from secreview.rules._robustness.catching import caught_here
from secreview.rules._robustness.input_conversion import (
    CONVERTERS,
    file_error_handlers,
    request_from_caller,
    route_param_typed,
    schema_validated,
    shape_checked,
)
from secreview.rules._robustness.queued_messages import queued_message
from secreview.ruleset import Hit, Meta
from secreview.taint.provenance import direct_input, is_web_request

META = Meta(
    code="SR605",
    name="uncaught-conversion-of-input",
    title="Outside input converted without handling malformed values",
    cwe=248,
    type="crash",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Convert inside `try/except ValueError` (or the parser's error) and answer 400 / print usage; "
    "in Flask use `request.args.get(name, default, type=int)`; or validate the shape first.",
)
NODES = (ast.Call,)
_NOT_SHOWN = frozenset(
    {"TypeError", "Error", "AttributeError", "DecimalException", "ArithmeticError", "AddressValueError"}
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node)
    errors = CONVERTERS.get(name or "")
    if errors is None or name is None or not node.args or isinstance(node.args[0], ast.Starred):
        return
    value = node.args[0]
    source = direct_input(ctx, value)
    if source is None:
        source = queued_message(ctx, value, errors)
        if source is not None and not caught_here(ctx, node, errors) and not shape_checked(ctx, node, value):
            short = name.split(".", 1)[1] if name.startswith("builtins.") else name
            yield Hit(
                node,
                f"`{short}()` converts {source.description} with nothing catching "
                f"{'/'.join(sorted(errors - _NOT_SHOWN))} on the way: one malformed message ends the loop.",
                trace=trace_for(ctx, source, node, f"{short}(...)"),
            )
        return
    func = ctx.enclosing_function(node)
    if isinstance(source.node, ast.Name) and route_param_typed(ctx, source.node.id, func):
        return
    if caught_here(ctx, node, errors) or shape_checked(ctx, node, value) or schema_validated(ctx, func):
        return
    web = "request" in source.description or "route parameter" in source.description
    if web and not is_web_request(ctx, source):
        return  # an outgoing client request object, not a client's input
    if web and file_error_handlers(ctx) & (errors | {"Exception", "BaseException"}):
        return
    short = name.split(".", 1)[1] if name.startswith("builtins.") else name
    outcome = "the request fails with a 500" if web else "the program stops with a traceback"
    yield Hit(
        node,
        f"`{short}()` converts {source.description} with nothing catching "
        f"{'/'.join(sorted(errors - _NOT_SHOWN))}: malformed input and {outcome}.",
        trace=trace_for(ctx, source, node, f"{short}(...)"),
        severity=None if web else Severity.LOW,
        confidence=Confidence.LOW if web and request_from_caller(ctx, source, func) else None,
    )
