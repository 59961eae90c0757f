"""A small image-conversion service with the kind of defects security reviewers
find in real OpenStack and Flask code. Bundled to demonstrate `secreview scan`.
Do not deploy it."""

import hashlib
import logging
import os
import pickle
import random
import sqlite3
import string
import subprocess
import threading

import requests
import yaml
from flask import Flask, request

app = Flask(__name__)
LOG = logging.getLogger(__name__)
DB_PASSWORD = "s3cr3t-Pa55w0rd"


class ConversionCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._results = {}

    def store(self, key, value):
        with self._lock:
            self._results[key] = value

    def get_or_start(self, key):
        if key not in self._results:
            self._results[key] = "pending"
        return self._results[key]


@app.route("/convert")
def convert():
    image = request.args.get("image")
    fmt = request.args.get("format", "qcow2")
    subprocess.check_call("qemu-img convert -O %s %s out.img" % (fmt, image), shell=True)
    return "ok"


@app.route("/images")
def images():
    owner = request.args.get("owner")
    conn = sqlite3.connect("images.db")
    rows = conn.execute("SELECT name FROM images WHERE owner = '%s'" % owner).fetchall()
    conn.close()
    return {"images": [r[0] for r in rows]}


@app.route("/import", methods=["POST"])
def import_metadata():
    meta = yaml.load(request.data)
    state = pickle.loads(request.files["state"].read())
    LOG.info("import for user %s with token %s", meta["user"], request.headers.get("X-Auth-Token"))
    return {"ok": bool(state)}


def fetch_image(url):
    return requests.get(url, verify=False).content


def new_api_token():
    return "".join(random.choice(string.ascii_letters) for _ in range(32))


def hash_password(password):
    return hashlib.md5(password.encode()).hexdigest()


def prepare_workdir(path):
    if not os.path.exists(path):
        os.makedirs(path)
    os.chmod(path, 0o777)


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
