"""Copy tenants from the legacy MySQL database into the new service."""
import argparse
import logging
import os

import pymysql

LOG = logging.getLogger("tenant-migrate")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-host", default="legacy-db.internal")
    parser.add_argument("--db-user", default="migrator")
    parser.add_argument("--db-password", default=os.environ.get("LEGACY_DB_PASSWORD"))
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def migrate(conn, batch_size, dry_run):
    copied = 0
    with conn.cursor() as cur:
        cur.execute("SELECT id, name, plan FROM tenants ORDER BY id")
        while True:
            rows = cur.fetchmany(batch_size)
            if not rows:
                break
            copied += len(rows)
            if not dry_run:
                LOG.debug("would push %d tenants", len(rows))
    return copied


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    shown = {k: ("***" if k == "db_password" else v) for k, v in vars(args).items()}
    LOG.info("starting migration with options %s", shown)
    conn = pymysql.connect(host=args.db_host, user=args.db_user,
                           password=args.db_password, database="legacy")
    try:
        LOG.info("copied %d tenants", migrate(conn, args.batch_size, args.dry_run))
    finally:
        conn.close()


if __name__ == "__main__":
    main()
