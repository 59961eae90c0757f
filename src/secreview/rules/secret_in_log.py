"""Password, token or key written to a log or to standard output.

## What it flags
Logging calls (`logging.*`, and `debug`/`info`/`warning`/`error`/`exception`/
`critical`/`log` on a logger such as `LOG`, `logger`, `self.log`,
`app.logger`) and `print()` whose message or arguments include a value named as
a secret: `password`, `db_password`, `api_key`, `auth_token`, `client_secret`,
`request.headers["Authorization"]`, `auth_header`, `os.environ["DB_PASSWORD"]`,
directly, in an f-string, `%`/`.format()` arguments, or a dict. Masked or
derived values are fine: `mask_password(...)`, `len(token)`, `"***"`, a hash,
or a slice that keeps a few characters (`token[:4]`). A bare `token` counts only
in a function that deals with authentication (a lexer's `token` is not a secret).

The taint part follows a secret (source kind `secret`, `taint/secrets.py`) through
assignments, string building, helpers and modules to any argument of a log call
(`log_value` sinks: `logging`, oslo.log): an oslo.config option declared `secret=True`
in another module (`text = render(CONF.agent.admin_password)`, then
`LOG.debug("config %s", text)`), a dict whose `"X-Auth-Token"` value a helper fills,
the namespace of an argparse parser that declares `--db-password` (`vars(args)`).
A copy of the mapping with the secret keys overwritten by constants
(`dict(headers, **{"X-Auth-Token": "***"})`) or a comprehension that masks them,
`mask_password(...)`, `len()`, a hash are clean. The finding carries the trace.

## Confidence
- medium: a secret (by name, by declaration, or by flow) reaches a log call;
- low: the flow has more than 10 steps: it crossed several containers and helpers, which
  the engine follows as wholes, so it more often carries a neighbour of the secret;
- low: the value is passed to a helper that logs it, with a flag that tells the helper how
  to log (`log_filter_flag=True`, `sensitive=True`): the flow does not follow the flag;
- low: the value is only printed (`print()` inside a function other than `main`): a
  command-line tool often prints what it was asked for.

## Why it matters
Logs are copied to aggregators, tickets and backups and read by far more people
than the credential store; a token or password written there is a credential
leak that outlives the process (CWE-532). OpenStack has fixed many such leaks
with `oslo_utils.strutils.mask_password`.

## Example
```python
import logging

LOG = logging.getLogger(__name__)

def authenticate(session, username, password):
    LOG.debug("Authenticating %s with password %s", username, password)
    return session.post("/v3/auth/tokens", json={"user": username, "password": password})
```

## Use instead
```python
import logging

from oslo_utils import strutils

LOG = logging.getLogger(__name__)

def authenticate(session, username, password, body):
    LOG.debug("Authenticating %s", username)
    LOG.debug("Request body: %s", strutils.mask_password(body))
    return session.post("/v3/auth/tokens", json={"user": username, "password": password})
```

## References
- CWE-532: Insertion of Sensitive Information into Log File
- OWASP Logging Cheat Sheet, "Data to exclude"
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.words import identifier_of
from secreview.model import Confidence, Severity
from secreview.rules._access.secret_flows import reported_once
from secreview.rules._access.secret_names import auth_context, named_secret
from secreview.rules._access.vocabulary import word_set
from secreview.ruleset import Hit, Meta, TaintQuery
from secreview.taint.secrets import used_as_object

META = Meta(
    code="SR204",
    name="secret-in-log",
    title="Secret value written to a log",
    cwe=532,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Log an identifier instead of the secret, or mask it first (oslo_utils.strutils.mask_password, "
    "a fixed '***', or a short prefix); never log Authorization headers or request bodies with passwords.",
)
NODES = (ast.Call,)
# A taint part: a secret reaching any argument of a log call, through helpers and modules, with a trace.
TAINT = TaintQuery(sources=frozenset({"secret"}), sinks=frozenset({"log_value"}), for_sink=reported_once)

_LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
_LOGGER = re.compile(r"^_*(log|logger|logging|LOG|LOGGER)$|_(log|logger)$|^(log|logger)_", re.IGNORECASE)
_PASS_THROUGH = word_set(
    """
    str repr format dict list tuple encode decode strip lower upper join pformat dumps
    """
)
_SKIP_KEYWORDS = {"exc_info", "stack_info", "stacklevel", "file", "sep", "end", "flush"}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    kind = _log_kind(node, ctx)
    if kind is None:
        return
    values = [*node.args, *(k.value for k in node.keywords if k.arg not in _SKIP_KEYWORDS)]
    for value in values:
        for leaf, ident in _secret_leaves(value, ctx):
            if ident.lower() in {"token", "tok"} and not auth_context(ctx, node):
                continue
            if isinstance(leaf, ast.Name) and _is_object(ctx, leaf):
                continue  # `token.expires_at` elsewhere: a model object whose repr is not the secret
            where = "printed" if kind == "print" else f"logged by `{kind}`"
            yield Hit(
                node,
                f"`{ctx.segment(leaf) or ident}` (a secret) is {where} without masking.",
                confidence=Confidence.LOW if kind == "print" else None,
            )
            return


def _log_kind(node: ast.Call, ctx: FileContext) -> str | None:
    name = ctx.call_name(node) or ""
    if name == "builtins.print":
        func = ctx.enclosing_function(node)
        if func is None or func.name == "main" or any(k.arg == "file" for k in node.keywords):
            return None  # a CLI printing what it was asked for, or writing to a chosen file
        return "print"
    if not isinstance(node.func, ast.Attribute) or node.func.attr not in _LOG_METHODS:
        return None
    receiver = ctx.qualname(node.func.value) or ""
    last = receiver.rsplit(".", 1)[-1]
    if (
        receiver == "logging"
        or last.endswith(("getLogger()", "get_logger()", "getChild()"))
        or _LOGGER.search(last)
    ):
        return name or f"{last}.{node.func.attr}"
    return None


def _log_secret(ident: str) -> bool:
    return named_secret(ident)


def _secret_leaves(expr: ast.AST, ctx: FileContext) -> Iterator[tuple[ast.AST, str]]:
    stack: list[ast.AST] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
            ident = identifier_of(node)
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
                continue  # token[:4]: a deliberate prefix
            if _module_constant(node, ctx):
                continue  # `constants.CONF_PWD`: the name of a field, not its value
            if ident and _log_secret(ident):
                yield node, ident
            elif isinstance(node, ast.Subscript):
                stack.append(node.value)
        elif isinstance(node, ast.Call):
            func = node.func
            last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if last in {"get", "getheader", "get_header", "getenv", "pop"} and node.args:
                key = node.args[0]
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and _log_secret(key.value):
                    yield node, key.value
                    continue
            if last in _PASS_THROUGH:
                stack.extend(node.args)
                if isinstance(func, ast.Attribute):
                    stack.append(func.value)
        elif isinstance(node, ast.IfExp):
            stack.extend((node.body, node.orelse))
        elif isinstance(node, ast.Dict):
            stack.extend(node.values)
        elif isinstance(
            node,
            (
                ast.JoinedStr,
                ast.FormattedValue,
                ast.BinOp,
                ast.BoolOp,
                ast.Tuple,
                ast.List,
                ast.Set,
                ast.Starred,
            ),
        ):
            stack.extend(ast.iter_child_nodes(node))


def _module_constant(node: ast.AST, ctx: FileContext) -> bool:
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ctx.imports
            and node.attr.isupper() and not (ctx.qualname(node.value) or "").endswith("settings"))


def _is_object(ctx: FileContext, name: ast.Name) -> bool:
    return used_as_object(ctx, name, name.id)
