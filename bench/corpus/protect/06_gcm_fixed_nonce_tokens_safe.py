"""Opaque API tokens that carry the tenant id, encrypted with AES-GCM."""
import base64
import json
import os
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class TokenCodec(object):
    def __init__(self, key):
        self._aead = AESGCM(key)

    def issue(self, tenant_id, scopes, ttl=3600):
        claims = {"tid": tenant_id, "scp": sorted(scopes), "exp": int(time.time()) + ttl}
        blob = json.dumps(claims, separators=(",", ":")).encode()
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, blob, b"v1")
        return "v1." + base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def parse(self, token):
        if not token.startswith("v1."):
            return None
        body = token[3:]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        try:
            claims = json.loads(self._aead.decrypt(raw[:12], raw[12:], b"v1"))
        except (InvalidTag, ValueError):
            return None
        if claims["exp"] < time.time():
            return None
        return claims
