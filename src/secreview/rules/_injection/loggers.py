"""Logging calls: which calls write to a log, through which method."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext

# -- logging ----------------------------------------------------------------------------------------
LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_LOGGER_NAME = re.compile(r"^_*(log|logger|logging|[a-z0-9_]*_(log|logger)|audit|syslog)$", re.IGNORECASE)
_NOT_LOGGERS = frozenset(
    {"math", "cmath", "np", "numpy", "torch", "tf", "jnp", "sympy", "sp", "mpmath", "decimal"}
)


def is_logging_call(ctx: FileContext, call: ast.Call) -> str | None:
    """`logging.info`, `LOG.warning`, `self.logger.error`, `logging.getLogger(x).debug` -> the method name."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return None
    receiver = ctx.qualname(func.value) or ""
    if receiver in _NOT_LOGGERS:
        return None
    if receiver == "logging" or receiver.endswith(("getLogger()", "get_logger()", "getChild()")):
        return func.attr
    last = receiver.rsplit(".", 1)[-1]
    return func.attr if last and _LOGGER_NAME.match(last) else None
