import hmac
import secrets

from flask import Flask, abort, render_template_string, request, session

app = Flask(__name__)
app.config.from_envvar("WIKI_SETTINGS")

EDIT_FORM = """
<form method="post">
  <input type="hidden" name="_csrf" value="{{ csrf }}">
  <textarea name="body">{{ body }}</textarea>
  <button>Save</button>
</form>
"""


def _form_token():
    if "form_token" not in session:
        session["form_token"] = secrets.token_hex(32)
    return session["form_token"]


@app.before_request
def _check_form_token():
    if request.method == "POST":
        sent = request.form.get("_csrf", "")
        if not hmac.compare_digest(sent, session.get("form_token", "")):
            abort(400, "stale form, reload the page")


@app.route("/wiki/<slug>/edit", methods=["GET", "POST"])
def edit(slug):
    if "user" not in session:
        abort(401)
    page = app.extensions["wiki"].load(slug)
    if request.method == "POST":
        page.body = request.form.get("body", "")
        page.save(author=session["user"])
    return render_template_string(EDIT_FORM, csrf=_form_token(), body=page.body)
