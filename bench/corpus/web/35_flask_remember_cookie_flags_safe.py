import datetime
import secrets

from flask import Blueprint, make_response, redirect, request, url_for
from werkzeug.security import check_password_hash

from portal.models import RememberToken, User, db

bp = Blueprint("auth", __name__)
REMEMBER_DAYS = 30


@bp.route("/login", methods=["POST"])
def login():
    user = User.query.filter_by(email=request.form.get("email", "").lower()).first()
    if user is None or not check_password_hash(user.password_hash, request.form.get("password", "")):
        return redirect(url_for("auth.login_form", failed=1))
    resp = make_response(redirect(url_for("dashboard.home")))
    if request.form.get("remember") == "on":
        token = secrets.token_urlsafe(32)
        expires = datetime.datetime.utcnow() + datetime.timedelta(days=REMEMBER_DAYS)
        db.session.add(RememberToken(user_id=user.id, token=token, expires_at=expires))
        db.session.commit()
        resp.set_cookie(
            "remember_token", token, expires=expires, path="/",
            secure=True, httponly=True, samesite="Lax",
        )
    return resp


@bp.route("/login")
def login_form():
    return "login form"
