"""Render the public comment feed for the static site builder's live preview."""
import datetime

from jinja2 import Environment, PackageLoader
from werkzeug.wrappers import Request, Response

from feed.storage import recent_comments

env = Environment(
    loader=PackageLoader("feed", "templates"),
    autoescape=False,
    trim_blocks=True,
)


def _humanize(ts):
    delta = datetime.datetime.utcnow() - ts
    if delta.days:
        return "%d days ago" % delta.days
    return "%d minutes ago" % (delta.seconds // 60)


env.filters["humanize"] = _humanize


@Request.application
def comment_feed(request):
    post_id = request.args.get("post", type=int)
    comments = recent_comments(post_id, limit=50)
    template = env.get_template("comments.html")
    body = template.render(comments=comments, post_id=post_id)
    return Response(body, mimetype="text/html")
