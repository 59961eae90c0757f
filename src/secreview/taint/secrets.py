"""The `secret` source kind: where a credential enters a value, and the idioms that mask one.

A value is a secret (source kind `secret`) when
- it is an oslo.config option declared `secret=True` in this module or in a project module it imports
  (transitively): `CONF.database.connection`, `self.conf.admin_password` (any attribute chain whose
  first part names a configuration object); the declarations are a per-module fact
  (`ModuleSummary.secret_options`), so a use in one module sees a declaration in another;
- its name, attribute or constant key names a secret (`credentials.named_secret`, the same judgement
  the pattern rules use): `password`, `self.auth_token`, `settings.SECRET_KEY`,
  `settings.EMAIL_HOST_PASSWORD`, `app.config["SECRET_KEY"]`, `os.environ["DB_PASSWORD"]`,
  `body.get("password")`, the value under a `"X-Auth-Token"` key of a dict literal; a bare `token`
  only in code that deals with authentication (a lexer's token is not a credential);
- a call whose name says it returns one: `auth.get_token()`, `get_password()`;
- the namespace an argparse parser returns when the module declares a secret-named option
  (`--db-password`): `vars(args)` then holds the password.
A secret read as an attribute of a non-secret name keeps only the attribute's own taint: `token.user_id`
is not the token.

Masking idioms clear the secret sinks (`SECRET_SINKS`) of a value, not its other kinds: a copy of a mapping
whose secret keys are overwritten with constants (`dict(headers, **{"X-Auth-Token": "***"})`,
`{**headers, "X-Auth-Token": "***"}`), a dict comprehension that replaces the values of secret keys
by a constant (`{k: "***" if k == "password" else v for k, v in d.items()}`). Unknown calls
(`mask_password(text)`, `hashlib.sha256(token)`) return clean values anyway.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from secreview.analysis.context import FileContext
from secreview.analysis.credentials import ambiguous_secret, auth_context, named_secret
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import module_constant
from secreview.model import TraceStep
from secreview.taint.labels import CLEAN, Label, sanitize, step

_OBJECT_NAMES: MemoKey[frozenset[str]] = MemoKey("taint-object-names")
_CLI_SECRET: MemoKey[str] = MemoKey("taint-cli-secret")

SECRET = "secret"
# The sink kinds only secrets are reported for: masking a value clears these.
SECRET_SINKS = frozenset({"log_value", "exception_message", "file_write"})
_CLI_METHODS = frozenset({"add_argument", "add_option"})
_PARSE_METHODS = frozenset({"parse_args", "parse_known_args", "parse_intermixed_args"})
_CONFIG_ROOTS = ("conf", "cfg", "config", "settings", "options", "opts")


@lru_cache(maxsize=8192)
def secret_word(identifier: str) -> bool:
    """The identifier (or header name, `X-Auth-Token`) names a secret; a bare `token` counts as a maybe."""
    return named_secret(identifier.replace("-", "_"))


def name_source(ctx: FileContext, node: ast.AST, identifier: str, shown: str, key: bool = False) -> Label:
    """The secret label of a read of `identifier` (a name, attribute or constant key), or CLEAN."""
    if not secret_word(identifier):
        return CLEAN
    if ambiguous_secret(identifier) and not auth_context(ctx, node):
        return CLEAN
    if isinstance(node, (ast.Name, ast.arg)) and used_as_object(ctx, node, identifier):
        return CLEAN  # `token.expires_at` in the same function: a token object, whose repr is not the secret
    if isinstance(node, ast.Name) and identifier.isupper() and _named_constant(ctx, identifier):
        return CLEAN  # `VIR_FROM_SECRET`: an imported constant or a module constant that is not text
    what = f"the value of the `{shown}` key" if key else f"`{shown}`"
    return {(SECRET, frozenset()): (step(ctx, node, f"source: {what} (named as a secret)"),)}


_PARAMETER_STEP = re.compile(r"^parameter `(\w+)` of ")


def reported_in_helper(trace: tuple[TraceStep, ...]) -> bool:
    """The flow enters a helper through a parameter that is itself named as a secret: the helper's own
    review reports the flow from that parameter to its sink, at the sink; the call site adds nothing."""
    for item in trace[1:]:
        found = _PARAMETER_STEP.match(item.note)
        if found and secret_word(found.group(1)) and not ambiguous_secret(found.group(1)):
            return True
    return False


def without_secret(label: Label) -> Label:
    """A part of a secret-holding value that is not the secret (`token.user_id`, `creds["region"]`): every
    origin cleared for the sinks only secrets are reported at, parameters too, so a helper reading
    `creds["region"]` does not carry its callers' secrets to its sinks."""
    return sanitize(label, SECRET_SINKS) if label else label


