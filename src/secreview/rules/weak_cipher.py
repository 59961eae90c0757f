"""Data encrypted with a broken or legacy cipher (DES, 3DES, RC4, Blowfish ...).

## What it flags
Creating a cipher with DES, Triple DES, RC4 (ARC4), RC2, Blowfish, CAST5, IDEA, SEED
or XOR: pycryptodome/PyCrypto `Crypto.Cipher.DES.new` (also `Cryptodome.`),
`cryptography`'s `algorithms.TripleDES/ARC4/Blowfish/IDEA/CAST5/SEED` (including the
`decrepit` module), `pyDes.des/triple_des`, M2Crypto `RC4.RC4` and `EVP.Cipher` with
such an algorithm name, and TLS cipher strings that switch on RC4, DES, 3DES, NULL or
export suites (`ctx.set_ciphers("...")`).

## Why it matters
DES keys are found by exhaustive search in about a day; RC4's keystream biases leak
plaintext; 64-bit block ciphers (3DES, Blowfish, CAST5, IDEA, RC2) repeat blocks after
a few gigabytes (Sweet32). Data encrypted with them should be treated as readable by
an attacker (CWE-327).

## Example
```python
from Crypto.Cipher import DES

def encrypt_record(key, record):
    cipher = DES.new(key, DES.MODE_CBC)
    return cipher.iv + cipher.encrypt(record)
```

## Use instead
```python
from Crypto.Cipher import AES

def encrypt_record(key, record):
    cipher = AES.new(key, AES.MODE_GCM)
    ciphertext, tag = cipher.encrypt_and_digest(record)
    return cipher.nonce + tag + ciphertext
```

## References
- CWE-327: Use of a Broken or Risky Cryptographic Algorithm
- NIST SP 800-131A Rev. 2 (3DES disallowed for encryption after 2023)
- Bhargavan and Leurent, "Sweet32: Birthday attacks on 64-bit block ciphers" (2016)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._crypto.values import resolve
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR303",
    name="weak-cipher",
    title="Broken or legacy cipher",
    cwe=327,
    type="crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Encrypt with AES-GCM or ChaCha20-Poly1305 (cryptography's AESGCM/ChaCha20Poly1305, or Fernet); "
    "keep legacy ciphers only to decrypt old data once and re-encrypt it.",
    bandit=("B304", "B413"),
)
NODES = (ast.Call,)
# The cipher libraries every name below resolves through, and the TLS suite setters.
NEEDS = ("Crypto", "cryptography", "pyDes", "set_cipher")

_BROKEN = {
    "DES": "DES (56-bit key, found by brute force)",
    "DES3": "Triple DES (64-bit block, Sweet32)",
    "TripleDES": "Triple DES (64-bit block, Sweet32)",
    "ARC4": "RC4 (biased keystream)",
    "ARC2": "RC2 (64-bit block, weak key schedule)",
    "RC2": "RC2 (64-bit block, weak key schedule)",
    "Blowfish": "Blowfish (64-bit block, Sweet32)",
    "CAST": "CAST5 (64-bit block)",
    "CAST5": "CAST5 (64-bit block)",
    "IDEA": "IDEA (64-bit block)",
    "SEED": "SEED (legacy cipher, no longer maintained)",
    "XOR": "a repeating-key XOR (not encryption)",
}
_ALGORITHM_MODULES = ("cryptography.hazmat.primitives.ciphers.algorithms.",
                      "cryptography.hazmat.decrepit.ciphers.algorithms.")
_OTHER = {
    "pyDes.des": "DES (56-bit key, found by brute force)",
    "pyDes.triple_des": "Triple DES (64-bit block, Sweet32)",
    "M2Crypto.RC4.RC4": "RC4 (biased keystream)",
}
_EVP_PREFIXES = {"des": "DES or Triple DES", "rc4": "RC4", "rc2": "RC2", "bf": "Blowfish", "cast": "CAST5",
                 "idea": "IDEA", "seed": "SEED"}
_WEAK_SUITE_PARTS = frozenset({"RC4", "DES", "3DES", "CBC3", "NULL", "ANULL", "ENULL", "EXP", "EXPORT",
                               "EXPORT40", "EXPORT56", "LOW", "RC2", "IDEA", "MD5"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    parts = name.split(".")
    what = ""
    if len(parts) == 4 and parts[0] in ("Crypto", "Cryptodome") and parts[1:4:2] == ["Cipher", "new"]:
        what = _BROKEN.get(parts[2], "")
    elif name.startswith(_ALGORITHM_MODULES):
        what = _BROKEN.get(parts[-1], "")
    elif name in _OTHER:
        what = _OTHER[name]
    elif name == "M2Crypto.EVP.Cipher":
        alg = resolve(ctx, argument(node, 0, "alg"))
        if isinstance(alg, ast.Constant) and isinstance(alg.value, str):
            what = next((v for k, v in _EVP_PREFIXES.items() if alg.value.lower().startswith(k)), "")
    elif isinstance(node.func, ast.Attribute) and node.func.attr in ("set_ciphers", "set_cipher_list"):
        suite = _weak_suite(resolve(ctx, argument(node, 0, "ciphers")))
        if suite:
            yield Hit(node, f"`{node.func.attr}` enables the weak TLS cipher suite `{suite}`.",
                      confidence=Confidence.MEDIUM)
        return
    if what:
        yield Hit(node, f"`{name}` encrypts with {what}.")


def _weak_suite(expr: ast.expr | None) -> str:
    if not isinstance(expr, ast.Constant) or not isinstance(expr.value, (str, bytes)):
        return ""
    text = expr.value.decode("ascii", "replace") if isinstance(expr.value, bytes) else expr.value
    for token in re.split(r"[:,\s]+", text):
        if not token or token[0] in "!-+@":
            continue
        if _WEAK_SUITE_PARTS & {p.upper() for p in re.split(r"[-+]", token)}:
            return token
    return ""
