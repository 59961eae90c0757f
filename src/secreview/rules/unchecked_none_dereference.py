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

Not flagged: `find(".")` (the element itself), `find()` on a tree this code
builds in memory (`Element`/`SubElement`) or parses from a literal, a
`.first()` of a query that selects only aggregates without GROUP BY (always one
row), `getattr(o, "a", None)` under `if hasattr(o, "a")`, and code in a branch
that never runs (`if False:`, after a `return` or `raise`).

Confidence: medium when something outside the program decides the miss — a
client (request mappings, a document parsed from request data), the operator
(the environment), the host (`shutil.which`), the database (`.first()`); low
when the program's own data does — `.get()` on a local dict, `**kwargs` or an
attribute of `self`, `getattr(..., None)`, `next(..., None)`, and `find()` on a
document of unknown origin (a parameter, a file, a backend's reply the code
trusts to be well-formed), where the surrounding code usually guarantees the
key or element.

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
from secreview.rules._robustness.catching import caught_here, dead_code
from secreview.rules._robustness.none_results import (
    element_document,
    element_find,
    element_use,
    none_result,
    outside_miss,
)
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
    element = element_find(ctx, node) if why is None else None
    why = why or element
    if not why:
        return
    if dead_code(ctx, node):
        return
    outside = outside_miss(ctx, node)
    if element and isinstance(node, ast.Call):  # (element_find answers only for a call)
        document = element_document(ctx, node)
        if document == "built":
            return  # the code wrote every element it looks up
        outside = document == "outside"
    text = segment(ctx, node)
    if _tested(ctx, node, text) or _hasattr_guarded(ctx, node):
        return
    confidence = None if outside else Confidence.LOW
    how = object_use(ctx, node)
    if how is not None:
        if (not element or element_use(ctx, node)) and not caught_here(ctx, node, _CATCHES):
            yield Hit(node, f"{why}; {how} on it then raises instead of handling the miss.", confidence=confidence)
        return
    stmt = ctx.parent(node)
    ident = bound_name(stmt)
    if ident is None or not isinstance(stmt, ast.stmt):  # (a name is bound by an assignment statement)
        return
    found = first_unchecked_use(ctx, stmt, ident, _CATCHES)
    if found is None:
        return
    use, how = found
    if element and not element_use(ctx, use):
        return
    target = ctx.parent(use) or use
    yield Hit(
        target,
        f"`{ident}` (line {stmt.lineno}): {why}; {how} on `{ident}` raises when it is None.",
        confidence=confidence,
    )


def _in_else(child: ast.AST, branch: ast.If | ast.IfExp | ast.While) -> bool:
    # An `if` expression's else is one expression, not a list (`child in orelse` raised TypeError there).
    return child is branch.orelse if isinstance(branch, ast.IfExp) else child in branch.orelse


def _hasattr_guarded(ctx: FileContext, node: ast.expr) -> bool:
    """`getattr(o, "a", None)` inside `if hasattr(o, "a"):` (or `hasattr(...) and ...`): not None there."""
    if not (isinstance(node, ast.Call) and ctx.call_name(node) == "builtins.getattr" and len(node.args) == 3):
        return False
    wanted = (segment(ctx, node.args[0]), segment(ctx, node.args[1]))
    child: ast.AST = node
    for anc in ctx.ancestors(node):
        tests: list[ast.AST] = []
        if isinstance(anc, (ast.If, ast.IfExp, ast.While)) and child is not anc.test and not _in_else(child, anc):
            tests = [anc.test]
        elif isinstance(anc, ast.BoolOp) and isinstance(anc.op, ast.And):
            tests = [v for v in anc.values if v is not child]
        for test in tests:
            for sub in ast.walk(test):
                if (
                    isinstance(sub, ast.Call)
                    and ctx.call_name(sub) == "builtins.hasattr"
                    and len(sub.args) == 2
                    and (segment(ctx, sub.args[0]), segment(ctx, sub.args[1])) == wanted
                ):
                    return True
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        child = anc
    return False


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
