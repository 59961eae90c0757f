from flask import Blueprint, abort, jsonify, request
from flask_login import current_user, login_required

from mailer.models import Mailbox, db

bp = Blueprint("signatures", __name__, url_prefix="/api/mailboxes")

DEFAULT_SIGNATURE = "--\n{user.display_name}\n{user.title}"


@bp.route("/<int:mailbox_id>/signature/preview", methods=["POST"])
@login_required
def preview_signature(mailbox_id):
    mailbox = Mailbox.query.get_or_404(mailbox_id)
    if mailbox.owner_id != current_user.id:
        abort(403)
    pattern = request.json.get("pattern") or DEFAULT_SIGNATURE
    if len(pattern) > 2000:
        abort(413)
    try:
        signature = pattern.format(user=current_user, mailbox=mailbox)
    except (KeyError, IndexError, AttributeError, ValueError):
        abort(400)
    return jsonify({"preview": signature})


@bp.route("/<int:mailbox_id>/signature", methods=["PUT"])
@login_required
def save_signature(mailbox_id):
    mailbox = Mailbox.query.get_or_404(mailbox_id)
    if mailbox.owner_id != current_user.id:
        abort(403)
    mailbox.signature_pattern = request.json.get("pattern", "")[:2000]
    db.session.commit()
    return jsonify({"ok": True})
