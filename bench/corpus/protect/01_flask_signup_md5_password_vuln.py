import hashlib
import os

from flask import Blueprint, jsonify, request

from .db import get_session
from .models import User

bp = Blueprint("accounts", __name__, url_prefix="/api/accounts")


def _hash_password(password):
    salt = os.urandom(16).hex()
    digest = hashlib.md5((salt + password).encode("utf-8")).hexdigest()
    return "%s$%s" % (salt, digest)


@bp.route("/signup", methods=["POST"])
def signup():
    payload = request.get_json(force=True) or {}
    email = (payload.get("email") or "").strip().lower()
    password = payload.get("password") or ""
    if not email or len(password) < 10:
        return jsonify(error="email and a 10+ character password are required"), 400

    session = get_session()
    if session.query(User).filter_by(email=email).first():
        return jsonify(error="account exists"), 409

    user = User(email=email, password_hash=_hash_password(password))
    session.add(user)
    session.commit()
    return jsonify(id=user.id, email=user.email), 201
