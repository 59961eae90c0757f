"""The code around a node: its function's name and calls, an enclosing `if` on an option; crypto imports."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.rules._crypto.identifiers import words_of
from secreview.rules._crypto.values import value_identifiers

_CRYPTO_CALLS: MemoKey[list[ast.Call]] = MemoKey("crypto-calls")


def function_name(ctx: FileContext, node: ast.AST) -> str:
    func = ctx.enclosing_function(node)
    return func.name if func is not None else ""


def calls_in_function(ctx: FileContext, node: ast.AST) -> list[ast.Call]:
    """Every call in the function (or module body) enclosing `node`, in source order."""
    scope = ctx.enclosing_function(node) or ctx.tree

    def compute() -> list[ast.Call]:
        found = [n for n in ast.walk(scope) if isinstance(n, ast.Call)]
        found.sort(key=lambda n: (n.lineno, n.col_offset))
        return found

    return ctx.memo(_CRYPTO_CALLS, scope, compute)


def guarded_by_option(ctx: FileContext, node: ast.AST, words: frozenset[str]) -> bool:
    """Inside an `if` (or conditional expression) whose test names one of `words`."""
    child = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            return False
        if isinstance(anc, (ast.If, ast.IfExp)) and child is not anc.test:
            for ident in value_identifiers(ctx, anc.test, depth=0):
                if set(words_of(ident)) & words:
                    return True
        child = anc
    return False




_CRYPTO_MODULES = frozenset({
    "hmac", "hashlib", "jwt", "jose", "cryptography", "Crypto", "Cryptodome", "nacl", "itsdangerous", "rsa", "ecdsa",
    "OpenSSL", "secrets", "authlib", "oauthlib", "passlib", "bcrypt",
})


def imports_crypto(ctx: FileContext) -> bool:
    """The file imports a hashing, MAC, signing or token library."""
    return bool({target.split(".")[0] for target in ctx.imports.values()} & _CRYPTO_MODULES)
