import hmac
import secrets
import time

from flask import Flask, jsonify, request, session
from flask_session import Session

from .mailer import send_code
from .users import find_user

app = Flask(__name__)
app.config.from_envvar("LOGIN_SERVICE_SETTINGS")
app.config["SESSION_TYPE"] = "redis"  # server-side: the pending code never reaches the client
Session(app)

CODE_TTL = 300


@app.post("/login/code")
def send_login_code():
    email = request.form.get("email", "").strip().lower()
    user = find_user(email)
    if user is None:
        return jsonify(status="sent")
    code = "%06d" % secrets.randbelow(1000000)
    session["pending_uid"] = user.id
    session["pending_code"] = code
    session["pending_exp"] = time.time() + CODE_TTL
    send_code(user.email, code)
    return jsonify(status="sent")


@app.post("/login/verify")
def verify_login_code():
    if time.time() > session.get("pending_exp", 0):
        return jsonify(error="expired"), 401
    attempts = session.get("attempts", 0) + 1
    session["attempts"] = attempts
    if attempts > 5:
        return jsonify(error="too many attempts"), 429
    if not hmac.compare_digest(request.form.get("code", ""), session.get("pending_code", "")):
        return jsonify(error="invalid code"), 401
    session["uid"] = session.pop("pending_uid")
    session.pop("pending_code", None)
    return jsonify(status="ok")
