"""Encrypts connection strings stored in the shared config table."""
import base64
import os

from Crypto.Cipher import DES
from Crypto.Util.Padding import pad, unpad


class ConfigVault(object):
    def __init__(self, key):
        if len(key) != 8:
            raise ValueError("vault key must be 8 bytes")
        self._key = key

    def seal(self, plaintext):
        iv = os.urandom(8)
        cipher = DES.new(self._key, DES.MODE_CBC, iv)
        body = cipher.encrypt(pad(plaintext.encode("utf-8"), 8))
        return base64.b64encode(iv + body).decode("ascii")

    def unseal(self, token):
        raw = base64.b64decode(token)
        iv, body = raw[:8], raw[8:]
        cipher = DES.new(self._key, DES.MODE_CBC, iv)
        return unpad(cipher.decrypt(body), 8).decode("utf-8")


def vault_from_env():
    key = base64.b64decode(os.environ["CONFIG_VAULT_KEY"])
    return ConfigVault(key)
