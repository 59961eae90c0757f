"""Walking a string expression (f-string, `%`, `+`, `str.format()`, `str.join()`) into a `Build`."""

from __future__ import annotations

import ast
import re
import string

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import is_literal
from secreview.rules._injection.model import Build, Part
from secreview.rules._injection.safety import _NUMERIC_CALLS, SANITIZERS, validated
from secreview.rules._injection.strings import _template_text, _text, _values_of, const_str, stringish

_PRINTF = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[a-zA-Z%])")
_NUMERIC_CONV = set("diouxXeEfFgG")
_NUMERIC_SPEC = set("bdoxXneEfFgG%")


# -- walking a string expression ---------------------------------------------------------------
def _walk(
    ctx: FileContext, expr: ast.expr, build: Build, depth: int, conv: str, site: ast.expr | None = None
) -> None:
    site = site if site is not None else expr
    if isinstance(expr, ast.Constant):
        build.chunks.append(_text(expr.value))
        return
    if isinstance(expr, ast.Name) and is_literal(expr, ctx):
        value = const_str(ctx, expr)
        build.chunks.append(_text(value) if isinstance(value, (str, bytes)) else "?")
        return
    if is_literal(expr, ctx):
        build.chunks.append("?")
        return
    if depth <= 0:
        _part(build, expr, site, conv)
        return
    if isinstance(expr, ast.JoinedStr):
        for value in expr.values:
            if isinstance(value, ast.FormattedValue):
                build.how = build.how or "f-string"
                _walk(ctx, value.value, build, depth - 1, _fstring_conv(value))
            else:
                _walk(ctx, value, build, depth - 1, "")
        return
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and stringish(ctx, expr.left):
        build.how = build.how or "%-formatting"
        _walk_percent(ctx, expr, build, depth)
        return
    if (
        isinstance(expr, ast.BinOp)
        and isinstance(expr.op, ast.Add)
        and (stringish(ctx, expr.left) or stringish(ctx, expr.right))
    ):
        build.how = build.how or "concatenation"
        _walk(ctx, expr.left, build, depth - 1, "")
        _walk(ctx, expr.right, build, depth - 1, "")
        return
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        func = expr.func
        if func.attr == "format" and stringish(ctx, func.value):
            build.how = build.how or "str.format()"
            _walk_format(ctx, expr, build, depth)
            return
        if func.attr == "join" and stringish(ctx, func.value) and len(expr.args) == 1:
            build.how = build.how or "str.join()"
            _walk_iterable(ctx, expr.args[0], build, depth - 1)
            return
    if isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.str" and len(expr.args) == 1:
        _walk(ctx, expr.args[0], build, depth - 1, conv, site)
        return
    if isinstance(expr, ast.Name):
        if validated(ctx, expr):
            build.chunks.append("?")
            return
        value = reaching_value(ctx, expr)
        if value is not None and value is not expr:
            _walk(ctx, value, build, depth - 1, conv, expr)
            return
    if isinstance(expr, ast.IfExp):
        _walk(ctx, expr.body, build, depth - 1, conv)
        _walk(ctx, expr.orelse, build, depth - 1, conv)
        return
    if _whitelist_lookup(ctx, expr):
        build.chunks.append("?")
        return
    _part(build, expr, site, conv)


def _part(build: Build, expr: ast.expr, site: ast.expr, conv: str) -> None:
    build.parts.append(Part(expr, site, conv, build.text))
    build.chunks.append("?")


def _fstring_conv(value: ast.FormattedValue) -> str:
    if value.conversion in (ord("r"), ord("a")):
        return "r"
    spec = value.format_spec
    if isinstance(spec, ast.JoinedStr) and spec.values:
        constants = [v for v in spec.values if isinstance(v, ast.Constant)]
        text = "".join(str(v.value) for v in constants) if len(constants) == len(spec.values) else ""
        if text and text[-1] in _NUMERIC_SPEC:
            return "num"
    return ""


def _walk_percent(ctx: FileContext, expr: ast.BinOp, build: Build, depth: int) -> None:
    template = _template_text(ctx, expr.left)
    right = expr.right
    if isinstance(right, ast.Name) and not is_literal(right, ctx):
        bound = reaching_value(ctx, right)
        if isinstance(bound, (ast.Tuple, ast.Dict)):
            right = bound
    if not isinstance(template, (str, bytes)):
        _walk(ctx, expr.left, build, depth - 1, "")
        for given in _values_of(right):
            _walk(ctx, given, build, depth - 1, "")
        return
    text = _text(template)
    positional = list(right.elts) if isinstance(right, ast.Tuple) else None
    named = None
    if isinstance(right, ast.Dict):
        named = {
            k.value: v for k, v in zip(right.keys, right.values, strict=True) if isinstance(k, ast.Constant)
        }
    index, last = 0, 0
    for match in _PRINTF.finditer(text):
        build.chunks.append(text[last : match.start()])
        last = match.end()
        kind = match.group("conv")
        if kind == "%":
            build.chunks.append("%")
            continue
        conv = "num" if kind in _NUMERIC_CONV else ("r" if kind in "ra" else "")
        key = match.group("key")
        if key is not None:
            value = named.get(key) if named is not None else right
        elif positional is not None:
            value = positional[index] if index < len(positional) else None
            index += 1
        else:
            value = right if index == 0 else None
            index += 1
        if value is None:
            build.chunks.append("?")
        else:
            _walk(ctx, value, build, depth - 1, conv)
    build.chunks.append(text[last:])