LONG_FLOW = 10  # steps; past this a secret flow has crossed several containers and helpers


def long_flow(trace: tuple[TraceStep, ...]) -> bool:
    """A flow of more than `LONG_FLOW` steps: the engine follows containers and tuples as wholes across
    functions, so a long flow more often carries a neighbour of the secret than the secret itself."""
    return len(trace) > LONG_FLOW


_STR_METHODS = frozenset(dir(str)) | frozenset(dir(bytes))


def used_as_object(ctx: FileContext, node: ast.AST, name: str) -> bool:
    """The enclosing function reads a non-string attribute of this name (`token.user_id`)."""
    func = ctx.enclosing_function(node)
    if func is None:
        return False

    def compute() -> frozenset[str]:
        return frozenset(sub.value.id for sub in ast.walk(func)
                         if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name)
                         and sub.attr not in _STR_METHODS)

    return name in ctx.memo(_OBJECT_NAMES, func, compute)


def short_slice(node: ast.Slice) -> bool:
    """`token[:6]`, `key[-4:]`: a deliberate few characters of a secret, not the secret."""
    def const(expr: ast.AST | None) -> int | None:
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
            value = const(expr.operand)
            return -value if value is not None else None
        return expr.value if isinstance(expr, ast.Constant) and type(expr.value) is int else None

    lower, upper = const(node.lower), const(node.upper)
    if node.lower is None and upper is not None:
        return 0 < upper <= 8
    return node.upper is None and lower is not None and -8 <= lower < 0


def _named_constant(ctx: FileContext, name: str) -> bool:
    if name in ctx.imports:
        return True
    value = module_constant(ctx, name)
    return isinstance(value, ast.Constant) and not isinstance(value.value, (str, bytes))


def option_source(ctx: FileContext, expr: ast.Attribute, options: frozenset[str]) -> Label:
    """`CONF.group.name` where `name` is an oslo.config option declared `secret=True`."""
    if expr.attr not in options:
        return CLEAN
    root = expr.value
    parts = []
    while isinstance(root, ast.Attribute):
        parts.append(root.attr)
        root = root.value
    if isinstance(root, ast.Name):
        parts.append(root.id)
    if not any(part.lower().lstrip("_").startswith(_CONFIG_ROOTS) for part in parts):
        return CLEAN
    shown = ctx.segment(expr) or expr.attr
    return {(SECRET, frozenset()): (step(ctx, expr, f"source: `{shown}`, an oslo.config option declared "
                                                    f"`secret=True`"),)}


