"""inventory-manage bootstrap: creates the first administrator account."""
import secrets
import string
import sys

from oslo_config import cfg
from werkzeug.security import generate_password_hash

from inventory.db import api as db_api

CONF = cfg.CONF
CLI_OPTS = [
    cfg.StrOpt("admin-name", default="admin", help="Name of the first administrator."),
    cfg.IntOpt("length", default=20, help="Length of the generated password."),
]
CONF.register_cli_opts(CLI_OPTS)

SYMBOLS = string.ascii_letters + string.digits + "-_.!"


def _generate(length):
    return "".join(secrets.choice(SYMBOLS) for _ in range(length))


def main(argv=None):
    CONF(argv if argv is not None else sys.argv[1:], project="inventory")
    if db_api.user_count() > 0:
        print("an administrator already exists", file=sys.stderr)
        return 1
    initial = _generate(max(CONF.length, 16))
    db_api.user_create(
        name=CONF.admin_name,
        password_hash=generate_password_hash(initial),
        roles=["admin"],
        must_change_password=True,
    )
    print("administrator %s created; initial password: %s" % (CONF.admin_name, initial))
    return 0


if __name__ == "__main__":
    sys.exit(main())
