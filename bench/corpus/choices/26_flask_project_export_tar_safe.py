import os
import shlex
import subprocess
import uuid

from flask import Blueprint, abort, g, jsonify, request, send_file

from studio.auth import login_required
from studio.projects import project_dir

bp = Blueprint("export", __name__)
EXPORT_DIR = "/var/lib/studio/exports"


@bp.route("/projects/<int:project_id>/export", methods=["POST"])
@login_required
def export_project(project_id):
    root = project_dir(g.user.id, project_id)
    if root is None:
        abort(404)
    options = request.get_json(silent=True) or {}
    label = "".join(c for c in str(options.get("label", "export")) if c.isalnum() or c in "-_")[:40]
    exclude = str(options.get("exclude", "*.tmp"))
    target = os.path.join(EXPORT_DIR, "%s-%s.tar.gz" % (uuid.uuid4().hex, label or "export"))
    cmd = "tar czf %s --exclude=%s -C %s ." % (shlex.quote(target), shlex.quote(exclude), shlex.quote(root))
    proc = subprocess.run(cmd, shell=True, capture_output=True, timeout=300)
    if proc.returncode != 0:
        return jsonify(error="export failed"), 500
    return jsonify(download=os.path.basename(target)), 201


@bp.route("/exports/<name>")
@login_required
def download(name):
    path = os.path.join(EXPORT_DIR, os.path.basename(name))
    if not os.path.isfile(path):
        abort(404)
    return send_file(path, as_attachment=True)
