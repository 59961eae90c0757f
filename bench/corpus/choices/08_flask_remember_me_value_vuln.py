import random
from datetime import datetime, timedelta

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.security import check_password_hash

from notes.models import LongLivedLogin, User, db

bp = Blueprint("login", __name__)
KEEP_FOR = timedelta(days=60)


def _issue_long_lived(user):
    value = str(random.random())[2:]
    db.session.add(LongLivedLogin(user_id=user.id, value=value, until=datetime.utcnow() + KEEP_FOR))
    db.session.commit()
    return value


@bp.route("/login", methods=["POST"])
def login():
    user = User.query.filter_by(name=request.form.get("name", "")).first()
    if user is None or not check_password_hash(user.pw_hash, request.form.get("password", "")):
        return redirect(url_for("login.form", e=1))
    session.clear()
    session["uid"] = user.id
    resp = redirect(url_for("notes.index"))
    if request.form.get("keep"):
        kept = _issue_long_lived(user)
        session["keep"] = kept
        resp.set_cookie("keep", kept, max_age=int(KEEP_FOR.total_seconds()), secure=True, httponly=True)
    return resp


@bp.route("/resume")
def resume():
    row = LongLivedLogin.query.filter_by(value=request.cookies.get("keep", "")).first()
    if row is None or row.until < datetime.utcnow():
        return redirect(url_for("login.form"))
    session["uid"] = row.user_id
    return redirect(url_for("notes.index"))


@bp.route("/login")
def form():
    return "login form"
