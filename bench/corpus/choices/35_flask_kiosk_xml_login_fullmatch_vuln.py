"""Staff login for the warehouse kiosks; accounts live in an XML file the
badge system exports every night."""
from flask import Flask, jsonify, request, session
from lxml import etree

app = Flask(__name__)
app.config.from_envvar("KIOSK_SETTINGS")

STAFF_FILE = "/var/lib/kiosk/staff.xml"


def _staff_tree():
    return etree.parse(STAFF_FILE)


@app.post("/kiosk/login")
def login():
    name = request.form.get("name", "")
    pin = request.form.get("pin", "")
    if not name or not pin:
        return jsonify(error="name and PIN are required"), 400
    query = "/staff/member[login='%s' and pin='%s' and @active='true']" % (name, pin)
    found = _staff_tree().xpath(query)
    if not found:
        return jsonify(error="unknown name or PIN"), 401
    session.clear()
    session["staff"] = found[0].get("id")
    session["zone"] = found[0].findtext("zone", default="")
    return jsonify(id=session["staff"], zone=session["zone"])
