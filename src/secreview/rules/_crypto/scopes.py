"""The code around a node: its function's name and calls, an enclosing `if` on an option, test code."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.rules._crypto.identifiers import words_of
from secreview.rules._crypto.values import value_identifiers


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

    return ctx.memo("crypto-calls", scope, compute)


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


def in_test_code(ctx: FileContext, node: ast.AST) -> bool:
    """Inside a test: a `test_*` function, or a `Test*`/`*Tests`/`*TestCase` class or a unittest
    TestCase subclass. Fixed keys, IVs, disabled checks and weak versions are test vectors there."""

    # A dozen rules ask this of every call: answer once per node, and once per def/class scope.
    return ctx.memo("crypto-in-test-at", node, lambda: _in_test_scope(ctx, node))  # type: ignore[no-any-return]


def _in_test_scope(ctx: FileContext, node: ast.AST) -> bool:
    # The innermost enclosing def or class (what `enclosing_function() or enclosing_class()` gives).
    scope = next((a for a in ctx.ancestors(node) if isinstance(a, _DEFS)), None)
    if scope is None:
        return False

    def compute() -> bool:
        for anc in (scope, *ctx.ancestors(scope)):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)) and anc.name.startswith("test"):
                return True
            if isinstance(anc, ast.ClassDef):
                if anc.name.startswith("Test") or anc.name.endswith(("Test", "Tests", "TestCase")):
                    return True
                if any((ctx.qualname(b) or "").endswith("TestCase") for b in anc.bases):
                    return True
        return False

    return ctx.memo("crypto-in-test", scope, compute)  # type: ignore[no-any-return]


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


_CRYPTO_MODULES = frozenset({
    "hmac", "hashlib", "jwt", "jose", "cryptography", "Crypto", "Cryptodome", "nacl", "itsdangerous", "rsa", "ecdsa",
    "OpenSSL", "secrets", "authlib", "oauthlib", "passlib", "bcrypt",
})


def imports_crypto(ctx: FileContext) -> bool:
    """The file imports a hashing, MAC, signing or token library."""
    return bool({target.split(".")[0] for target in ctx.imports.values()} & _CRYPTO_MODULES)
