"""Small log viewer used by support staff."""
import os
import re

from flask import Flask, abort, jsonify, request

from .auth import require_role

app = Flask(__name__)
LOG_DIR = os.environ.get("LOG_DIR", "/var/log/app")
MAX_HITS = 200


def _log_path(name):
    if name not in os.listdir(LOG_DIR):
        abort(404)
    return os.path.join(LOG_DIR, name)


@app.get("/logs/<name>/search")
@require_role("support")
def search(name):
    query = request.args.get("q", "")
    if not query or len(query) > 200:
        abort(400)
    pattern = re.compile(query, re.IGNORECASE)
    hits = []
    with open(_log_path(name), encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if pattern.search(line):
                hits.append({"line": lineno, "text": line.rstrip()[:500]})
                if len(hits) >= MAX_HITS:
                    break
    return jsonify(file=name, query=query, hits=hits)
