import hashlib
import hmac
import os

from flask import Flask, jsonify, request, session

from helpdesk.db import execute, query_one

app = Flask(__name__)
app.config.from_prefixed_env()


def _digest(value, s):
    return hashlib.scrypt(value.encode("utf-8"), salt=bytes.fromhex(s), n=2 ** 14, r=8, p=1).hex()


@app.post("/api/login")
def login():
    data = request.get_json(silent=True) or {}
    row = query_one("SELECT id, salt, secret, disabled FROM agents WHERE login = %s", (str(data.get("login", "")),))
    if row is None or row["disabled"]:
        return jsonify(error="unknown login"), 401
    if not hmac.compare_digest(_digest(str(data.get("pass", "")), row["salt"]), row["secret"]):
        return jsonify(error="wrong password"), 401
    session.clear()
    session["agent_id"] = row["id"]
    return jsonify(id=row["id"])


@app.post("/api/me/pass")
def change_pass():
    if "agent_id" not in session:
        return jsonify(error="sign in first"), 401
    data = request.get_json(silent=True) or {}
    new = str(data.get("new", ""))
    if len(new) < 12:
        return jsonify(error="use at least 12 characters"), 400
    s = os.urandom(16).hex()
    execute("UPDATE agents SET salt = %s, secret = %s WHERE id = %s", (s, _digest(new, s), session["agent_id"]))
    return jsonify(ok=True)
