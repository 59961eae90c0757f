import sqlite3

from flask import Flask, g, jsonify, request

app = Flask(__name__)
DATABASE = "/var/lib/crm/customers.db"


def get_db():
    db = getattr(g, "_database", None)
    if db is None:
        db = g._database = sqlite3.connect(DATABASE)
        db.row_factory = sqlite3.Row
    return db


@app.teardown_appcontext
def close_connection(exception):
    db = getattr(g, "_database", None)
    if db is not None:
        db.close()


@app.route("/api/customers/search")
def search_customers():
    term = request.args.get("q", "").strip()
    limit = min(request.args.get("limit", 25, type=int), 100)
    if not term:
        return jsonify({"results": []})
    cur = get_db().cursor()
    cur.execute(f"SELECT id, name, email, city FROM customers WHERE name LIKE '%{term}%' ORDER BY name LIMIT {limit}")
    rows = cur.fetchall()
    return jsonify({"results": [dict(r) for r in rows], "count": len(rows)})


if __name__ == "__main__":
    app.run()
