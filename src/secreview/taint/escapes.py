"""Escaping a project writes itself: what a hand-written escape leaves harmless.

Projects often escape without a library: a chain of `.replace("<", "&lt;")`, a character
table used as `"".join(TABLE.get(c, c) for c in text)` or `text.translate(TABLE)`. The
result is clean for a sink kind when every character that kind needs neutralised is
replaced by text that does not contain it again:

- `html`: `<` and `>` (no tag can open); `xml` also `&` (no entity reference);
- `log`, `header`: `\\n` and `\\r` (no new line, no new header).

A chain that replaces only `<` (`replace("<", "")`), or a table that maps `<` to itself,
clears nothing. A function that returns such a value has it in its summary's return
label, so callers in any module see the value cleared. The test is syntactic: literals
(inline or module constants) only.
"""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.values import literal_value

_NEEDS: dict[str, frozenset[str]] = {
    "html": frozenset("<>"),
    "xml": frozenset("<>&"),
    "log": frozenset("\r\n"),
    "header": frozenset("\r\n"),
}
METHODS = frozenset({"replace", "join", "translate"})  # the cheap test before `escaped_kinds`


def escaped_kinds(call: ast.Call, ctx: FileContext) -> frozenset[str]:
    """The sink kinds the value of `call` is escaped for (empty: none or not an escape)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return frozenset()
    if func.attr == "replace":
        replaced = _replace_chain(call, ctx)
    elif func.attr == "join":
        replaced = _joined_table(call, ctx)
    elif func.attr == "translate" and len(call.args) == 1:
        replaced = _table(call.args[0], ctx)
    else:
        replaced = None
    if not replaced:
        return frozenset()
    return frozenset(kind for kind, needs in _NEEDS.items() if needs <= replaced)


def _replace_chain(call: ast.Call, ctx: FileContext) -> frozenset[str] | None:
    """The characters a chain `x.replace(a, b).replace(c, d)...` takes out of `x`."""
    out: set[str] = set()
    node: ast.AST = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "replace":
        if len(node.args) != 2 or node.keywords:
            return None
        old, new = literal_value(node.args[0], ctx), literal_value(node.args[1], ctx)
        if not (isinstance(old, str) and isinstance(new, str)) or len(old) != 1 or not _removes(old, new):
            return None  # a replacement that is not a literal, or that puts the character back
        out.add(old)
        node = node.func.value
    return frozenset(out)


def _joined_table(call: ast.Call, ctx: FileContext) -> frozenset[str] | None:
    """`SEP.join(TABLE.get(c, c) for c in text)` (also `TABLE[c] if c in TABLE else c`), with a
    literal separator."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    if not (isinstance(func.value, ast.Constant) and len(call.args) == 1):
        return None
    gen = call.args[0]
    if not (isinstance(gen, (ast.GeneratorExp, ast.ListComp)) and len(gen.generators) == 1):
        return None
    target = gen.generators[0].target
    if not isinstance(target, ast.Name):
        return None
    elt = gen.elt
    table: ast.AST | None = None
    if isinstance(elt, ast.Call) and isinstance(elt.func, ast.Attribute) and elt.func.attr == "get" \
            and len(elt.args) == 2 and all(_is(a, target.id) for a in elt.args):
        table = elt.func.value
    elif isinstance(elt, ast.IfExp) and _is(elt.orelse, target.id) and isinstance(elt.body, ast.Subscript) \
            and _is(elt.body.slice, target.id) and isinstance(elt.test, ast.Compare) \
            and isinstance(elt.test.ops[0], ast.In) and _is(elt.test.left, target.id):
        table = elt.body.value
    return _table(table, ctx) if table is not None else None


def _removes(old: str, new: str) -> bool:
    """`new` does not bring `old` back, except `&` as the start of an entity (`&amp;`)."""
    return old not in new or (old == "&" and new.startswith("&") and new.endswith(";") and new.count("&") == 1)


def _is(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _table(expr: ast.AST, ctx: FileContext) -> frozenset[str] | None:
    """The characters a literal table (`{"<": "&lt;"}`, `{ord("<"): "&lt;"}`, `str.maketrans(...)`
    of one) maps to text without them."""
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "maketrans" \
            and len(expr.args) == 1:
        expr = expr.args[0]
    value = literal_value(expr, ctx)
    if not isinstance(value, dict):
        return None
    out: set[str] = set()
    for key, new in value.items():
        old = chr(key) if isinstance(key, int) and 0 <= key < 0x110000 else key
        if isinstance(old, str) and len(old) == 1 and (new is None or (isinstance(new, str) and _removes(old, new))):
            out.add(old)
    return frozenset(out)
