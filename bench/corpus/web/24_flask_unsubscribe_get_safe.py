from flask import Flask, redirect, render_template, session, url_for
from flask_login import LoginManager, current_user, login_required, logout_user
from flask_wtf.csrf import CSRFProtect

from newsletter.models import Subscriber, db

app = Flask(__name__)
app.config.from_object("newsletter.settings")
csrf = CSRFProtect(app)
login_manager = LoginManager(app)
db.init_app(app)


@app.route("/account")
@login_required
def account():
    return render_template("account.html", user=current_user)


@app.route("/account/close", methods=["POST"])
@login_required
def close_account():
    sub = Subscriber.query.get_or_404(current_user.id)
    sub.active = False
    sub.email_opt_in = False
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("goodbye"))


@app.route("/goodbye")
def goodbye():
    return render_template("goodbye.html")
