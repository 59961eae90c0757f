import operator

from flask import Flask, abort, jsonify, request

from alerts.store import list_metrics

app = Flask(__name__)

OPS = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le}


@app.route("/api/alerts/preview", methods=["POST"])
def preview_rule():
    """Preview which metrics an alert rule would fire on.

    Body: {"metric": "cpu", "op": ">", "threshold": "0.9"}
    """
    body = request.get_json(force=True)
    metric = body.get("metric")
    op = OPS.get(body.get("op"))
    if not metric or op is None:
        abort(400)
    raw = str(body.get("threshold", "0"))
    try:
        threshold = eval(raw)
    except Exception:
        abort(400)
    firing = [
        m for m in list_metrics(metric)
        if op(m["value"], threshold)
    ]
    return jsonify({"metric": metric, "firing": firing[:100], "count": len(firing)})
