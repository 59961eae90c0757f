#!/usr/bin/env python3
"""purge-tenant: remove rows that belong to a deleted tenant from one table."""
import argparse
import sys

import psycopg2

ALLOWED_TABLES = ("sessions", "api_tokens", "uploads", "notifications")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dsn", default="dbname=platform")
    parser.add_argument("--table", choices=ALLOWED_TABLES, required=True)
    parser.add_argument("--tenant", required=True, help="tenant slug")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    conn = psycopg2.connect(args.dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("DELETE FROM " + args.table + " WHERE tenant = '" + args.tenant + "'")
            print(f"{cur.rowcount} rows removed from {args.table}")
            if args.dry_run:
                conn.rollback()
                print("dry run: rolled back")
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
