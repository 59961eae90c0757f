import html
import os

from aiohttp import web

SHARE_ROOT = "/srv/share"


async def listing(request: web.Request) -> web.Response:
    sub = request.match_info.get("sub", "")
    base = os.path.realpath(os.path.join(SHARE_ROOT, sub))
    if not base.startswith(SHARE_ROOT + os.sep) and base != SHARE_ROOT:
        raise web.HTTPForbidden()
    if not os.path.isdir(base):
        raise web.HTTPNotFound()
    rows = []
    for entry in sorted(os.scandir(base), key=lambda e: e.name):
        size = entry.stat().st_size if entry.is_file() else "-"
        rows.append(f"<tr><td><a href='{entry.name}'>{entry.name}</a></td><td>{size}</td></tr>")
    page = (
        f"<html><head><title>Index of /{html.escape(sub)}</title></head><body>"
        f"<h1>Index of /{html.escape(sub)}</h1><table>{''.join(rows)}</table>"
        "</body></html>"
    )
    return web.Response(text=page, content_type="text/html")


app = web.Application()
app.router.add_get("/share/{sub:.*}", listing)
