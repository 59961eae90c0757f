"""Nightly job: compresses the per-upload processing logs of the document
service. Log files are named after the uploaded document's original file name."""
import logging
import os
import subprocess
import time

LOG = logging.getLogger(__name__)
MAX_AGE = 24 * 3600


def compress(path, level=9):
    return subprocess.call("gzip -%d %s" % (level, path), shell=True)


def rotate(log_dir, now=None):
    now = now or time.time()
    done = failed = 0
    for entry in os.scandir(log_dir):
        if not entry.is_file() or entry.name.endswith(".gz"):
            continue
        if now - entry.stat().st_mtime < MAX_AGE:
            continue
        if compress(entry.path) == 0:
            done += 1
        else:
            failed += 1
            LOG.warning("could not compress %s", entry.name)
    LOG.info("rotated %d log(s), %d failure(s)", done, failed)
    return done, failed


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    rotate(os.environ.get("DOCSVC_LOG_DIR", "/var/log/docsvc/uploads"))
