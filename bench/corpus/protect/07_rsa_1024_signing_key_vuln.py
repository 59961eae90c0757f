"""Generate the signing key pair used by the release pipeline."""
import argparse
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def generate(out_dir, passphrase):
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    priv = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )
    pub = key.public_key().public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    os.makedirs(out_dir, exist_ok=True)
    priv_path = os.path.join(out_dir, "release-signing.pem")
    fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(priv)
    with open(os.path.join(out_dir, "release-signing.pub"), "wb") as fh:
        fh.write(pub)
    return priv_path


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="keys")
    parser.add_argument("--passphrase-env", default="RELEASE_KEY_PASSPHRASE")
    args = parser.parse_args()
    path = generate(args.out, os.environ[args.passphrase_env])
    print("private key written to", path)


if __name__ == "__main__":
    main()
