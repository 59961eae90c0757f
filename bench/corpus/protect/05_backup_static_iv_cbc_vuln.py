"""Encrypt nightly database dumps before they are shipped to object storage."""
import argparse
import os
import sys

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 16
IV = b"\x00" * BLOCK


def load_key(path):
    with open(path, "rb") as fh:
        key = fh.read()
    if len(key) != 32:
        sys.exit("backup key must be 32 bytes")
    return key


def encrypt_file(key, src, dst):
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(IV)).encryptor()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for chunk in iter(lambda: fin.read(1 << 20), b""):
            fout.write(encryptor.update(padder.update(chunk)))
        fout.write(encryptor.update(padder.finalize()) + encryptor.finalize())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("dump")
    parser.add_argument("output")
    args = parser.parse_args(argv)
    encrypt_file(load_key(args.key_file), args.dump, args.output)
    print("wrote %s (%d bytes)" % (args.output, os.path.getsize(args.output)))


if __name__ == "__main__":
    main()