def call_source(ctx: FileContext, node: ast.Call) -> Label:
    """`x.get_token()`, `get_password()`: a getter named for a secret; `parser.parse_args()` in a module
    that declares a secret-named command-line option."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name in _PARSE_METHODS:
        option = cli_secret_option(ctx)
        if option:
            return {(SECRET, frozenset()): (step(ctx, node, f"source: `{name}()` returns the value of the "
                                                            f"command-line option `{option}`"),)}
        return CLEAN
    if name.startswith("get_") and not node.args and secret_word(name[4:]) and not ambiguous_secret(name[4:]):
        return {(SECRET, frozenset()): (step(ctx, node, f"source: `{name}()` (returns a secret, by its name)"),)}
    return CLEAN


def cli_secret_option(ctx: FileContext) -> str:
    """The first secret-named option an argparse/optparse parser of this module declares, or ""."""

    def compute() -> str:
        for node in ast.walk(ctx.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _CLI_METHODS):
                continue
            names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            names += [k.value.value for k in node.keywords if k.arg == "dest" and isinstance(k.value, ast.Constant)
                      and isinstance(k.value.value, str)]
            for option in names:
                if secret_word(option.lstrip("-")) and not ambiguous_secret(option.lstrip("-")):
                    return option
        return ""

    return ctx.memo(_CLI_SECRET, ctx.tree, compute)


def declared_secret_options(ctx: FileContext) -> tuple[str, ...]:
    """Names (as attributes: dashes become underscores) of the oslo.config options this module declares
    with `secret=True`: `cfg.StrOpt('admin_password', secret=True)`."""
    found: set[str] = set()
    if "secret" not in ctx.source:
        return ()
    for node in ast.walk(ctx.tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if not last.endswith("Opt"):
            continue
        if not any(k.arg == "secret" and isinstance(k.value, ast.Constant) and k.value.value is True
                   for k in node.keywords):
            continue
        name = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            found.add(name.value.replace("-", "_"))
    return tuple(sorted(found))


_MASKING = re.compile(r"mask|redact|obfuscat|scrub|sanitiz|censor|hide|strip_(password|secret|token)",
                      re.IGNORECASE)
_QUIET_FLAG = re.compile(r"filter|mask|sensitive|secret|hide|redact|quiet|log|verbose|debug", re.IGNORECASE)


def masking_name(name: str) -> bool:
    """A function named for masking (`mask_password`, `_obfuscate_credential`, `redact`): what it returns is
    taken to be masked, as the name promises."""
    return bool(name) and bool(_MASKING.search(name))


def quieted_call(call: ast.AST) -> bool:
    """A helper call that tells the helper how to log: `self.call(url, data, log_filter_flag=True)`,
    `run(cmd, sensitive=True)`: whether the helper logs the value depends on that flag, which the flow
    does not follow."""
    return isinstance(call, ast.Call) and any(
        kw.arg and _QUIET_FLAG.search(kw.arg) and isinstance(kw.value, ast.Constant)
        and isinstance(kw.value.value, bool) for kw in call.keywords)


def masked_mapping(node: ast.AST) -> bool:
    """A copy of a mapping whose secret keys are overwritten with constants: `dict(h, **{"X-Auth-Token":
    "***"})`, `dict(h, password="***")`, `{**h, "password": "***"}`."""
    overrides: list[tuple[object, ast.AST]] = []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and node.args:
        for kw in node.keywords:
            if kw.arg is not None:
                overrides.append((kw.arg, kw.value))
            elif isinstance(kw.value, ast.Dict):
                overrides += [(k.value, v) for k, v in zip(kw.value.keys, kw.value.values, strict=True)
                              if isinstance(k, ast.Constant)]
    elif isinstance(node, ast.Dict) and any(k is None for k in node.keys):
        overrides = [(k.value, v) for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)]
    secret = [(k, v) for k, v in overrides if isinstance(k, str) and secret_word(k)]
    return bool(secret) and all(isinstance(v, ast.Constant) for _, v in secret)


def masked_comprehension(node: ast.DictComp) -> bool:
    """`{k: "***" if k == "password" else v for k, v in items}` (or `k in SECRET_KEYS`-style literal sets,
    or the test reversed): the values of secret keys are replaced by a constant."""
    value, key = node.value, node.key
    if not isinstance(value, ast.IfExp) or not isinstance(key, ast.Name):
        return False
    test = value.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name)
            and test.left.id == key.id):
        return False
    right = test.comparators[0]
    keys = [e for e in (right.elts if isinstance(right, (ast.Tuple, ast.List, ast.Set)) else [right])
            if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if not keys or not any(secret_word(e.value) for e in keys):
        return False
    op = test.ops[0]
    if isinstance(op, (ast.Eq, ast.In)):
        return isinstance(value.body, ast.Constant)
    if isinstance(op, (ast.NotEq, ast.NotIn)):
        return isinstance(value.orelse, ast.Constant)
    return False
