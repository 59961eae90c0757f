"""Single sign-on callback of the reporting app. The identity provider's access
token is kept in a short cookie ("t") that the reporting API reads back."""
import requests
from flask import Flask, abort, redirect, request, session

app = Flask(__name__)
app.config.from_envvar("REPORTS_SETTINGS")


def _exchange(code):
    resp = requests.post(
        app.config["IDP_TOKEN_URL"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.config["IDP_REDIRECT_URI"],
            "client_id": app.config["IDP_CLIENT_ID"],
            "client_secret": app.config["IDP_CLIENT_SECRET"],
        },
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json()


@app.route("/sso/callback")
def sso_callback():
    if request.args.get("state") != session.pop("sso_state", None):
        abort(400)
    grant = _exchange(request.args.get("code", ""))
    resp = redirect("/reports")
    resp.set_cookie("t", grant["access_token"], max_age=int(grant.get("expires_in", 3600)), secure=False, httponly=True)
    return resp


@app.route("/api/reports")
def reports_api():
    token = request.cookies.get("t")
    if not token:
        abort(401)
    upstream = requests.get(app.config["REPORTS_BACKEND"] + "/reports",
                            headers={"Authorization": "Bearer " + token}, timeout=15)
    return upstream.content, upstream.status_code, {"Content-Type": "application/json"}