def _walk_format(ctx: FileContext, call: ast.Call, build: Build, depth: int) -> None:
    func = call.func
    assert isinstance(func, ast.Attribute)
    template = _template_text(ctx, func.value)
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}
    spread = [a.value for a in call.args if isinstance(a, ast.Starred)] + [
        k.value for k in call.keywords if not k.arg
    ]
    if not isinstance(template, str):
        _walk(ctx, func.value, build, depth - 1, "")
        for given in [*args, *kwargs.values(), *spread]:
            _walk(ctx, given, build, depth - 1, "")
        return
    auto = 0
    try:
        pieces = list(string.Formatter().parse(template))
    except ValueError:
        pieces = [(template, None, None, None)]
    for literal, field_name, spec, conversion in pieces:
        build.chunks.append(literal or "")
        if field_name is None:
            continue
        base = re.split(r"[.\[]", field_name, maxsplit=1)[0]
        value: ast.expr | None
        if base == "":
            value = args[auto] if auto < len(args) else None
            auto += 1
        elif base.isdigit():
            value = args[int(base)] if int(base) < len(args) else None
        else:
            value = kwargs.get(base)
        if value is None:
            value = spread[0] if spread else None
        conv = "r" if conversion in ("r", "a") else ("num" if spec and spec[-1] in _NUMERIC_SPEC else "")
        if value is None:
            build.chunks.append("?")
        else:
            _walk(ctx, value, build, depth - 1, conv)


def _walk_iterable(ctx: FileContext, expr: ast.expr, build: Build, depth: int) -> None:
    if is_literal(expr, ctx):
        build.chunks.append("?")
    elif (
        isinstance(expr, ast.BinOp)
        and isinstance(expr.op, ast.Mult)
        and (is_literal(expr.left, ctx) or is_literal(expr.right, ctx))
    ):
        build.chunks.append("?")  # ["%s"] * len(ids): placeholders
    elif isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        for elt in expr.elts:
            _walk(ctx, elt.value if isinstance(elt, ast.Starred) else elt, build, depth - 1, "")
    elif isinstance(expr, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        _walk(ctx, expr.elt, build, depth - 1, "")
    elif isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.map" and len(expr.args) == 2:
        fn = ctx.qualname(expr.args[0]) or ""
        pattern = SANITIZERS.get(build.kind)
        numeric = fn in _NUMERIC_CALLS or fn == "builtins.str" and _numeric_iterable(ctx, expr.args[1])
        if numeric or pattern is not None and pattern.search(fn.rsplit(".", 1)[-1]):
            build.chunks.append("?")
        else:
            _opaque_iterable(build, expr)
    elif isinstance(expr, ast.Name) and depth > 0 and not validated(ctx, expr):
        value = reaching_value(ctx, expr)
        if value is not None and value is not expr:
            _walk_iterable(ctx, value, build, depth - 1)
        else:
            _opaque_iterable(build, expr)
    elif isinstance(expr, ast.Name):
        build.chunks.append("?")
    else:
        _opaque_iterable(build, expr)


def _opaque_iterable(build: Build, expr: ast.expr) -> None:
    """Items we cannot see. Joined into HTML they are usually fragments rendered elsewhere (judged there);
    joined into SQL or a command line they are values pasted into the text."""
    if build.kind == "html":
        build.chunks.append("?")
    else:
        _part(build, expr, expr, "")


def _numeric_iterable(ctx: FileContext, expr: ast.expr) -> bool:
    """`range(n)` or `map(int, values)`: every item is a number."""
    if not isinstance(expr, ast.Call):
        return False
    name = ctx.call_name(expr)
    if name == "builtins.range":
        return True
    return (
        name == "builtins.map"
        and len(expr.args) == 2
        and (ctx.qualname(expr.args[0]) or "") in _NUMERIC_CALLS
    )


def _whitelist_lookup(ctx: FileContext, expr: ast.AST) -> bool:
    """`CHOICES[key]` / `CHOICES.get(key, default)` on a literal mapping: the result is one of ours."""
    target = None
    if isinstance(expr, ast.Subscript):
        target = expr.value
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get":
        if len(expr.args) < 2 or is_literal(expr.args[1], ctx):
            target = expr.func.value
    if target is None:
        return False
    if isinstance(target, ast.Name) and not is_literal(target, ctx):
        bound = reaching_value(ctx, target)
        target = bound if bound is not None else target
    return (
        isinstance(target, (ast.Dict, ast.List, ast.Tuple))
        and is_literal(ast.Tuple(elts=[v for v in _values_of(target) if v is not None], ctx=ast.Load()), ctx)
        or (isinstance(target, ast.Name) and is_literal(target, ctx))
    )
