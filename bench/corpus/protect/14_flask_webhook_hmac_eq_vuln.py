import hashlib
import hmac
import json
import os

from flask import Flask, abort, request

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 512 * 1024
WEBHOOK_SECRET = os.environ["BILLING_WEBHOOK_SECRET"].encode()


def _expected_signature(body):
    return "sha256=" + hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()


@app.route("/hooks/billing", methods=["POST"])
def billing_hook():
    body = request.get_data(cache=False)
    received = request.headers.get("X-Billing-Signature", "")
    if received != _expected_signature(body):
        abort(401)
    event = json.loads(body)
    kind = event.get("type")
    if kind == "invoice.paid":
        app.logger.info("invoice %s paid", event["data"]["id"])
    elif kind == "subscription.cancelled":
        app.logger.info("subscription %s cancelled", event["data"]["id"])
    else:
        app.logger.debug("ignoring billing event %s", kind)
    return "", 204


if __name__ == "__main__":
    app.run(port=8081)
