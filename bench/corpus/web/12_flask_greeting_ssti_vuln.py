from flask import Flask, render_template_string, request, session

app = Flask(__name__)
app.config.from_envvar("PORTAL_SETTINGS")

PAGE = """
<!doctype html>
<html>
  <head><title>Welcome</title></head>
  <body>
    <h1>Hello %s!</h1>
    <p>You have {{ unread }} unread messages.</p>
  </body>
</html>
"""


def unread_count(user_id):
    from portal.messages import count_unread
    return count_unread(user_id)


@app.route("/welcome")
def welcome():
    name = request.args.get("name") or session.get("display_name", "guest")
    unread = unread_count(session.get("user_id"))
    return render_template_string(PAGE % name, unread=unread)
