"""Conversions of outside input (`int(request.args["n"])`): the converters and what they raise, typed
route parameters, app-wide error handlers, shape checks and schema validation before a conversion.
Which outside value a converted expression is comes from `secreview.taint.provenance` (`direct_input`)."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext
from secreview.analysis.flow import Source
from secreview.analysis.memo import MemoKey
from secreview.rules._robustness.source_text import segment
from secreview.taint.provenance import is_route_handler, strip_wrappers

_ROBUSTNESS_ERROR_HANDLERS: MemoKey[frozenset[str]] = MemoKey("robustness-error-handlers")

# -- conversions ------------------------------------------------------------------
_VALUE_ERRORS = frozenset({"ValueError", "TypeError"})
CONVERTERS: dict[str, frozenset[str]] = {
    "builtins.int": _VALUE_ERRORS,
    "builtins.float": _VALUE_ERRORS,
    "builtins.complex": _VALUE_ERRORS,
    "uuid.UUID": _VALUE_ERRORS | {"AttributeError"},
    "datetime.datetime.strptime": _VALUE_ERRORS,
    "datetime.datetime.fromisoformat": _VALUE_ERRORS,
    "datetime.date.fromisoformat": _VALUE_ERRORS,
    "time.strptime": _VALUE_ERRORS,
    "ipaddress.ip_address": _VALUE_ERRORS,
    "ipaddress.ip_network": _VALUE_ERRORS,
    "ipaddress.ip_interface": _VALUE_ERRORS,
    "ipaddress.IPv4Address": _VALUE_ERRORS | {"AddressValueError"},
    "ipaddress.IPv6Address": _VALUE_ERRORS | {"AddressValueError"},
    "json.loads": _VALUE_ERRORS | {"JSONDecodeError"},
    "base64.b64decode": _VALUE_ERRORS | {"Error", "binascii.Error"},
    "base64.urlsafe_b64decode": _VALUE_ERRORS | {"Error", "binascii.Error"},
    "base64.b32decode": _VALUE_ERRORS | {"Error", "binascii.Error"},
    "decimal.Decimal": frozenset({"InvalidOperation", "DecimalException", "ArithmeticError"}),
}
_TYPED = frozenset(
    {"int", "float", "UUID", "uuid.UUID", "datetime", "date", "Decimal", "IPv4Address", "IPv6Address", "bool"}
)


def route_param_typed(ctx: FileContext, name: str, func: ast.AST | None) -> bool:
    """A route parameter declared with a converter (`<int:id>`) or a typed annotation (FastAPI)."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for arg in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs):
        if arg.arg == name and arg.annotation is not None:
            text = segment(ctx, arg.annotation)
            if text in _TYPED or text.rsplit(".", 1)[-1] in _TYPED:
                return True
    for deco in func.decorator_list:
        if isinstance(deco, ast.Call) and deco.args and isinstance(deco.args[0], ast.Constant):
            path = str(deco.args[0].value)
            if re.search(r"<(int|float|uuid|path_int):" + re.escape(name) + r">", path):
                return True
    return False


def file_error_handlers(ctx: FileContext) -> frozenset[str]:
    """Exception names an app-wide handler in this file turns into a response (`@app.errorhandler(X)`)."""

    def compute() -> frozenset[str]:
        found: set[str] = set()
        for node in ctx.tree_nodes():
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.args
                and node.func.attr
                in {"errorhandler", "register_error_handler", "exception_handler", "add_exception_handler"}
            ):
                name = ctx.qualname(node.args[0]) or ""
                found.add(name.rsplit(".", 1)[-1])
        return frozenset(found)

    return ctx.memo(_ROBUSTNESS_ERROR_HANDLERS, ctx.tree, compute)


_SHAPE_CHECKS = frozenset(
    {"isdigit", "isdecimal", "isnumeric", "isalnum", "match", "fullmatch", "search", "isidentifier"}
)


def shape_checked(ctx: FileContext, call: ast.Call, value: ast.expr) -> bool:
    """A test before the conversion checks the value's shape (`s.isdigit()`, `PAT.fullmatch(s)`)."""
    value = strip_wrappers(ctx, value)
    text = segment(ctx, value)
    func = ctx.enclosing_function(call) or ctx.tree
    for node in ast.walk(func):
        if not isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)) or node.lineno > call.lineno:
            continue
        test = node.test
        for sub in ast.walk(test):
            if (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Attribute)
                and sub.func.attr in _SHAPE_CHECKS
            ):
                parts = [sub.func.value, *sub.args]
                if any(segment(ctx, strip_wrappers(ctx, p)) == text for p in parts):
                    return True
    return False


# -- validation by the framework before the handler runs ---------------------------------------------
# Decorators that validate a request against a schema before the handler runs (Nova's
# `@validation.query_schema(...)` / `@validation.schema(...)`, webargs' `@use_args`, flask-expects-json):
# a value the schema types (an integer, a date) no longer fails to convert.
_SCHEMA_DECORATORS = frozenset({"validate", "validated", "use_args", "use_kwargs", "expects_json",
                                "validate_request", "validate_body", "validate_query", "accepts"})  # fmt: skip


def schema_validated(ctx: FileContext, func: ast.AST | None) -> bool:
    """The handler is decorated with a schema validator that is given a schema: `@validation.schema(s)`,
    `@validation.query_schema(s)`, `@jsonschema_validate(s)`, `@use_args(s)`."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for deco in func.decorator_list:
        if not isinstance(deco, ast.Call) or not (deco.args or deco.keywords):
            continue
        target = deco.func
        last = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if "schema" in last.lower() or last in _SCHEMA_DECORATORS:
            return True
    return False


def request_from_caller(ctx: FileContext, source: Source, func: ast.AST | None) -> bool:
    """The request is a parameter of a private helper (`def _links(self, request, ...)`): it arrives from
    the handlers that call the helper, which may have validated it (a schema, a form) where this file
    cannot see."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if not func.name.startswith("_") or func.name.startswith("__") or is_route_handler(ctx, func):
        return False
    node = source.node
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    args = func.args
    return isinstance(node, ast.Name) and any(
        a.arg == node.id for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)
    )
