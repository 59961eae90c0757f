import os

from flask import Flask, jsonify, request

from inventory.db import Session
from inventory.models import Item


def create_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["INVENTORY_SECRET_KEY"]

    @app.route("/items")
    def list_items():
        session = Session()
        try:
            q = session.query(Item)
            if "sku" in request.args:
                q = q.filter(Item.sku == request.args["sku"])
            return jsonify([i.to_dict() for i in q.limit(500)])
        finally:
            session.close()

    @app.route("/items/<int:item_id>")
    def get_item(item_id):
        session = Session()
        try:
            item = session.get(Item, item_id)
            return (jsonify(item.to_dict()), 200) if item else ("", 404)
        finally:
            session.close()

    return app


app = create_app()

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8000)), debug=True)
