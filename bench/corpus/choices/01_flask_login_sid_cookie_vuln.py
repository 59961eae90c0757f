import secrets
import time

from flask import Blueprint, jsonify, make_response, request
from werkzeug.security import check_password_hash

from shop.db import sessions, users

bp = Blueprint("auth", __name__, url_prefix="/auth")
SESSION_TTL = 8 * 3600


def _open_session(user_id):
    sid = secrets.token_urlsafe(32)
    sessions.insert(sid=sid, user_id=user_id, expires_at=int(time.time()) + SESSION_TTL)
    return sid


@bp.route("/login", methods=["POST"])
def login():
    form = request.get_json(silent=True) or {}
    user = users.find_one(email=str(form.get("email", "")).lower())
    if user is None or not check_password_hash(user["password_hash"], str(form.get("password", ""))):
        return jsonify(error="invalid credentials"), 401
    sid = _open_session(user["id"])
    resp = make_response(jsonify(id=user["id"], name=user["name"]))
    resp.set_cookie("sid", sid, max_age=SESSION_TTL, httponly=True, secure=False, samesite="Lax")
    return resp


@bp.route("/logout", methods=["POST"])
def logout():
    sid = request.cookies.get("sid")
    if sid:
        sessions.delete(sid=sid)
    resp = make_response(jsonify(ok=True))
    resp.delete_cookie("sid")
    return resp
