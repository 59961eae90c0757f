import os
import subprocess
import uuid

from aiohttp import web

MEDIA = "/srv/gallery/media"
SIZES = {"small": 160, "medium": 480}


def _make_thumb(src, dst, edge):
    return subprocess.call(["convert", src, "-thumbnail", "%dx%d" % (edge, edge), dst], timeout=60)


async def upload(request):
    reader = await request.multipart()
    field = await reader.next()
    if field is None or field.name != "image":
        raise web.HTTPBadRequest(text="expected an image field")
    stem = uuid.uuid4().hex
    ext = os.path.splitext(field.filename or "")[1].lower()
    original = os.path.join(MEDIA, stem + ext)
    with open(original, "wb") as out:
        while chunk := await field.read_chunk():
            out.write(chunk)
    loop = request.app.loop
    for label, edge in SIZES.items():
        thumb = os.path.join(MEDIA, "%s-%s.jpg" % (stem, label))
        status = await loop.run_in_executor(None, _make_thumb, original, thumb, edge)
        if status != 0:
            raise web.HTTPUnprocessableEntity(text="not an image")
    return web.json_response({"id": stem}, status=201)


app = web.Application(client_max_size=20 * 1024 * 1024)
app.router.add_post("/gallery/upload", upload)
