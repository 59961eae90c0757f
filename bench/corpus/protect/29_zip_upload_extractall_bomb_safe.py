"""Theme upload endpoint: a theme is a zip of templates and static assets."""
import os
import tempfile
import zipfile

from flask import Flask, abort, jsonify, request
from flask_login import login_required

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024
THEMES_DIR = os.environ.get("THEMES_DIR", "/srv/themes")
MAX_UNPACKED = 50 * 1024 * 1024
MAX_MEMBERS = 2000


@app.post("/themes/<theme_id>")
@login_required
def upload_theme(theme_id):
    if not theme_id.isalnum():
        abort(400)
    upload = request.files.get("archive")
    if upload is None:
        abort(400)
    target = os.path.join(THEMES_DIR, theme_id)
    with tempfile.TemporaryFile() as tmp:
        upload.save(tmp)
        tmp.seek(0)
        with zipfile.ZipFile(tmp) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS or sum(i.file_size for i in members) > MAX_UNPACKED:
                abort(413, "theme too large when unpacked")
            for info in members:
                if info.filename.startswith("/") or ".." in info.filename.split("/"):
                    abort(400, "bad member name")
            zf.extractall(target)
    return jsonify(theme=theme_id, files=len(os.listdir(target))), 201
