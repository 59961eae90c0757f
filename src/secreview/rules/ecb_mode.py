"""Block cipher used in ECB mode.

## What it flags
`cryptography`'s `modes.ECB()`; pycryptodome/PyCrypto `AES.new(key, AES.MODE_ECB)`
(any `Crypto.Cipher`/`Cryptodome.Cipher` block cipher, mode passed by position, by
`mode=` or through a local variable); old PyCrypto `Crypto.Cipher.AES.new(key)` with no
mode at all, which silently defaulted to ECB (pycryptodome makes the mode mandatory);
and M2Crypto `EVP.Cipher` with an `*_ecb` algorithm name. Single-block constructions
built on ECB by design (AES key wrap, CMAC, SIV, in functions so named) are skipped.

## Why it matters
ECB encrypts equal plaintext blocks to equal ciphertext blocks, so structure leaks
(the "ECB penguin"), blocks can be cut, reordered and replayed, and a chosen-plaintext
attacker can decrypt byte by byte. No message longer than one block is safe in ECB
(CWE-327).

## Example
```python
from Crypto.Cipher import AES

def seal(key, data):
    return AES.new(key, AES.MODE_ECB).encrypt(data)
```

## Use instead
```python
from Crypto.Cipher import AES

def seal(key, data):
    cipher = AES.new(key, AES.MODE_GCM)
    ciphertext, tag = cipher.encrypt_and_digest(data)
    return cipher.nonce + tag + ciphertext
```

## References
- CWE-327: Use of a Broken or Risky Cryptographic Algorithm
- NIST SP 800-38A, Recommendation for Block Cipher Modes of Operation
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument, keyword
from secreview.model import Confidence, Severity
from secreview.rules._crypto.identifiers import words_of
from secreview.rules._crypto.scopes import function_name
from secreview.rules._crypto.values import resolve
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR304",
    name="ecb-mode",
    title="Block cipher in ECB mode",
    cwe=327,
    type="crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Use an authenticated mode (AES-GCM, ChaCha20-Poly1305, or Fernet); if a plain mode is unavoidable, "
    "use CBC or CTR with a fresh random IV/nonce and a MAC.",
    bandit=("B305",),
)
NODES = (ast.Call,)
# Every hit resolves through cryptography, PyCrypto(dome) or M2Crypto.
NEEDS = ("Crypto", "cryptography")

_KEY_WRAP = frozenset({"wrap", "unwrap", "keywrap", "cmac", "siv"})  # single-block primitives built on ECB
_BLOCK_CIPHERS = frozenset({"AES", "DES", "DES3", "Blowfish", "CAST", "ARC2"})
_ECB_NAMES = ("cryptography.hazmat.primitives.ciphers.modes.ECB",
              "cryptography.hazmat.decrepit.ciphers.modes.ECB")


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    if name in _ECB_NAMES:
        if not _KEY_WRAP & set(words_of(function_name(ctx, node))):
            yield Hit(node, "`modes.ECB()` encrypts equal blocks to equal ciphertext.")
        return
    if name == "M2Crypto.EVP.Cipher":
        alg = resolve(ctx, argument(node, 0, "alg"))
        if isinstance(alg, ast.Constant) and str(alg.value).lower().endswith("_ecb"):
            yield Hit(node, f"`M2Crypto.EVP.Cipher` uses `{alg.value!s}`, an ECB cipher.")
        return
    parts = name.split(".")
    if not (len(parts) == 4 and parts[0] in ("Crypto", "Cryptodome") and parts[1] == "Cipher"
            and parts[2] in _BLOCK_CIPHERS and parts[3] == "new"):
        return
    mode_arg = argument(node, 1, "mode")
    if mode_arg is None:
        only_key = len(node.args) == 1 and not node.keywords and not isinstance(node.args[0], ast.Starred)
        only_key = only_key or not node.args and len(node.keywords) == 1 and keyword(node, "key") is not None
        if parts[0] == "Crypto" and only_key:
            message = f"`{name}(key)` without a mode uses ECB in PyCrypto."
            yield Hit(node, message, confidence=Confidence.MEDIUM)
        return
    mode = resolve(ctx, mode_arg)
    qual = ctx.qualname(mode) or ""
    if qual.endswith(".MODE_ECB") or qual == "MODE_ECB" or isinstance(mode, ast.Constant) and mode.value == 1:
        yield Hit(node, f"`{name}` is created in ECB mode (`{ctx.segment(mode_arg) or 'MODE_ECB'}`).")
