"""Recursion without a depth limit over data parsed from a request.

## What it flags
A function that calls itself (by name, or as `self.method`) on a part of one of
its parameters (`node["children"]`, `node.child`, the values of a loop over
`node.items()` ...), that has no depth/level/limit parameter, does not consult
`sys.getrecursionlimit()` and does not catch `RecursionError`, and that this file
calls on data parsed from what a client sent (`json.loads`/`yaml`/XML of request
or socket data, `request.get_json()`, `await request.json()`). Recursion over other data is not
reported: this rule only follows the parse to the call in the same file.

Also a recursive-descent parser: methods of one class that call each other (`expr()` ->
`term()` -> `expr()`) while advancing a cursor over the input the constructor was given
(`self.pos += 1`, `next(self.tokens)`), with no depth the class keeps or is given and no
`RecursionError` handled, when the class is not only ever built from literals here. The call
that re-enters an earlier method is reported: nesting in the input (`((((...))))`) is recursion
depth.

## Why it matters
The nesting depth of a JSON or YAML document is chosen by its sender. A body of
a few kilobytes (`[[[[...]]]]`) drives the recursion past Python's limit and
the handler dies with `RecursionError`, or, in C extensions and threads with
small stacks, the whole process crashes (CWE-674).

## Example
```python
import json
from flask import Flask, request

app = Flask(__name__)

def count_leaves(node):
    if isinstance(node, dict):
        return sum(count_leaves(v) for v in node.values())
    if isinstance(node, list):
        return sum(count_leaves(v) for v in node)
    return 1

@app.route("/stats", methods=["POST"])
def stats():
    return {"leaves": count_leaves(json.loads(request.data))}
```

## Use instead
```python
import json
from flask import Flask, abort, request

app = Flask(__name__)

def count_leaves(node, depth=0):
    if depth > 64:
        abort(400)
    if isinstance(node, dict):
        return sum(count_leaves(v, depth + 1) for v in node.values())
    if isinstance(node, list):
        return sum(count_leaves(v, depth + 1) for v in node)
    return 1

@app.route("/stats", methods=["POST"])
def stats():
    return {"leaves": count_leaves(json.loads(request.data))}
```

## References
- CWE-674: Uncontrolled Recursion
- Python docs, `sys.setrecursionlimit` and `RecursionError`
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import Source, reaching_value, trace_for
from secreview.analysis.memo import MemoKey
from secreview.model import Confidence, Severity
from secreview.rules._dos.descent import reentry
from secreview.ruleset import Hit, Meta
from secreview.taint import provenance

_RECURSION_PARSES_INPUT: MemoKey[bool] = MemoKey("recursion-parses-input")
_CALLED_SHORT_NAMES: MemoKey[frozenset[str]] = MemoKey("recursion-called-short-names")

META = Meta(
    code="SR508",
    name="uncontrolled-recursion",
    title="Unbounded recursion over request-supplied nesting",
    cwe=674,
    type="dos",
    severity=Severity.LOW,
    confidence=Confidence.LOW,
    fix="Pass a depth counter and reject input nested deeper than a small limit, or walk the structure "
    "iteratively with an explicit stack.",
)
NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
# The modules and functions of _PARSERS below (json covers simplejson/ujson/orjson, toml tomllib), and a
# parser's cursor (`self.pos += 1`, `next(self.tokens)`).
NEEDS = ("json", "yaml", "xmltodict", "toml", "msgpack", "fromstring", "cbor2", "pos", "token", "cursor", "next")
_SENDERS = frozenset(provenance.PARTS) - {"response"}  # a client or peer, not an upstream service we chose to call
_GUARD_PARAM = re.compile(
    r"(depth|level|limit|max|recurs|nest|remaining|budget|height|stack|_seen|visited)", re.IGNORECASE
)
_PARSERS = frozenset(
    {
        "json.loads",
        "json.load",
        "simplejson.loads",
        "ujson.loads",
        "orjson.loads",
        "yaml.safe_load",
        "yaml.load",
        "yaml.full_load",
        "xmltodict.parse",
        "tomllib.loads",
        "toml.loads",
        "msgpack.unpackb",
        "msgpack.loads",
        "xml.etree.ElementTree.fromstring",
        "defusedxml.ElementTree.fromstring",
        "lxml.etree.fromstring",
        "cbor2.loads",
    }
)


def check(node: FunctionNode, ctx: FileContext) -> Iterator[Hit]:
    found = reentry(ctx, node)
    owner = ctx.parent(node)
    if found is not None and isinstance(owner, ast.ClassDef):  # (reentry answers only for a method)
        call, callee = found
        cls = owner.name
        yield Hit(
            call,
            f"`{cls}.{node.name}()` calls `{callee}()` again for nested input and nothing limits the depth: "
            f"`{cls}` consumes its input token by token, so input nested deeper than the recursion limit "
            "raises RecursionError.",
        )
        return
    if _parses_input(ctx):  # else nothing in this file parses nested input to feed the recursion
        yield from _parsed_recursion(node, ctx)


def _parsed_recursion(node: FunctionNode, ctx: FileContext) -> Iterator[Hit]:
    if node.name not in ctx.memo(_CALLED_SHORT_NAMES, ctx.tree, lambda: _called_short_names(ctx)):
        return  # nothing in the file calls a function of this name: it cannot call itself
    params = [a.arg for a in provenance.params_of(node)]
    if any(_GUARD_PARAM.search(p) for p in params) or _guarded(ctx, node):
        return
    method = ctx.enclosing_class(node) is not None and params[:1] in (["self"], ["cls"])
    data_params = set(params[1:] if method else params)
    recursive = _recursive_call(ctx, node, data_params, method)
    if recursive is None:
        return
    for call in _call_sites(ctx, node, method):
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            if not _parsed(ctx, arg):
                continue
            origin = provenance.origin(ctx, arg, provenance.REMOTE, parts=_SENDERS)
            if origin is None:
                continue
            trace = (
                trace_for(ctx, origin.source, call, f"{node.name}(<parsed input>)")
                + trace_for(ctx, Source(call, ""), recursive, f"{node.name}() recurses with no depth limit")[
                    1:
                ]
            )
            yield Hit(
                recursive,
                f"`{node.name}()` calls itself on part of its argument with no depth limit, "
                f"and line {call.lineno} passes it data parsed from {origin.source.description}: "
                "deeply nested input raises RecursionError.",
                trace=trace,
            )
            return


# A body the web framework parses for the handler (`request.get_json()`, `await request.json()`,
# WebOb's `json_body`, Falcon's `media`): as nested as the client makes it.
_PARSED_ATTRS = frozenset({"json", "get_json", "json_body", "media"})


def _parses_input(ctx: FileContext) -> bool:
    def compute() -> bool:
        if _PARSERS & ctx.called_names():
            return True
        return any(isinstance(n, ast.Attribute) and n.attr in _PARSED_ATTRS for n in ctx.tree_nodes())

    return ctx.memo(_RECURSION_PARSES_INPUT, ctx.tree, compute)


def _guarded(ctx: FileContext, func: FunctionNode) -> bool:
    for node in ast.walk(func):
        if isinstance(node, ast.Attribute) and node.attr in {"getrecursionlimit", "setrecursionlimit"}:
            return True
        if isinstance(node, ast.Name) and node.id == "RecursionError":
            return True
    return False


def _recursive_call(ctx: FileContext, func: FunctionNode, params: set[str], method: bool) -> ast.Call | None:
    parts: set[str] = set()
    for _ in range(2):  # `children = node.get("children", [])` then `for child in children`
        for node in _own_nodes(func):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and _rooted(
                node.iter, params | parts
            ):
                parts.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
            elif isinstance(node, ast.Assign) and _rooted(node.value, params | parts):
                parts.update(n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name))
    for node in sorted(_own_nodes(func), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))):
        if not isinstance(node, ast.Call) or not _is_self_call(node, func, method):
            continue  # the first recursive call in reading order is the one reported
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.Name) and arg.id in parts:
                return node
            if isinstance(arg, (ast.Subscript, ast.Attribute)) and _rooted(arg, params | parts):
                return node
    return None


def _own_nodes(func: FunctionNode) -> Iterator[ast.AST]:
    """Nodes of the function body, including generator expressions, but not nested defs."""
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def _rooted(expr: ast.AST, names: set[str]) -> bool:
    """`node`, `node["x"]`, `node.children`, `node.items()` ... rooted at one of `names`."""
    while True:
        if isinstance(expr, ast.Name):
            return expr.id in names
        if isinstance(expr, (ast.Subscript, ast.Attribute)):
            expr = expr.value
        elif (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and (not expr.args or expr.func.attr in {"get", "pop", "setdefault"})
        ):
            expr = expr.func.value  # node.items(), node.values(), node.get("children", [])
        else:
            return False


def _called_short_names(ctx: FileContext) -> frozenset[str]:
    """The names the file calls as `name(...)`, `self.name(...)` or `cls.name(...)` (every `_is_self_call`)."""
    names: set[str] = set()
    for call in ctx.tree_nodes():
        if isinstance(call, ast.Call):
            func = call.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                    func.value.id in {"self", "cls"}:
                names.add(func.attr)
    return frozenset(names)


def _is_self_call(call: ast.Call, func: FunctionNode, method: bool) -> bool:
    if method:
        return (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == func.name
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id in {"self", "cls"}
        )
    return isinstance(call.func, ast.Name) and call.func.id == func.name


def _call_sites(ctx: FileContext, func: FunctionNode, method: bool) -> Iterator[ast.Call]:
    for call in ctx.nodes_by_type.get(ast.Call, ()) or (
        n for n in ctx.tree_nodes() if isinstance(n, ast.Call)
    ):
        if not isinstance(call, ast.Call) or func in ctx.ancestors(call):
            continue
        if method:
            named = isinstance(call.func, ast.Attribute) and call.func.attr == func.name
        else:
            named = isinstance(call.func, ast.Name) and call.func.id == func.name
        if named:
            yield call


def _parsed(ctx: FileContext, expr: ast.AST, depth: int = 3) -> bool:
    """Is the value a structure parsed from text (json.loads(...), request.get_json(), request.json)?"""
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and ctx.call_name(node) in _PARSERS:
            return True
        if isinstance(node, ast.Attribute) and node.attr in _PARSED_ATTRS:
            return True
        if isinstance(node, ast.Name) and depth > 0:
            value = reaching_value(ctx, node)
            if value is not None and value is not expr and _parsed(ctx, value, depth - 1):
                return True
    return False
