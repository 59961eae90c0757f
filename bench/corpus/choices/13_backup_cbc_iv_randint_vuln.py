"""Encrypts the service's credential backups before they leave the host."""
import json
import random

from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 16


def _block_bytes():
    return bytes(random.randint(0, 255) for _ in range(BLOCK))


def seal(records, enc_key, mac_key):
    plain = json.dumps(records, sort_keys=True).encode("utf-8")
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    iv = _block_bytes()
    encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    body = iv + encryptor.update(padded) + encryptor.finalize()
    tag = hmac.HMAC(mac_key, hashes.SHA256())
    tag.update(body)
    return body + tag.finalize()


def unseal(blob, enc_key, mac_key):
    body, mac = blob[:-32], blob[-32:]
    check = hmac.HMAC(mac_key, hashes.SHA256())
    check.update(body)
    check.verify(mac)
    iv, data = body[:BLOCK], body[BLOCK:]
    decryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return json.loads(unpadder.update(padded) + unpadder.finalize())
