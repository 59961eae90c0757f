import json
import os

from flask import Flask, abort, redirect, render_template, request, session

app = Flask(__name__)
app.config.from_envvar("SHOP_SETTINGS")

LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locales")
SUPPORTED = {"en": "English", "de": "Deutsch", "fr": "Français", "pt-BR": "Português"}


@app.route("/language")
def set_language():
    code = request.args.get("code", "en")
    if code not in SUPPORTED:
        abort(400)
    session["lang"] = code
    return redirect(request.referrer or "/")


def _messages():
    lang = session.get("lang", "en")
    with open(os.path.join(LOCALE_DIR, lang + ".json"), encoding="utf-8") as handle:
        return json.load(handle)


@app.route("/")
def home():
    return render_template("home.html", messages=_messages(), languages=SUPPORTED)
