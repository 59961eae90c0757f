"""Cryptographic key generated too short (RSA/DSA/DH under 2048 bits, small curves, short keys).

## What it flags
Key generation with a size fixed in the source below today's minimum: RSA, DSA and DH
under 2048 bits (`cryptography`'s `rsa/dsa.generate_private_key`,
`dh.generate_parameters`, pycryptodome `RSA/DSA.generate`, `paramiko.RSAKey/DSSKey.generate`,
pyOpenSSL `PKey().generate_key`, M2Crypto `RSA.gen_key`, python-rsa `rsa.newkeys`),
elliptic curves under 224 bits (`ec.SECP192R1()`, `SECT163K1`, `ECC.generate(curve="P-192")`),
and symmetric keys made from fewer than 16 random bytes (`key = os.urandom(8)`).

## Why it matters
512-bit RSA is factored in hours on rented machines and 768-bit RSA has been
publicly factored; 1024-bit RSA/DSA/DH is within reach of well-funded attackers and is
disallowed by NIST since 2013. A 64-bit symmetric key falls to brute force. Anything
signed or encrypted with such a key can be forged or read (CWE-326).

## Example
```python
from cryptography.hazmat.primitives.asymmetric import rsa

def new_signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)
```

## Use instead
```python
from cryptography.hazmat.primitives.asymmetric import rsa

def new_signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)
```

## References
- CWE-326: Inadequate Encryption Strength
- NIST SP 800-131A Rev. 2 and SP 800-57 Part 1 (key lengths)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._crypto.destinations import destinations
from secreview.rules._crypto.identifiers import words_of
from secreview.rules._crypto.values import literal_number, resolve
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR306",
    name="weak-key-size",
    title="Cryptographic key too short",
    cwe=326,
    type="crypto",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Use RSA/DSA/DH keys of at least 2048 bits (3072 for use beyond 2030), curves of at least 256 bits "
    "(SECP256R1, Ed25519), and symmetric keys of at least 16 random bytes (32 for AES-256).",
    bandit=("B505",),
)
NODES = (ast.Call,)
# The libraries and calls every branch of check() matches.
NEEDS = ("Crypto", "cryptography", "paramiko", "rsa", "generate_key", "urandom", "token_bytes",
         "get_random_bytes", "randbytes")

_ASYM = "cryptography.hazmat.primitives.asymmetric."
# call name -> (position of the size argument, its keyword, what it sizes, default when omitted or None)
_SIZED = {
    _ASYM + "rsa.generate_private_key": (1, "key_size", "RSA", None),
    _ASYM + "dsa.generate_private_key": (0, "key_size", "DSA", None),
    _ASYM + "dsa.generate_parameters": (0, "key_size", "DSA", None),
    _ASYM + "dh.generate_parameters": (1, "key_size", "DH", None),
    "Crypto.PublicKey.RSA.generate": (0, "bits", "RSA", None),
    "Cryptodome.PublicKey.RSA.generate": (0, "bits", "RSA", None),
    "Crypto.PublicKey.DSA.generate": (0, "bits", "DSA", None),
    "Cryptodome.PublicKey.DSA.generate": (0, "bits", "DSA", None),
    "paramiko.RSAKey.generate": (0, "bits", "RSA", None),
    "paramiko.rsakey.RSAKey.generate": (0, "bits", "RSA", None),
    "paramiko.DSSKey.generate": (0, "bits", "DSA", 1024),
    "paramiko.dsskey.DSSKey.generate": (0, "bits", "DSA", 1024),
    "M2Crypto.RSA.gen_key": (0, "bits", "RSA", None),
    "rsa.newkeys": (0, "nbits", "RSA", None),
}
_SMALL_CURVES = frozenset({"SECP192R1", "SECT163K1", "SECT163R2", "SECP160R1", "BrainpoolP160R1"})
_SMALL_CURVE_NAMES = frozenset({"p192", "p-192", "nist p-192", "secp192r1", "prime192v1"})
_RANDOM_BYTES = {"os.urandom": 0, "secrets.token_bytes": 0, "Crypto.Random.get_random_bytes": 0,
                 "Cryptodome.Random.get_random_bytes": 0, "random.SystemRandom().randbytes": 0}
_KEY_QUALIFIERS = frozenset({"secret", "signing", "encryption", "hmac", "aes", "cipher", "master", "crypto",
                             "data", "wrapping", "symmetric", "sym", "mac", "enc", "fernet", "shared"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    if name in _SIZED:
        position, kw, algo, default = _SIZED[name]
        given = argument(node, position, kw)
        bits = literal_number(ctx, given) if given is not None else default
        if bits is not None and 0 < bits < 2048:
            yield _hit(node, f"`{name}` generates a {bits}-bit {algo} key", bits)
        return
    if isinstance(node.func, ast.Attribute) and node.func.attr == "generate_key" and len(node.args) >= 2:
        kind = ctx.qualname(resolve(ctx, node.args[0])) or ""
        if kind.endswith(("TYPE_RSA", "TYPE_DSA")):
            bits = literal_number(ctx, node.args[1])
            if bits is not None and 0 < bits < 2048:
                yield _hit(node, f"`generate_key` creates a {bits}-bit {kind[-3:]} key", bits)
        return
    if name in (_ASYM + "ec.generate_private_key", _ASYM + "ec.derive_private_key"):
        curve = resolve(ctx, argument(node, 0 if name.endswith("generate_private_key") else 1, "curve"))
        curve = curve.func if isinstance(curve, ast.Call) else curve
        curve_name = (ctx.qualname(curve) or "").rsplit(".", 1)[-1]
        if curve_name in _SMALL_CURVES:
            yield Hit(node, f"`{name}` uses the curve {curve_name}, under 224 bits.")
        return
    if name in ("Crypto.PublicKey.ECC.generate", "Cryptodome.PublicKey.ECC.generate"):
        curve = resolve(ctx, argument(node, None, "curve"))
        if isinstance(curve, ast.Constant) and str(curve.value).lower() in _SMALL_CURVE_NAMES:
            yield Hit(node, f"`{name}` uses the curve {curve.value!s}, under 224 bits.")
        return
    if name in _RANDOM_BYTES:
        size = literal_number(ctx, argument(node, 0, "n" if name.startswith("os.") else "nbytes"))
        if size is not None and 0 < size < 16:
            key = next((d for d in destinations(ctx, node) if _names_key(d)), "")
            if key:
                yield Hit(node, f"`{key}` is a {size * 8}-bit key from `{name}({size})`; "
                          "at least 128 bits are needed.", severity=Severity.HIGH)


def _hit(node: ast.Call, text: str, bits: int) -> Hit:
    severity = Severity.HIGH if bits < 1024 else Severity.MEDIUM
    return Hit(node, f"{text}; 2048 bits is the minimum.", severity=severity)


def _names_key(identifier: str) -> bool:
    """`key`, `secret_key`, `hmac_key`, `AES_KEY`; not `cache_key`, `api_key` or `idempotency_key`."""
    words = words_of(identifier)
    if not words or words[-1] not in ("key", "secret"):
        return False
    return len(words) == 1 or words[-2] in _KEY_QUALIFIERS
