import hmac
import secrets

from flask import Flask, abort, render_template, request, session

from forum.models import Post, db

app = Flask(__name__)
app.config.from_object("forum.config")


@app.before_request
def ensure_csrf_token():
    if "csrf_token" not in session:
        session["csrf_token"] = secrets.token_hex(32)


@app.before_request
def check_csrf():
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    token = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
    if not token or not hmac.compare_digest(token, session.get("csrf_token", "")):
        abort(403)


@app.route("/posts/<int:post_id>/delete", methods=["POST"])
def delete_post(post_id):
    post = Post.query.get_or_404(post_id)
    if post.author_id != session.get("user_id"):
        abort(403)
    db.session.delete(post)
    db.session.commit()
    return render_template("deleted.html", post=post)
