"""Messages a consumer loop takes off a queue: `while self.running: msg = self.queue.get(timeout=1);
self.handle(msg)`. A value converted in `handle()` from such a message is outside input, and an error that
nothing between the conversion and the loop catches ends the loop (the agent stops consuming)."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.flow import Source, reaching_value
from secreview.rules._robustness.catching import caught_here

# Calls that take the next message: queue/socket/consumer APIs. A bare `.get()` counts only as a queue's
# (no argument, or a `block`/`timeout` keyword), not a mapping lookup.
_TAKERS = frozenset({"get_nowait", "recv", "recv_json", "recv_multipart", "receive", "consume", "fetch_message",
                     "next_message", "read_message", "get_message"})  # fmt: skip
_PARSERS = frozenset({"json.loads", "json.load", "yaml.safe_load"})


def queued_message(ctx: FileContext, expr: ast.expr | None, errors: frozenset[str], depth: int = 4) -> Source | None:
    """The message `expr` is read from, when it is a parameter of a method that its class calls only from
    consumer loops that do not catch `errors`: Source(the call taking the message, a description)."""
    if expr is None or depth < 0:
        return None
    if isinstance(expr, ast.Call) and ctx.call_name(expr) == "builtins.str" and len(expr.args) == 1:
        return queued_message(ctx, expr.args[0], errors, depth - 1)
    if isinstance(expr, (ast.Subscript, ast.Attribute)):
        return queued_message(ctx, expr.value, errors, depth - 1)
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr == "get" and expr.args:
            return queued_message(ctx, expr.func.value, errors, depth - 1)  # body.get("key")
        if ctx.call_name(expr) in _PARSERS and expr.args:
            return queued_message(ctx, expr.args[0], errors, depth - 1)
        return None
    if not isinstance(expr, ast.Name):
        return None
    value = reaching_value(ctx, expr)
    if value is not None:
        return queued_message(ctx, value, errors, depth - 1)
    return _loop_source(ctx, expr, errors)


def _loop_source(ctx: FileContext, name: ast.Name, errors: frozenset[str]) -> Source | None:
    method = ctx.enclosing_function(name)
    cls = ctx.enclosing_class(name)
    if method is None or cls is None or ctx.enclosing_class(method) is not cls:
        return None
    params = [a.arg for a in method.args.args]
    if name.id not in params or params.index(name.id) == 0:
        return None
    position = params.index(name.id) - 1  # after self
    sites = [n for n in ast.walk(cls) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and isinstance(n.func.value, ast.Name) and n.func.value.id == "self" and n.func.attr == method.name]
    if not sites:
        return None
    found: Source | None = None
    for site in sites:
        taken = _taken_in_loop(ctx, site, position)
        if taken is None or caught_here(ctx, site, errors):
            return None
        found = found or Source(taken, f"a message `{_loop_owner(ctx, site)}()` takes off a queue (line "
                                       f"{taken.lineno}) and hands to `{method.name}()`")
    return found


def _taken_in_loop(ctx: FileContext, site: ast.Call, position: int) -> ast.Call | None:
    """The call that took the message handed at `site`, when `site` runs in a `while` loop."""
    message = site.args[position] if position < len(site.args) else None
    if not isinstance(message, ast.Name):
        return None
    if not any(isinstance(a, ast.While) for a in ctx.ancestors(site)):
        return None
    value = reaching_value(ctx, message)
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
        return None
    attr = value.func.attr
    if attr in _TAKERS:
        return value
    if attr == "get" and (not value.args and all(k.arg in ("timeout", "block") for k in value.keywords)):
        return value
    return None


def _loop_owner(ctx: FileContext, site: ast.AST) -> str:
    func = ctx.enclosing_function(site)
    return func.name if func is not None else "the loop"
