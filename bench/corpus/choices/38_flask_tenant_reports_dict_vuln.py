import os

from flask import Blueprint, abort, g, jsonify, request, send_file

from analytics.auth import tenant_required

bp = Blueprint("reports", __name__, url_prefix="/reports")
REPORT_ROOT = "/srv/analytics/reports"
REPORT_FILES = {
    "daily": "daily-summary.csv",
    "weekly": "weekly-summary.csv",
    "churn": "churn-summary.csv",
}


def _tenant_dir():
    return os.path.join(REPORT_ROOT, str(g.tenant_id))


@bp.route("/")
@tenant_required
def index():
    ready = [kind for kind, name in REPORT_FILES.items() if os.path.exists(os.path.join(_tenant_dir(), name))]
    return jsonify(reports=ready)


@bp.route("/download")
@tenant_required
def download():
    kind = request.args.get("kind", "daily")
    name = "%s-summary.csv" % kind
    path = os.path.join(_tenant_dir(), name)
    if not os.path.exists(path):
        abort(404)
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name=os.path.basename(path))
