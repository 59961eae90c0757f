"""Which file a write goes to: the text of the path a file object, descriptor or `Path` was opened from,
as far as the enclosing function shows it (`with open(path) as f: f.write(...)`, `fd = os.open(path, ...)`,
`Path(path).write_text(...)`), with module constants resolved. A `config_line` sink is a write to a file
whose path names configuration another program parses line by line (`config_file`): the engine asks at
the write itself, so a helper that writes a config file carries the sink in its summary to its callers."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext
from secreview.analysis.values import module_constant

_OPENERS = {"builtins.open", "io.open", "os.open", "os.fdopen", "codecs.open", "pathlib.Path"}


_CONFIG_FILE = re.compile(
    r"conf|cfg|hosts|opts|\.ini\b|\.service\b|dnsmasq|haproxy|keepalived|nginx|radvd|systemd|sudoers|"
    r"cron|/etc/",
    re.IGNORECASE,
)


def config_file(call: ast.Call, ctx: FileContext) -> bool:
    """The file `call` writes is named as configuration (conf, cfg, hosts, opts, dnsmasq, /etc/ ...)."""
    return bool(_CONFIG_FILE.search(target_text(call, ctx)))


def target_text(call: ast.Call, ctx: FileContext, sink_arg: ast.AST | None = None) -> str:
    """The source text naming the file `call` writes to, with the values of module constants it uses."""
    func = call.func
    parts: list[ast.AST] = []
    if isinstance(func, ast.Attribute) and func.attr in ("write", "writelines", "write_text", "write_bytes"):
        parts += _origins(func.value, ctx, call)
    name = ctx.call_name(call) or ""
    if name == "os.write" and call.args:
        parts += _origins(call.args[0], ctx, call)
    if not parts:  # a project helper given the path and the text: its other arguments name the file
        parts = [a for a in [*call.args, *(k.value for k in call.keywords)] if a is not sink_arg]
    return " ".join(_text(part, ctx) for part in parts)


def _origins(expr: ast.AST, ctx: FileContext, at: ast.AST, depth: int = 0) -> list[ast.AST]:
    """The expression and, for a local name, what the enclosing function binds it to (an `open(...)`,
    `os.fdopen(os.open(...))`, a `with ... as name`), followed through opener calls to their path."""
    found: list[ast.AST] = [expr]
    if depth > 3:
        return found
    if isinstance(expr, ast.Call) and (ctx.call_name(expr) or "") in _OPENERS and expr.args:
        found += _origins(expr.args[0], ctx, at, depth + 1)
    if isinstance(expr, ast.Name):
        scope = ctx.enclosing_function(at) or ctx.tree
        for node in ast.walk(scope):
            value = None
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets):
                value = node.value
            elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name) \
                    and node.optional_vars.id == expr.id:
                value = node.context_expr
            if value is not None:
                found += _origins(value, ctx, at, depth + 1)
    return found


def _text(expr: ast.AST, ctx: FileContext) -> str:
    pieces = [ctx.segment(expr) or ""]
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            value = module_constant(ctx, node.id)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                pieces.append(value.value)
    return " ".join(pieces)
