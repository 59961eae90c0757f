"""keyctl: creates and rotates the Fernet keys the token service encrypts with."""
import argparse
import base64
import os
import random
import sys


def _new_material():
    return base64.urlsafe_b64encode(random.randbytes(32))


def _key_files(directory):
    return sorted((int(name), name) for name in os.listdir(directory) if name.isdigit())


def create(directory):
    os.makedirs(directory, mode=0o700, exist_ok=True)
    existing = _key_files(directory)
    index = existing[-1][0] + 1 if existing else 0
    fd = os.open(os.path.join(directory, str(index)), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(_new_material())
    return index


def prune(directory, keep):
    existing = _key_files(directory)
    for _, name in existing[:-keep]:
        os.unlink(os.path.join(directory, name))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="keyctl")
    parser.add_argument("--key-dir", default="/etc/tokensvc/fernet-keys")
    parser.add_argument("--keep", type=int, default=3)
    parser.add_argument("action", choices=["create", "rotate"])
    args = parser.parse_args(argv)
    index = create(args.key_dir)
    if args.action == "rotate":
        prune(args.key_dir, args.keep)
    print("created key %d in %s" % (index, args.key_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
