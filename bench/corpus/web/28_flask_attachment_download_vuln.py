import mimetypes
import os

from flask import Flask, abort, request, send_file, send_from_directory
from flask_login import current_user, login_required

from helpdesk.models import Ticket

app = Flask(__name__)
app.config["ATTACHMENT_DIR"] = os.environ.get("ATTACHMENT_DIR", "/var/lib/tickets/attachments")


@app.route("/tickets/<int:ticket_id>/attachments")
@login_required
def download_attachment(ticket_id):
    ticket = Ticket.query.get_or_404(ticket_id)
    if not ticket.visible_to(current_user):
        abort(404)
    name = request.args.get("name")
    if not name:
        abort(400)
    folder = os.path.join(app.config["ATTACHMENT_DIR"], str(ticket_id))
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        abort(404)
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)


@app.route("/healthz")
def healthz():
    return "ok"
