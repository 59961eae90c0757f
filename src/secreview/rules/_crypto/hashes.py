"""Hash constructors: one-shot `hashlib` / PyCryptodome constructors, weak algorithms, `usedforsecurity`."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument
from secreview.rules._crypto.identifiers import word_set
from secreview.rules._crypto.values import resolve

_HASHLIB_FAST = word_set(
    """md5 sha1 sha224 sha256 sha384 sha512 sha512_224 sha512_256 sha3_224 sha3_256 sha3_384 sha3_512 blake2b
    blake2s md4 ripemd160 sm3 md5-sha1 shake_128 shake_256"""
)
_PYCRYPTO_HASHES = word_set(
    """MD2 MD4 MD5 SHA SHA1 SHA224 SHA256 SHA384 SHA512 SHA3_224 SHA3_256 SHA3_384 SHA3_512 BLAKE2b BLAKE2s
    RIPEMD RIPEMD160 keccak"""
)
WEAK_ALGORITHMS = {"md2": "MD2", "md4": "MD4", "md5": "MD5", "sha": "SHA-1", "sha1": "SHA-1",
                   "md5-sha1": "MD5"}
CRYPTOGRAPHY_HASHES = "cryptography.hazmat.primitives.hashes."


def hash_constructor(ctx: FileContext, call: ast.Call) -> tuple[str, str, list[ast.expr]] | None:
    """(call name, lower-case algorithm, data arguments) for a one-shot hash constructor:
    `hashlib.md5(x)`, `hashlib.new("sha1", x)`, `Crypto.Hash.MD5.new(x)`; None otherwise."""
    name = ctx.call_name(call) or ""
    data: list[ast.expr] = []
    if name.startswith("hashlib."):
        algo = name[len("hashlib."):]
        if algo == "new":
            value = resolve(ctx, argument(call, 0, "name"))
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                return None
            algo = value.value.lower()
            data = [a for a in (argument(call, 1, "data"), argument(call, None, "string")) if a is not None]
        elif algo in _HASHLIB_FAST:
            data = [a for a in (argument(call, 0, "data"), argument(call, None, "string")) if a is not None]
        else:
            return None
        return (name, algo, data) if algo in _HASHLIB_FAST else None
    parts = name.split(".")
    if len(parts) == 4 and parts[0] in ("Crypto", "Cryptodome") and parts[1] == "Hash" and parts[3] == "new":
        if parts[2] in _PYCRYPTO_HASHES:
            data = [a for a in (argument(call, 0, "data"),) if a is not None]
            return name, parts[2].lower(), data
    return None


def used_not_for_security(call: ast.Call) -> bool:
    return any(kw.arg == "usedforsecurity" and isinstance(kw.value, ast.Constant) and kw.value.value is False
               for kw in call.keywords)
