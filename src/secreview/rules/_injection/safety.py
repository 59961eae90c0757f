"""Is an interpolated value neutralised for its interpreter: numbers, sanitizers, whitelist checks."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext, FunctionNode, walk
from secreview.analysis.flow import reaching_value
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import is_literal
from secreview.rules._injection.model import Part

_INJECTION_TESTS: MemoKey[list[ast.expr]] = MemoKey("injection-tests")

_NUMERIC_CALLS = frozenset(
    {
        "builtins.int",
        "builtins.float",
        "builtins.len",
        "builtins.bool",
        "builtins.abs",
        "builtins.round",
        "builtins.hash",
        "builtins.ord",
        "builtins.id",
        "builtins.min",
        "builtins.max",
        "builtins.sum",
        "uuid.uuid4",
        "uuid.uuid1",
        "time.time",
        "time.monotonic",
        "math.floor",
        "math.ceil",
        "decimal.Decimal",
        "uuid.UUID",
        "ipaddress.ip_address",
        "ipaddress.ip_network",
        "ipaddress.ip_interface",
    }
)


# Call names (last component) that neutralise a value for one interpreter.
SANITIZERS = {
    "shell": re.compile(r"^(quote|shlex_quote|sh_quote|shell_quote|escape_shell_arg|join)$"),
    "sql": re.compile(r"(quote|escape|^literal$|^qn$|^sanitiz)", re.IGNORECASE),
    "html": re.compile(
        r"(escape|^clean$|^linkify$|sanitiz|^format_html|^quote(_plus)?$|^urlencode$|"
        r"^render|^strip_?tags$|^url_for$|^reverse$|^Markup$|"
        r"^mark_safe$|^urlize$|^linebreaks)",
        re.IGNORECASE,
    ),
    "log": re.compile(r"(escape|sanitiz|^quote(_plus)?$|^dumps$|^repr$|^ascii$|^mask)", re.IGNORECASE),
    "code": re.compile(r"^(repr|dumps)$"),
    "template": re.compile(r"^$"),
}
_SHELL_SANITIZER_MODULES = ("shlex.", "pipes.", "shellescape.")


_VALIDATORS = frozenset(
    {"isdigit", "isdecimal", "isnumeric", "isalnum", "isidentifier", "isalpha", "isascii"}
)


# -- is a value neutralised? ----------------------------------------------------------------------
def is_safe(ctx: FileContext, part: Part, kind: str) -> bool:
    if part.conversion == "num":
        return True
    if part.conversion == "r" and kind in ("log", "code"):
        return True
    return safe_value(ctx, part.expr, kind)


def safe_value(ctx: FileContext, expr: ast.AST, kind: str, depth: int = 3) -> bool:
    if is_literal(expr, ctx):
        return True
    if isinstance(expr, ast.Name) and depth > 0:
        value = reaching_value(ctx, expr)
        return value is not None and value is not expr and safe_value(ctx, value, kind, depth - 1)
    if isinstance(expr, ast.BinOp) and isinstance(
        expr.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)
    ):
        left, right = (expr.left, expr.right)
        if isinstance(expr.op, ast.Mult) and (_literal_str(left) or _literal_str(right)):
            return _numeric_expr(ctx, right if _literal_str(left) else left)  # "\n" * (lineno - 1)
        return _numeric_expr(ctx, expr)
    if not isinstance(expr, ast.Call):
        return False
    name = ctx.call_name(expr) or ""
    last = name.rsplit(".", 1)[-1].rstrip("()")
    if name in _NUMERIC_CALLS:
        return True
    if last in _GETTEXT and expr.args and all(is_literal(a, ctx) for a in expr.args):
        return True  # a translated literal: the catalogue is ours
    if name == "builtins.str" and expr.args:
        return safe_value(ctx, expr.args[0], kind, depth - 1)
    if kind == "shell":
        return name.startswith(_SHELL_SANITIZER_MODULES) or (
            bool(SANITIZERS["shell"].search(last)) and last != "join"
        )
    if kind == "sql" and isinstance(expr.func, ast.Attribute) and expr.func.attr == "replace" and expr.args:
        return isinstance(expr.args[0], ast.Constant) and expr.args[0].value in ("'", "\\")
    if (
        kind == "log"
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in ("replace", "translate", "sub")
    ):
        return expr.func.attr == "translate" or any(_names_newline(a) for a in expr.args)
    if kind == "log" and isinstance(expr.func, ast.Attribute) and expr.func.attr == "encode" and expr.args:
        return isinstance(expr.args[0], ast.Constant) and expr.args[0].value in (
            "unicode_escape",
            "unicode-escape",
        )
    if kind in ("log", "code") and name in ("builtins.repr", "builtins.ascii"):
        return True
    if kind == "html" and isinstance(expr.func, ast.Attribute) and isinstance(expr.func.value, ast.Call):
        inner = ctx.call_name(expr.func.value) or ""
        if expr.func.attr == "format" and inner.endswith(("Markup", "format_html")):
            return True  # Markup("<b>{}</b>").format(x) escapes x
    pattern = SANITIZERS.get(kind)
    return bool(pattern and last and pattern.search(last))


_GETTEXT = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "ugettext",
        "ugettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "gettext_noop",
        "_lazy",
        "_l",
    }
)


def _literal_str(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, (str, bytes))


def _numeric_expr(ctx: FileContext, expr: ast.AST, depth: int = 3) -> bool:
    """Arithmetic on numbers: `i + 1`, `page * size`, `len(x) - 1` (never a string concatenation)."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool)
    if isinstance(expr, ast.Call):
        return (ctx.call_name(expr) or "") in _NUMERIC_CALLS
    if isinstance(expr, ast.UnaryOp):
        return _numeric_expr(ctx, expr.operand, depth)
    if isinstance(expr, ast.BinOp) and depth > 0:
        sides = (expr.left, expr.right)
        if any(_literal_str(side) or isinstance(side, ast.JoinedStr) for side in sides):
            return False
        known = [side for side in sides if _numeric_expr(ctx, side, depth - 1)]
        return len(known) >= 1 and all(
            isinstance(side, (ast.Name, ast.Attribute)) or side in known for side in sides
        )
    return False


