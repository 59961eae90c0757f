import base64
import pickle

from flask import Flask, jsonify, make_response, request

from .catalogue import get_product

app = Flask(__name__)
COOKIE = "cart"


def load_cart():
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        return pickle.loads(base64.urlsafe_b64decode(raw))
    except Exception:
        return {}


def save_cart(resp, cart):
    blob = base64.urlsafe_b64encode(pickle.dumps(cart)).decode()
    resp.set_cookie(COOKIE, blob, httponly=True, secure=True, samesite="Lax")
    return resp


@app.post("/cart/items")
def add_item():
    sku = request.form["sku"]
    qty = request.form.get("qty", "1")
    if not qty.isdigit():
        return jsonify(error="qty must be a number"), 400
    qty = max(1, min(int(qty), 99))
    if get_product(sku) is None:
        return jsonify(error="unknown product"), 404
    cart = load_cart()
    cart[sku] = cart.get(sku, 0) + qty
    return save_cart(make_response(jsonify(cart=cart)), cart)


@app.get("/cart")
def show_cart():
    return jsonify(cart=load_cart())
