import secrets

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFProtect

from dashboard.models import ApiKey, db

csrf = CSRFProtect()
bp = Blueprint("settings", __name__)


@bp.route("/settings/api-key/rotate", methods=["POST"])
@login_required
def rotate_api_key():
    """Invalidate the current key and issue a new one (form button on /settings)."""
    key = ApiKey.query.filter_by(user_id=current_user.id, active=True).first()
    if key is not None:
        key.active = False
    new_key = ApiKey(user_id=current_user.id, secret=secrets.token_urlsafe(32), active=True)
    db.session.add(new_key)
    db.session.commit()
    flash("A new API key was generated. Copy it now, it will not be shown again.")
    return redirect(url_for("settings.show_key", key_id=new_key.id))


@bp.route("/settings/api-key/<int:key_id>")
@login_required
def show_key(key_id):
    key = ApiKey.query.filter_by(id=key_id, user_id=current_user.id).first_or_404()
    return {"key": key.secret}


def init_app(app):
    csrf.init_app(app)
    app.register_blueprint(bp)
