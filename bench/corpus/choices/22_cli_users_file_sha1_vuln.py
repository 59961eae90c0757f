"""statusctl users: manages the accounts file the status page's basic-auth
middleware reads (one "name:salt:digest" line per account)."""
import argparse
import getpass
import hashlib
import os
import sys

DEFAULT_FILE = "/etc/statuspage/users"


def line_for(name, value):
    salt = os.urandom(8).hex()
    return "%s:%s:%s\n" % (name, salt, hashlib.sha1((salt + value).encode()).hexdigest())


def load(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [line for line in handle if line.strip()]


def save(path, lines):
    tmp = path + ".new"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(lines)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="statusctl-users")
    parser.add_argument("--file", default=DEFAULT_FILE)
    parser.add_argument("action", choices=["add", "remove"])
    parser.add_argument("name")
    args = parser.parse_args(argv)
    lines = [line for line in load(args.file) if line.split(":", 1)[0] != args.name]
    if args.action == "add":
        value = getpass.getpass("password for %s: " % args.name)
        if len(value) < 12:
            print("use at least 12 characters", file=sys.stderr)
            return 1
        lines.append(line_for(args.name, value))
    save(args.file, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
