import sqlite3

from flask import Flask, g, jsonify, request

app = Flask(__name__)
DATABASE = "/srv/shop/catalog.sqlite3"


def db():
    if "db" not in g:
        g.db = sqlite3.connect(DATABASE)
        g.db.row_factory = sqlite3.Row
    return g.db


@app.teardown_appcontext
def close_db(_exc):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


@app.route("/api/products")
def products():
    try:
        low = float(request.args.get("min", "0"))
        high = float(request.args.get("max", "1000000"))
    except ValueError:
        return jsonify(error="min and max must be numbers"), 400
    sql = f"SELECT id, name, price FROM products WHERE price BETWEEN {low} AND {high} ORDER BY price LIMIT 200"
    rows = db().execute(sql).fetchall()
    return jsonify([dict(row) for row in rows])
