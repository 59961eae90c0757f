"""Values the caller or the client supplies (`incoming`), and whether a file uses a crypto library
(`imports_crypto`)."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.flow import external_source
from secreview.rules._crypto.identifiers import word_set
from secreview.rules._crypto.values import function_params, single_value

_CRYPTO_MODULES = word_set("hmac hashlib jwt jose cryptography Crypto Cryptodome nacl itsdangerous rsa ecdsa "
                           "OpenSSL secrets authlib oauthlib passlib bcrypt")
_INPUT_NAMES = word_set(
    """request req headers form args params data query cookies body payload json environ META GET POST
    query_params match_info"""
)


def imports_crypto(ctx: FileContext) -> bool:
    """The file imports a hashing, MAC, signing or token library."""
    return bool({target.split(".")[0] for target in ctx.imports.values()} & _CRYPTO_MODULES)


def incoming(ctx: FileContext, side: ast.expr) -> bool:
    """A value the caller or the client supplies: a parameter, request data, or something built from them
    (`api_key`, `form.get("csrf")`, `request.headers["X-Sig"]`, `sha256(password)`); not a stored
    attribute such as `user.password_hash`."""
    params = function_params(ctx.enclosing_function(side)) - {"self", "cls"}
    return _incoming(ctx, side, params, 2)


def _incoming(ctx: FileContext, side: ast.expr, params: set[str], depth: int) -> bool:
    if external_source(ctx, side):
        return True
    if isinstance(side, ast.Name):
        if side.id in params:
            return True
        value = single_value(ctx, side)
        return value is not None and depth > 0 and _incoming(ctx, value, params, depth - 1)
    if isinstance(side, (ast.Subscript, ast.Attribute)) or _is_get(side):
        base = side.func.value if _is_get(side) else side.value  # type: ignore[union-attr]
        keyed = not isinstance(side, ast.Attribute)
        while isinstance(base, (ast.Subscript, ast.Attribute, ast.Call)):
            if isinstance(base, ast.Attribute) and base.attr in _INPUT_NAMES:
                return True
            base = base.func if isinstance(base, ast.Call) else base.value
        return isinstance(base, ast.Name) and (base.id in _INPUT_NAMES or keyed and base.id in params)
    if isinstance(side, ast.Call):
        func = side.func
        parts = [*side.args, func.value] if isinstance(func, ast.Attribute) else side.args
        return any(_incoming(ctx, a, params, depth) for a in parts)
    if isinstance(side, (ast.BinOp, ast.JoinedStr, ast.FormattedValue)):
        children = [n for n in ast.iter_child_nodes(side) if isinstance(n, ast.expr)]
        return any(_incoming(ctx, n, params, depth) for n in children)
    return False


def _is_get(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