def _names_newline(arg: ast.expr) -> bool:
    """A literal that matches line breaks: "\\n", "\\r", or a regex such as r"[\\r\\n]" / r"\\s"."""
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return False
    return "\n" in arg.value or "\r" in arg.value or any(t in arg.value for t in ("\\n", "\\r", "\\s"))


def validated(ctx: FileContext, name: ast.Name) -> bool:
    """An `if`/`assert` before the use checks the name against a whitelist, a pattern or a str predicate."""
    func = ctx.enclosing_function(name)
    if func is None:
        return False
    for test in ctx.memo(_INJECTION_TESTS, func, lambda: _tests(func)):
        if test.lineno >= name.lineno:
            break
        for node in ast.walk(test):
            if _checks(ctx, node, name.id):
                return True
    return False


def _tests(func: FunctionNode) -> list[ast.expr]:
    """Conditions, and bare calls such as `validate_hostname(host)` that raise on bad input."""
    nodes = walk(func)
    tests = [n.test for n in nodes if isinstance(n, (ast.If, ast.Assert, ast.While))]
    tests += [n.value for n in nodes if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    return sorted(tests, key=lambda t: t.lineno)


_VALIDATING_CALL = re.compile(
    r"(valid|allowed|whitelist|allowlist|permitted|is_safe|sanitiz|check_|verify|ensure)", re.IGNORECASE
)


def _checks(ctx: FileContext, node: ast.AST, ident: str) -> bool:
    def is_it(expr: ast.AST) -> bool:
        return isinstance(expr, ast.Name) and expr.id == ident

    if isinstance(node, ast.Compare) and is_it(node.left):
        return all(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in _VALIDATORS and is_it(node.func.value):
            return True
        if node.func.attr in ("match", "fullmatch") and any(is_it(a) for a in node.args):
            return True
    if isinstance(node, ast.Call) and any(is_it(a) for a in node.args):
        name = (ctx.call_name(node) or "").rsplit(".", 1)[-1]
        return bool(_VALIDATING_CALL.search(name))
    return False
