"""A value that is None on a miss is used as an object without a check.

## What it flags
A call that answers a miss with None — `.get(key)` without a default on a
mapping known to be one (request args/form/headers/cookies, `os.environ`,
`flask.session`, `**kwargs`, a local dict), `os.getenv()`, `getattr(o, name,
None)`, `next(it, None)`, `shutil.which()`, `mimetypes.guess_type()[0]`,
`urlparse(u).hostname`, ORM `.first()` / `.one_or_none()` / `Model.query.get()`,
an ElementTree / BeautifulSoup `find("tag")` — whose result is then used as an
object (attribute, method call, subscript, iteration, `len()`, unpacking),
either chained directly or through a local variable, with no check (`if x`,
`x is None`, `x or d`, `assert x`, a `try` catching AttributeError/TypeError)
in between.

## Why it matters
The miss is exactly what a client controls: leave out a header, a form field or
a query parameter and the handler dies with `AttributeError: 'NoneType' object
has no attribute ...` (CWE-476). At best that is a 500 and a traceback in the
logs; at worst the exception escapes from an authentication or validation step
and skips the code that should have rejected the request.

## Example
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    auth = request.headers.get("Authorization")
    scheme, token = auth.split(" ", 1)
    return token
```

## Use instead
```python
from flask import Flask, abort, request

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    auth = request.headers.get("Authorization")
    if not auth or " " not in auth:
        abort(401)
    scheme, token = auth.split(" ", 1)
    return token
```

## References
- CWE-476: NULL Pointer Dereference
- Python docs, `dict.get`, `os.getenv`, `shutil.which`, `urllib.parse.urlparse`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._robustness.catching import caught_here, in_test_code
from secreview.rules._robustness.none_results import element_find, element_use, none_result
from secreview.rules._robustness.source_text import segment
from secreview.rules._robustness.value_use import bound_name, first_unchecked_use, object_use, tested_texts
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR601",
    name="unchecked-none-dereference",
    title="Possibly-None value used as an object without a check",
    cwe=476,
    type="crash",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix='Give the lookup a default (`.get(key, "")`) or test the result (`if value is None: ...`) '
    "before using it; reject the request with a 4xx when a required value is missing.",
)
NODES = (ast.Call, ast.Attribute, ast.Subscript)
_CATCHES = frozenset({"AttributeError", "TypeError"})


def check(node: ast.expr, ctx: FileContext) -> Iterator[Hit]:
    why = none_result(ctx, node)
    element = why is None and element_find(ctx, node)
    why = why or element
    if not why:
        return
    if in_test_code(ctx, node):
        return
    text = segment(ctx, node)
    if _tested(ctx, node, text):
        return
    how = object_use(ctx, node)
    if how is not None:
        if (not element or element_use(ctx, node)) and not caught_here(ctx, node, _CATCHES):
            yield Hit(node, f"{why}; {how} on it then raises instead of handling the miss.")
        return
    stmt = ctx.parent(node)
    ident = bound_name(stmt)
    if ident is None:
        return
    found = first_unchecked_use(ctx, stmt, ident, _CATCHES)
    if found is None:
        return
    use, how = found
    if element and not element_use(ctx, use):
        return
    target = ctx.parent(use) or use
    yield Hit(target, f"`{ident}` (line {stmt.lineno}): {why}; {how} on `{ident}` raises when it is None.")


def _tested(ctx: FileContext, node: ast.expr, text: str) -> bool:
    """The same lookup, or a membership test of its key, already appears in a test before or around it."""
    tests = tested_texts(ctx, node)
    if text in tests:
        return True
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
    ):
        key, recv = segment(ctx, node.args[0]), segment(ctx, node.func.value)
        return any(key in t and recv in t and " in " in t for t in tests)
    return False
