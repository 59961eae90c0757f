from flask import Flask, request
from markupsafe import escape

from kb.search import search_articles

app = Flask(__name__)


def _render_item(article):
    return '<li><a href="/kb/%d">%s</a></li>' % (article.id, escape(article.title))


@app.route("/kb/search")
def kb_search():
    query = request.args.get("q", "")
    page = max(request.args.get("page", 1, type=int), 1)
    articles = search_articles(query, page=page) if query else []
    if articles:
        header = f"<h2>{len(articles)} results for &ldquo;{escape(query)}&rdquo;</h2>"
    else:
        header = "<h2>No results</h2>"
    items = "\n".join(_render_item(a) for a in articles)
    return (
        "<!doctype html><html><body>"
        + header
        + "<ul>" + items + "</ul>"
        + "</body></html>"
    )
