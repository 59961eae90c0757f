"""Project functions that validate a value: `if not _public_host(url): raise ...`.

A function counts as a validator of its first argument when every `return` in it gives a
boolean (a literal, a comparison, `not`, `and`/`or` of these, `bool()/any()/all()/
isinstance()` or an `is_*`/`has_*` predicate) and its body uses the primitives a real check
of that kind needs; the kinds it clears follow from them:

- `path`: a normaliser (`realpath`, `abspath`, `normpath`, `resolve`) *and* a containment
  test (`commonpath`, `startswith`, `is_relative_to`): without the normaliser,
  `base/../../etc` passes a `startswith`;
- `url`, `redirect`: the parsed host (`hostname`, `netloc`) or the address
  (`ip_address`, `is_private`, `is_loopback`), or Django's `url_has_allowed_host_and_scheme`;
- a full-match of a regular expression (`fullmatch`), which leaves nothing but what the
  pattern admits: the kinds those characters cannot harm (`regexes.py`: a pattern that
  admits a quote is no check for XPath or SQL), every kind when the pattern is not a literal.

A flawed check (a `startswith` on an unresolved path, a scheme test alone) is therefore no
validator, so a vulnerable handler that calls one is still reported. The test is
syntactic: it needs no data flow and is stored in the function's summary.
"""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext, scope_nodes
from secreview.analysis.values import literal_value, module_constant
from secreview.taint.regexes import pattern_clears

_NORMALISERS = frozenset({"realpath", "abspath", "normpath", "resolve"})
_CONTAINMENT = frozenset({"commonpath", "startswith", "is_relative_to"})
_HOST_CHECKS = frozenset({"hostname", "netloc", "ip_address", "is_private", "is_loopback", "is_link_local",
                          "url_has_allowed_host_and_scheme"})
_BOOLEAN_CALLS = frozenset({"bool", "any", "all", "isinstance", "callable", "hasattr", "startswith", "endswith",
                            "issubset", "issuperset", "isdisjoint", "fullmatch"})
_PREDICATE_PREFIXES = ("is_", "has_", "can_", "may_", "valid", "allowed", "_is_", "_has_")
# a function spelling none of these cannot be a validator (a cheap test before walking it)
VALIDATION_WORDS = frozenset({"fullmatch", *_HOST_CHECKS, *_NORMALISERS})
EVERY_KIND = "*"


def validated_kinds(func: ast.FunctionDef | ast.AsyncFunctionDef, ctx: FileContext | None = None) -> tuple[str, ...]:
    """The sink kinds `func` validates its first argument for (`("*",)`: all), or ()."""
    args = func.args
    if not (args.posonlyargs or args.args):
        return ()
    nodes = scope_nodes(func)
    returns = [node for node in nodes if isinstance(node, ast.Return)]
    if not returns or not all(_boolean(r.value) for r in returns):
        return ()
    words = {n.attr if isinstance(n, ast.Attribute) else n.id for n in nodes
             if isinstance(n, (ast.Attribute, ast.Name))}
    if "fullmatch" in words:
        kinds_of_patterns = _fullmatch_kinds(nodes, ctx)
        return (EVERY_KIND,) if kinds_of_patterns is None else tuple(sorted(kinds_of_patterns))
    kinds: list[str] = []
    if words & _NORMALISERS and words & _CONTAINMENT:
        kinds.append("path")
    if words & _HOST_CHECKS:
        kinds += ["redirect", "url"]
    return tuple(sorted(kinds))


def _fullmatch_kinds(nodes: list[ast.AST], ctx: FileContext | None) -> frozenset[str] | None:
    """What the literal patterns the function full-matches against admit (`regexes.py`): the kinds
    every one of them clears. None when no pattern is readable (then any full match counts)."""
    found: frozenset[str] | None = None
    for node in nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))):
            continue
        func = node.func
        if (func.attr if isinstance(func, ast.Attribute) else func.id) != "fullmatch" or not node.args:
            continue
        pattern = node.args[0] if isinstance(func, ast.Name) or _names_re(func.value) else func.value
        if isinstance(pattern, ast.Name) and ctx is not None:
            pattern = module_constant(ctx, pattern.id) or pattern
        if isinstance(pattern, ast.Call) and pattern.args and _names_re(pattern.func):
            pattern = pattern.args[0]  # `re.compile(P)`
        text = literal_value(pattern, ctx)
        if isinstance(text, str):
            kinds = pattern_clears(text)
            found = kinds if found is None else found & kinds
    return found


def _names_re(expr: ast.AST) -> bool:
    """`re` or `re.compile`: the module's own functions (`re.fullmatch(P, x)`)."""
    return (isinstance(expr, ast.Name) and expr.id == "re") or (
        isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "re")


def _boolean(expr: ast.AST | None) -> bool:
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, bool)
    if isinstance(expr, ast.Compare):
        return True
    if isinstance(expr, ast.UnaryOp):
        return isinstance(expr.op, ast.Not)
    if isinstance(expr, ast.BoolOp):
        return all(_boolean(value) for value in expr.values)
    if isinstance(expr, ast.Call):
        func = expr.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return name in _BOOLEAN_CALLS or name.startswith(_PREDICATE_PREFIXES)
    return False
