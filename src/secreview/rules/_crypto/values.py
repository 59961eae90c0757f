"""What a value is: following names to their single binding, literals, hard-coded keys, literal numbers,
and the identifiers inside an expression."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext, walk
from secreview.analysis.flow import assignments
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import is_literal, module_constant
from secreview.rules._crypto.identifiers import word_set

_CRYPTO_LOOP_NAMES: MemoKey[frozenset[str]] = MemoKey("crypto-loop-names")
_CRYPTO_CLASS_CONSTANTS: MemoKey[tuple[dict[str, list[ast.expr]], frozenset[str]]] = MemoKey("crypto-class-constants")


def function_params(func: ast.AST | None) -> set[str]:
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return set()
    a = func.args
    names = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    names.update(x.arg for x in (a.vararg, a.kwarg) if x)
    return names


def single_value(ctx: FileContext, name: ast.Name) -> ast.expr | None:
    """The value of a name bound exactly once before its use in the function, or a module constant."""
    func = ctx.enclosing_function(name)
    if func is not None:
        if name.id in function_params(func):
            return None
        bindings = assignments(ctx, func).get(name.id, [])
        if bindings:
            if len(bindings) == 1 and bindings[0][0] <= name.lineno:
                value = bindings[0][1]
                return None if _binds_loop(ctx, func, name.id) else value
            return None
    return module_constant(ctx, name.id)


def _binds_loop(ctx: FileContext, func: ast.AST, name: str) -> bool:
    def compute() -> frozenset[str]:
        found: set[str] = set()
        for node in walk(func):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                found.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        return frozenset(found)

    return name in ctx.memo(_CRYPTO_LOOP_NAMES, func, compute)


def resolve(ctx: FileContext, expr: ast.expr | None, depth: int = 4) -> ast.expr | None:
    """Follow local single bindings and module constants to the value an expression holds."""
    while isinstance(expr, (ast.Name, ast.Attribute)) and depth > 0:
        value = single_value(ctx, expr) if isinstance(expr, ast.Name) else class_constant(ctx, expr)
        if value is None:
            return expr
        expr, depth = value, depth - 1
    return expr


_DECODERS = word_set(
    """base64.b64decode base64.urlsafe_b64decode base64.b32decode binascii.unhexlify binascii.a2b_hex
    bytes.fromhex bytearray.fromhex codecs.decode builtins.bytes builtins.bytearray builtins.str"""
)


def literal_data(ctx: FileContext, expr: ast.expr | None) -> ast.expr | None:
    """The literal a value is made of (`b"k"`, `"k".encode()`, `bytes.fromhex("00ff")`), else None."""
    if expr is None or _container(expr):
        return None
    if is_literal(expr, ctx) and not (isinstance(expr, ast.Constant) and expr.value is None):
        return expr
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in {"encode", "ljust", "rjust", "zfill"}:
            return literal_data(ctx, func.value)
        name = ctx.call_name(expr) or ""
        if not expr.args or expr.keywords:
            return None
        if name.replace("builtins.", "") in {"bytes.fromhex", "bytearray.fromhex"} or name in _DECODERS:
            return expr if all(is_literal(a, ctx) for a in expr.args) else None
    return None


def _container(expr: ast.expr) -> bool:
    """A list/dict/set/tuple display (possibly repeated): a collection, not a key or an IV."""
    while isinstance(expr, ast.BinOp):
        expr = expr.left if _container(expr.left) else expr.right
        if not isinstance(expr, ast.BinOp):
            break
    return isinstance(expr, (ast.List, ast.Tuple, ast.Set, ast.Dict))


def _unwrapped(ctx: FileContext, expr: ast.expr) -> ast.expr | None:
    """`KEY.encode()`, `bytes.fromhex(KEY)` -> `KEY` (a name wrapped in a conversion), else None."""
    if not isinstance(expr, ast.Call):
        return None
    func = expr.func
    if isinstance(func, ast.Attribute) and func.attr in {"encode", "ljust", "rjust", "zfill"}:
        inner = func.value
    elif len(expr.args) == 1 and (ctx.call_name(expr) or "").replace("builtins.", "") in _DECODERS | {
            "bytes.fromhex", "bytearray.fromhex"}:
        inner = expr.args[0]
    else:
        return None
    return inner if isinstance(inner, (ast.Name, ast.Attribute)) else None


def hardcoded(ctx: FileContext, expr: ast.expr | None) -> str:
    """How a value is fixed in the source: "a literal", "the module constant `K`",
    "the local variable `k`, assigned a literal"; "" when it is not."""
    if expr is None:
        return ""
    inner = _unwrapped(ctx, expr)
    if inner is not None:
        return hardcoded(ctx, inner)
    if isinstance(expr, ast.Name):
        func = ctx.enclosing_function(expr)
        local = func is not None and expr.id in assignments(ctx, func)
        value = single_value(ctx, expr)
        if value is None or not literal_data(ctx, value) and not hardcoded(ctx, value):
            return ""
        if local:
            return f"the local variable `{expr.id}`, assigned a literal"
        return f"the module constant `{expr.id}`"
    if isinstance(expr, ast.Attribute):
        value = class_constant(ctx, expr)
        return f"the class attribute `{expr.attr}`" if value is not None and literal_data(ctx, value) else ""
    return "a literal" if literal_data(ctx, expr) is not None else ""


def class_constant(ctx: FileContext, attr: ast.Attribute) -> ast.expr | None:
    """`self.KEY` -> the value of `KEY = ...` in the enclosing class body, when bound once there
    and never assigned through `self.KEY = ...` in the class."""
    cls = ctx.enclosing_class(attr)
    if cls is None or not (isinstance(attr.value, ast.Name) and attr.value.id in ("self", "cls")):
        return None
    # once per class, not once per `self.X` read: a walk of the class for each read was quadratic
    # in the size of a class with many methods
    bound, stored = ctx.memo(_CRYPTO_CLASS_CONSTANTS, cls, lambda: _class_bindings(cls))
    values = bound.get(attr.attr, ())
    return values[0] if len(values) == 1 and attr.attr not in stored else None


def _class_bindings(cls: ast.ClassDef) -> tuple[dict[str, list[ast.expr]], frozenset[str]]:
    """The values the class body assigns to each name (`KEY = ...`, in order), and every attribute
    name assigned anywhere in the class (`self.KEY = ...`)."""
    bound: dict[str, list[ast.expr]] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            bound.setdefault(stmt.targets[0].id, []).append(stmt.value)
    stored = frozenset(n.attr for n in walk(cls) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store))
    return bound, stored


def literal_number(ctx: FileContext, expr: ast.expr | None) -> int | None:
    value = resolve(ctx, expr)
    if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    if value is not None and is_literal(value, ctx) and isinstance(value, (ast.BinOp, ast.UnaryOp)):
        try:
            number = eval(compile(ast.Expression(value), "<n>", "eval"), {"__builtins__": {}})
        except Exception:  # arithmetic on literals only; anything odd is "unknown"
            return None
        return number if isinstance(number, int) and abs(number) < 1 << 20 else None
    return None


def value_identifiers(ctx: FileContext, expr: ast.expr | None, depth: int = 2) -> list[str]:
    """Identifiers of the values inside an expression: names (not modules), attribute
    names, constant subscript keys, method receivers and call arguments (not the called
    functions), following local names to their single binding up to `depth` times."""
    found: list[str] = []
    _visit_values(ctx, expr, depth, found)
    return found


def _visit_values(ctx: FileContext, node: ast.AST | None, depth: int, found: list[str]) -> None:
    # A module-level function, not a closure: a closure that calls itself is a reference cycle
    # holding `ctx` (and its tree) until the cycle collector runs (secreview/memory.py).
    if node is None:
        return
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            _visit_values(ctx, node.func.value, depth, found)
        for arg in node.args:
            _visit_values(ctx, arg, depth, found)
        for kw in node.keywords:
            _visit_values(ctx, kw.value, depth, found)
    elif isinstance(node, ast.Name):
        if node.id in ctx.imports or not isinstance(node.ctx, ast.Load):
            return
        found.append(node.id)
        if depth > 0:
            value = single_value(ctx, node)
            if value is not None:
                _visit_values(ctx, value, depth - 1, found)
    elif isinstance(node, ast.Attribute):
        found.append(node.attr)
    elif isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.append(key.value)
        else:
            _visit_values(ctx, node.value, depth, found)
    elif isinstance(node, (ast.Lambda, ast.Constant)):
        return
    else:
        for child in ast.iter_child_nodes(node):
            _visit_values(ctx, child, depth, found)
