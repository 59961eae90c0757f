"""Random-number calls (`os.urandom`, `secrets.*`, `random.*`, ...) inside an expression."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.rules._crypto.identifiers import word_set
from secreview.rules._crypto.values import single_value

_RANDOM_SOURCES = ("os.urandom", "secrets.", "uuid.uuid4", "random.", "Crypto.Random.", "Cryptodome.Random.",
                   "numpy.random.", "ssl.RAND_bytes")


_RANDOM_FUNCTIONS = word_set("uuid4 urandom token_bytes token_hex token_urlsafe get_random_bytes randbytes "
                             "getrandbits")


def random_call(ctx: FileContext, exprs: list[ast.expr], depth: int = 2) -> str:
    """The name of a random-number call inside the expressions (following local names), or ""."""
    for expr in exprs:
        for node in ast.walk(expr):
            if isinstance(node, ast.Call):
                name = ctx.call_name(node) or ""
                if name.startswith(_RANDOM_SOURCES) or name.rsplit(".", 1)[-1] in _RANDOM_FUNCTIONS:
                    return name
            elif isinstance(node, ast.Name) and depth > 0 and isinstance(node.ctx, ast.Load):
                value = single_value(ctx, node)
                if value is not None:
                    found = random_call(ctx, [value], depth - 1)
                    if found:
                        return found
    return ""
