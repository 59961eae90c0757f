"""Encryption with a fixed IV or nonce (a literal, a constant, or the key itself).

## What it flags
An IV or nonce fixed in the source (`b"\\x00" * 16`, `b"0123456789abcdef"`,
`bytes(16)`, a module constant or a local variable assigned a literal) or equal to the
key, passed to `cryptography`'s `modes.CBC/CFB/CFB8/OFB/CTR/GCM(...)`,
`algorithms.ChaCha20(key, nonce)`, the AEAD classes' `encrypt(nonce, ...)`
(`AESGCM`, `ChaCha20Poly1305`, `AESCCM`, `AESOCB3`), pycryptodome
`AES.new(key, mode, iv)` / `iv=` / `nonce=` (also `ChaCha20`, `Salsa20`,
`ChaCha20_Poly1305`), and M2Crypto `EVP.Cipher(alg, key, iv, op)`.

## Why it matters
With a fixed IV, CBC leaks which messages share a prefix; in CTR, OFB, GCM and
ChaCha20 a repeated nonce repeats the keystream, so XOR-ing two ciphertexts removes
the encryption, and in GCM it also lets an attacker forge tags. IVs and nonces must be
fresh for every message under a key (CWE-329).

## Example
```python
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

IV = b"\\x00" * 16

def encrypt(key, padded):
    encryptor = Cipher(algorithms.AES(key), modes.CBC(IV)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()
```

## Use instead
```python
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

def encrypt(key, padded):
    iv = os.urandom(16)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return iv + encryptor.update(padded) + encryptor.finalize()
```

## References
- CWE-329: Generation of Predictable IV with CBC Mode
- NIST SP 800-38A Appendix C and SP 800-38D section 8 (IV and nonce uniqueness)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._crypto.references import reference
from secreview.rules._crypto.values import hardcoded, resolve
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR305",
    name="static-iv",
    title="Fixed IV or nonce",
    cwe=329,
    type="crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Generate a fresh IV/nonce for every message (os.urandom(16) for CBC, 12 random bytes or a counter "
    "for GCM/ChaCha20) and send it alongside the ciphertext; never reuse the key as the IV.",
)
NODES = (ast.Call,)
# Every hit resolves through cryptography, PyCrypto(dome) or M2Crypto.
NEEDS = ("Crypto", "cryptography")

_MODES = "cryptography.hazmat.primitives.ciphers.modes."
_MODE_IV = {"CBC": "initialization_vector", "CFB": "initialization_vector", "CFB8": "initialization_vector",
            "OFB": "initialization_vector", "GCM": "initialization_vector", "CTR": "nonce"}
_AEAD = "cryptography.hazmat.primitives.ciphers.aead."
_AEAD_CLASSES = frozenset({"AESGCM", "ChaCha20Poly1305", "AESCCM", "AESOCB3"})
_PYCRYPTO_BLOCK = frozenset({"AES", "DES", "DES3", "Blowfish", "CAST", "ARC2"})
_PYCRYPTO_STREAM = frozenset({"ChaCha20", "Salsa20", "ChaCha20_Poly1305", "XChaCha20_Poly1305"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    iv, key, what = _iv_and_key(ctx, node, name)
    if iv is None:
        return
    how = hardcoded(ctx, iv)
    if how:
        yield Hit(node, f"`{what}` gets {_kind(what)} that is {how}; it is the same for every message.")
    elif key is not None and reference(iv) and reference(iv) == reference(key):
        yield Hit(node, f"`{what}` uses the key `{reference(key)}` as its {_kind(what).split()[-1]}.",
                  confidence=Confidence.MEDIUM)


def _kind(what: str) -> str:
    return "a nonce" if any(w in what for w in ("CTR", "ChaCha", "Salsa", "encrypt", "nonce")) else "an IV"


def _iv_and_key(ctx: FileContext, node: ast.Call, name: str) -> tuple[ast.expr | None, ast.expr | None, str]:
    if name.startswith(_MODES) and name[len(_MODES):] in _MODE_IV:
        mode = name[len(_MODES):]
        return argument(node, 0, _MODE_IV[mode]), _cipher_key(ctx, node), f"modes.{mode}"
    if name == "cryptography.hazmat.primitives.ciphers.algorithms.ChaCha20":
        return argument(node, 1, "nonce"), argument(node, 0, "key"), "algorithms.ChaCha20"
    parts = name.split(".")
    if len(parts) == 4 and parts[0] in ("Crypto", "Cryptodome") and parts[1:4:2] == ["Cipher", "new"]:
        if parts[2] in _PYCRYPTO_BLOCK:
            iv = argument(node, 2, "iv") or argument(node, None, "IV") or argument(node, None, "nonce")
        elif parts[2] in _PYCRYPTO_STREAM:
            iv = argument(node, 1, "nonce")
        else:
            return None, None, ""
        return iv, argument(node, 0, "key"), f"{parts[2]}.new"
    if name == "M2Crypto.EVP.Cipher":
        return argument(node, 2, "iv"), argument(node, 1, "key"), "EVP.Cipher"
    if isinstance(node.func, ast.Attribute) and node.func.attr == "encrypt":
        receiver = resolve(ctx, node.func.value)
        if isinstance(receiver, ast.Attribute):
            receiver = _self_attribute(ctx, receiver)
        if isinstance(receiver, ast.Call):
            cls = ctx.call_name(receiver) or ""
            if cls.startswith(_AEAD) and cls[len(_AEAD):] in _AEAD_CLASSES:
                key = argument(receiver, 0, "key")
                return argument(node, 0, "nonce"), key, f"{cls[len(_AEAD):]}.encrypt"
    return None, None, ""


def _self_attribute(ctx: FileContext, expr: ast.Attribute) -> ast.expr | None:
    """`self._aead` -> `AESGCM(key)` when the class assigns that attribute exactly once (in any method):
    the AEAD object a codec builds in `__init__` and uses in `encrypt`/`issue`."""
    if not (isinstance(expr.value, ast.Name) and expr.value.id == "self"):
        return None
    cls = ctx.enclosing_class(expr)
    if cls is None:
        return None
    values = [stmt.value for stmt in ast.walk(cls) if isinstance(stmt, ast.Assign)
              for target in stmt.targets if isinstance(target, ast.Attribute) and target.attr == expr.attr
              and isinstance(target.value, ast.Name) and target.value.id == "self"]
    return values[0] if len(values) == 1 else None


def _cipher_key(ctx: FileContext, mode_call: ast.Call) -> ast.expr | None:
    """`Cipher(algorithms.AES(key), modes.CBC(iv))` -> `key`."""
    parent = ctx.parent(mode_call)
    if isinstance(parent, ast.keyword):
        parent = ctx.parent(parent)
    if isinstance(parent, ast.Call) and parent.args and isinstance(parent.args[0], ast.Call):
        return argument(parent.args[0], 0, "key")
    return None
