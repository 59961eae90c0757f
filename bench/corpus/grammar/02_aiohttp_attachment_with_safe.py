"""Attachment download that also writes an access record (parenthesized context managers, 3.10)."""
import os
import time

from aiohttp import web

ATTACHMENTS = "/srv/helpdesk/attachments"


async def download(request):
    name = os.path.basename(request.match_info["name"])
    path = os.path.realpath(os.path.join(ATTACHMENTS, name))
    if os.path.commonpath([path, ATTACHMENTS]) != ATTACHMENTS:
        raise web.HTTPNotFound()
    with (open(path, "rb") as blob,
          open("/var/log/helpdesk/downloads.log", "a") as log):
        log.write(f"{time.time():.0f} {request.remote} {name}\n")
        body = blob.read()
    return web.Response(body=body, content_type="application/octet-stream")


app = web.Application()
app.router.add_get("/attachments/{name}", download)
