from flask import Flask, jsonify, request, session
from werkzeug.security import check_password_hash

from .directory import lookup_user

app = Flask(__name__)
app.config.from_prefixed_env()

MAX_FAILURES = 5


@app.post("/auth/login")
def login():
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    user = lookup_user(username)
    if user is None or not check_password_hash(user.password_hash, password):
        app.logger.warning(
            "failed login for user=%r password=%r from %s",
            username, password, request.remote_addr,
        )
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked = True
            user.save()
        return jsonify(error="invalid credentials"), 401
    if user.locked:
        return jsonify(error="account locked"), 423
    user.failed_logins = 0
    user.save()
    session.clear()
    session["uid"] = user.id
    app.logger.info("login ok for user=%r from %s", username, request.remote_addr)
    return jsonify(status="ok")
