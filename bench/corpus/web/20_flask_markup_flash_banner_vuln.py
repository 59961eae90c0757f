from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from shop.models import Wishlist, db

bp = Blueprint("wishlist", __name__)


@bp.route("/wishlists", methods=["POST"])
@login_required
def create_wishlist():
    title = request.form.get("title", "").strip()[:120]
    if not title:
        flash("Please give your wishlist a name.", "error")
        return redirect(url_for("wishlist.index"))
    wl = Wishlist(owner_id=current_user.id, title=title)
    db.session.add(wl)
    db.session.commit()
    banner = Markup(f'Created <a href="/wishlists/{wl.id}">{title}</a>.')
    flash(banner, "success")
    return redirect(url_for("wishlist.index"))


@bp.route("/wishlists")
@login_required
def index():
    lists = Wishlist.query.filter_by(owner_id=current_user.id).all()
    return render_template("wishlist/index.html", wishlists=lists)
