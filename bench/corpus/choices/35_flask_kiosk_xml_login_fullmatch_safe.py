"""Staff login for the warehouse kiosks; accounts live in an XML file the
badge system exports every night."""
import re

from flask import Flask, jsonify, request, session
from lxml import etree

app = Flask(__name__)
app.config.from_envvar("KIOSK_SETTINGS")

STAFF_FILE = "/var/lib/kiosk/staff.xml"
NAME_RE = re.compile(r"[a-z][a-z0-9_.]{1,31}")
PIN_RE = re.compile(r"[0-9]{6,8}")


def _staff_tree():
    return etree.parse(STAFF_FILE)


@app.post("/kiosk/login")
def login():
    name = request.form.get("name", "")
    pin = request.form.get("pin", "")
    if not NAME_RE.fullmatch(name) or not PIN_RE.fullmatch(pin):
        return jsonify(error="a login name and a 6-8 digit PIN are required"), 400
    query = "/staff/member[login='%s' and pin='%s' and @active='true']" % (name, pin)
    found = _staff_tree().xpath(query)
    if not found:
        return jsonify(error="unknown name or PIN"), 401
    session.clear()
    session["staff"] = found[0].get("id")
    session["zone"] = found[0].findtext("zone", default="")
    return jsonify(id=session["staff"], zone=session["zone"])
