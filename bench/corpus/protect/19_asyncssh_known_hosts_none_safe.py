"""Collect switch running-configs over SSH for the nightly config backup."""
import asyncio
import datetime
import os

import asyncssh

BACKUP_DIR = os.environ.get("NETBACKUP_DIR", "/var/backups/network")


async def fetch_config(host, username, password):
    async with asyncssh.connect(
        host,
        username=username,
        password=password,
        known_hosts=os.path.join(BACKUP_DIR, "known_hosts"),
        connect_timeout=15,
    ) as conn:
        result = await conn.run("show running-config", check=True)
        return result.stdout


async def backup_all(hosts, username, password):
    stamp = datetime.date.today().isoformat()
    os.makedirs(os.path.join(BACKUP_DIR, stamp), exist_ok=True)
    results = await asyncio.gather(
        *(fetch_config(h, username, password) for h in hosts), return_exceptions=True
    )
    failed = []
    for host, res in zip(hosts, results):
        if isinstance(res, Exception):
            failed.append((host, res))
            continue
        with open(os.path.join(BACKUP_DIR, stamp, host + ".cfg"), "w") as fh:
            fh.write(res)
    return failed


if __name__ == "__main__":
    switches = os.environ["NETBACKUP_HOSTS"].split(",")
    bad = asyncio.run(backup_all(switches, os.environ["NETBACKUP_USER"], os.environ["NETBACKUP_PASSWORD"]))
    for host, err in bad:
        print("FAILED %s: %s" % (host, err))
