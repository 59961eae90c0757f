"""Minimal WSGI app that accepts build artifacts from CI runners.

Deployed behind the mTLS proxy, which only admits runner certificates.
"""
import hashlib
import json
import os

ARTIFACT_DIR = os.environ.get("ARTIFACT_DIR", "/srv/artifacts")
MAX_ARTIFACT = 64 * 1024 * 1024


def _respond(start_response, status, payload):
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]


def application(environ, start_response):
    if environ["REQUEST_METHOD"] != "PUT":
        return _respond(start_response, "405 Method Not Allowed", {"error": "PUT only"})
    name = os.path.basename(environ.get("PATH_INFO", ""))
    if not name:
        return _respond(start_response, "400 Bad Request", {"error": "missing name"})
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _respond(start_response, "400 Bad Request", {"error": "bad length"})
    if length > MAX_ARTIFACT:
        return _respond(start_response, "413 Payload Too Large", {"error": "too large"})
    data = environ["wsgi.input"].read(length)
    digest = hashlib.sha256(data).hexdigest()
    if environ.get("HTTP_X_ARTIFACT_SHA256") != digest:
        return _respond(start_response, "422 Unprocessable Entity", {"error": "digest mismatch"})
    with open(os.path.join(ARTIFACT_DIR, name), "wb") as fh:
        fh.write(data)
    return _respond(start_response, "201 Created", {"name": name, "sha256": digest})
