import ipaddress
import subprocess

from flask import Blueprint, abort, jsonify, request
from portal.auth import admin_required

bp = Blueprint("diagnostics", __name__, url_prefix="/admin/diag")

TOOLS = {"ping": ["ping", "-c", "3", "-W", "2"], "trace": ["traceroute", "-m", "15"]}


@bp.route("/run", methods=["POST"])
@admin_required
def run_diagnostic():
    payload = request.get_json(silent=True) or {}
    tool = payload.get("tool", "ping")
    target = str(payload.get("target", "")).strip()
    if tool not in TOOLS or not target:
        abort(400)
    try:
        ipaddress.ip_address(target)
        kind = "ip"
    except ValueError:
        kind = "hostname"
    proc = subprocess.run(
        " ".join(TOOLS[tool]) + " " + target,
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return jsonify(
        {
            "target": target,
            "kind": kind,
            "rc": proc.returncode,
            "output": proc.stdout[-8000:],
        }
    )
