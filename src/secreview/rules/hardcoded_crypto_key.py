"""Encryption, signing or MAC key written in the source code.

## What it flags
A key fixed in the source (a literal, a module constant or a local variable assigned
a literal, also through `.encode()`, `bytes.fromhex()` or `base64.b64decode()`) handed
to the API that uses it: `hmac.new/digest/HMAC`, pycryptodome `AES.new(key, ...)` and
`Crypto.Hash.HMAC.new`, `cryptography`'s `Fernet`, `algorithms.AES(...)`, the AEAD
classes and `hmac.HMAC`, `jwt.encode/decode` (PyJWT and python-jose), `itsdangerous`
signers and serializers, `nacl.secret.SecretBox`, a PEM private key literal given to
`load_pem_private_key`, and Flask's `app.config["SECRET_KEY"] = "..."` or
`app.config.update(SECRET_KEY="...")`. Public keys and certificates are not secrets
and are skipped; assignments such as `SECRET_KEY = "..."` or `app.secret_key = "..."`
are reported by `hardcoded-password`.

## Why it matters
A key in the code is in every clone, package, container image and backup of it, and
cannot be rotated without a release. Whoever reads it can decrypt the data, forge
session cookies, JWTs and webhook signatures, and impersonate the service (CWE-321).

## Example
```python
import jwt

def issue_token(user_id):
    return jwt.encode({"sub": user_id}, "s3cr3t-signing-key", algorithm="HS256")
```

## Use instead
```python
import os

import jwt

def issue_token(user_id):
    return jwt.encode({"sub": user_id}, os.environ["JWT_SIGNING_KEY"], algorithm="HS256")
```

## References
- CWE-321: Use of Hard-coded Cryptographic Key
- OWASP Cryptographic Storage and Secrets Management Cheat Sheets
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._crypto.identifiers import word_set
from secreview.rules._crypto.values import hardcoded, literal_data, resolve
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR311",
    name="hardcoded-crypto-key",
    title="Hard-coded cryptographic key",
    cwe=321,
    type="crypto",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Load keys at run time from a secret store, a key management service or the environment "
    "(os.environ['...']), rotate the exposed key, and keep only a placeholder in the code.",
)
NODES = (ast.Call, ast.Assign)
# The _SINKS / keyed-class / itsdangerous libraries, and Flask's `app.config[...]` / `config.update()`.
NEEDS = ("hmac", "cryptography", "jwt", "jose", "nacl", "Crypto", "itsdangerous", "config")

_CIPHERS = "cryptography.hazmat.primitives.ciphers."
# exact call name -> (position of the key, keyword name)
_SINKS = {
    "hmac.new": (0, "key"), "hmac.HMAC": (0, "key"), "hmac.digest": (0, "key"),
    "cryptography.fernet.Fernet": (0, "key"), "cryptography.hazmat.primitives.hmac.HMAC": (0, "key"),
    "cryptography.hazmat.primitives.cmac.CMAC": (0, "algorithm"),
    "jwt.encode": (1, "key"), "jwt.decode": (1, "key"), "jwt.api_jwt.encode": (1, "key"),
    "jwt.api_jwt.decode": (1, "key"), "jose.jwt.encode": (1, "key"), "jose.jwt.decode": (1, "key"),
    "jose.jws.sign": (1, "key"), "jose.jws.verify": (1, "key"), "nacl.secret.SecretBox": (0, "key"),
    "cryptography.hazmat.primitives.serialization.load_pem_private_key": (0, "data"),
    "Crypto.PublicKey.RSA.import_key": (0, "extern_key"), "Crypto.PublicKey.RSA.importKey": (0, "extern_key"),
}
_ITSDANGEROUS = word_set(
    """Signer TimestampSigner Serializer URLSafeSerializer URLSafeTimedSerializer TimedSerializer
    TimedJSONWebSignatureSerializer JSONWebSignatureSerializer"""
)
_KEYED_CLASSES = (_CIPHERS + "algorithms.", _CIPHERS + "aead.", "cryptography.hazmat.decrepit.ciphers.")
_FLASK_KEYS = frozenset({"SECRET_KEY", "JWT_SECRET_KEY", "WTF_CSRF_SECRET_KEY", "SECURITY_PASSWORD_SALT"})
_PUBLIC_MARKERS = ("PUBLIC KEY", "CERTIFICATE", "ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-")


def check(node: ast.AST, ctx: FileContext) -> Iterator[Hit]:
    if isinstance(node, ast.Assign):
        yield from _flask_assignment(node, ctx)
        return
    assert isinstance(node, ast.Call)
    name = ctx.call_name(node) or ""
    key = _key_argument(ctx, node, name)
    if key is None:
        if _is_config_update(ctx, node):
            for kw in node.keywords:
                if kw.arg in _FLASK_KEYS:
                    yield from _report(ctx, node, kw.value, f"`{kw.arg}` in `{ctx.segment(node.func)}`")
        return
    if name.endswith(("load_pem_private_key", "import_key", "importKey")):
        text = _text(ctx, key)
        if "PRIVATE KEY" not in text:
            return
    yield from _report(ctx, node, key, f"`{name}`")


def _key_argument(ctx: FileContext, node: ast.Call, name: str) -> ast.expr | None:
    if name in _SINKS:
        position, keyword = _SINKS[name]
        key = argument(node, position, keyword)
        if name.endswith("CMAC") and isinstance(key, ast.Call):
            return argument(key, 0, "key")
        return key
    parts = name.split(".")
    if len(parts) == 4 and parts[0] in ("Crypto", "Cryptodome") and parts[3] == "new" and parts[1] in (
            "Cipher", "Hash") and (parts[1] == "Cipher" or parts[2] in ("HMAC", "CMAC")):
        return argument(node, 0, "key")
    if name.startswith(_KEYED_CLASSES):
        return argument(node, 0, "key")
    if parts[0] == "itsdangerous" and parts[-1] in _ITSDANGEROUS:
        return argument(node, 0, "secret_key")
    return None


def _report(ctx: FileContext, node: ast.AST, key: ast.expr, sink: str) -> Iterator[Hit]:
    how = hardcoded(ctx, key)
    text = _text(ctx, key)
    if not how or not text or any(marker in text for marker in _PUBLIC_MARKERS):
        return
    yield Hit(node, f"{sink} gets a key that is {how}: it is exposed with the source and cannot be rotated.")


def _text(ctx: FileContext, key: ast.expr) -> str:
    """The literal's text ("?" when it is built from literals), "" when empty or not literal."""
    value = literal_data(ctx, resolve(ctx, key))
    while isinstance(value, ast.Call):
        value = value.args[0] if value.args else None
        if isinstance(value, ast.Attribute):
            value = value.value
    if isinstance(value, ast.Constant):
        if isinstance(value.value, bytes):
            return value.value.decode("latin-1")
        return value.value if isinstance(value.value, str) else ""
    return "?" if value is not None else ""


def _flask_assignment(node: ast.Assign, ctx: FileContext) -> Iterator[Hit]:
    if len(node.targets) != 1:
        return
    target = node.targets[0]  # `app.secret_key = "..."` is hardcoded-password's (SR201)
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        base = target.value
        if target.slice.value in _FLASK_KEYS and isinstance(base, ast.Attribute) and base.attr == "config":
            yield from _report(ctx, node, node.value, f"`{ctx.segment(target)}`")


def _is_config_update(ctx: FileContext, node: ast.Call) -> bool:
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr in ("update", "from_mapping")
            and isinstance(func.value, ast.Attribute) and func.value.attr == "config")
