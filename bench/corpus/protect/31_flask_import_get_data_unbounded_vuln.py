"""CSV import endpoint for the contacts service."""
import csv
import io

from flask import Flask, abort, jsonify, request
from flask_login import login_required

from .contacts import bulk_upsert

app = Flask(__name__)
REQUIRED = {"email", "first_name", "last_name"}


@app.post("/contacts/import")
@login_required
def import_contacts():
    if request.mimetype != "text/csv":
        abort(415)
    raw = request.get_data()
    text = raw.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    if not REQUIRED.issubset(reader.fieldnames or []):
        abort(400, "missing columns: %s" % ", ".join(sorted(REQUIRED - set(reader.fieldnames or []))))
    rows, errors = [], []
    for n, row in enumerate(reader, 2):
        if "@" not in (row.get("email") or ""):
            errors.append({"row": n, "error": "bad email"})
            continue
        rows.append(row)
    count = bulk_upsert(rows)
    return jsonify(imported=count, errors=errors[:100])
