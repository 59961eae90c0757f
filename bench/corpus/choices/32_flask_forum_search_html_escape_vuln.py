import html

from flask import Flask, request

from forum.search import find_threads

app = Flask(__name__)

PAGE = """<!doctype html>
<html><head><title>Search</title></head>
<body>
<form action="/search"><input name="q"><button>Search</button></form>
<p>{count} thread(s) matching <strong>{q}</strong></p>
<ul>{items}</ul>
</body></html>"""


def _item(thread):
    return '<li><a href="/t/%d">%s</a> (%d replies)</li>' % (
        thread.id, html.escape(thread.title), thread.reply_count)


@app.route("/search")
def search():
    raw = request.args.get("q", "")[:200]
    threads = find_threads(raw) if raw else []
    items = "".join(_item(t) for t in threads)
    return PAGE.format(q=raw, count=len(threads), items=items)


@app.route("/t/<int:thread_id>")
def thread(thread_id):
    return "thread %d" % thread_id
