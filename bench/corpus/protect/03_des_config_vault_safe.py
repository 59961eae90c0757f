"""Encrypts connection strings stored in the shared config table."""
import base64
import os

from Crypto.Cipher import AES


class ConfigVault(object):
    def __init__(self, key):
        if len(key) != 32:
            raise ValueError("vault key must be 32 bytes")
        self._key = key

    def seal(self, plaintext):
        nonce = os.urandom(12)
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce)
        body, tag = cipher.encrypt_and_digest(plaintext.encode("utf-8"))
        return base64.b64encode(nonce + tag + body).decode("ascii")

    def unseal(self, token):
        raw = base64.b64decode(token)
        nonce, tag, body = raw[:12], raw[12:28], raw[28:]
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce)
        return cipher.decrypt_and_verify(body, tag).decode("utf-8")


def vault_from_env():
    key = base64.b64decode(os.environ["CONFIG_VAULT_KEY"])
    return ConfigVault(key)
