"""Sales report export: the format picks the query (Python 3.10 `match`)."""
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


def _db():
    return sqlite3.connect("/var/lib/sales/sales.db")


@app.route("/reports/sales")
def sales_report():
    region = request.args.get("region", "EU")
    match request.args.get("period", "month"):
        case "day":
            column = "sold_on"
        case "month":
            column = "strftime('%Y-%m', sold_on)"
        case _:
            return jsonify(error="unknown period"), 400
    sql = f"SELECT {column}, SUM(amount) FROM sales WHERE region = ? GROUP BY 1"
    rows = _db().execute(sql, (region,)).fetchall()
    return jsonify(rows=[list(r) for r in rows])
