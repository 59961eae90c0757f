import logging
import os

from aiohttp import web

log = logging.getLogger("downloads")
DIST_DIR = "/srv/dist"


async def download(request: web.Request) -> web.StreamResponse:
    release = request.match_info["release"]
    platform = request.query.get("platform", "linux-x86_64")
    ua = request.headers.get("User-Agent", "")
    log.info(f"download release={release} platform={platform} ua={ua}")
    name = f"tool-{release}-{platform}.tar.gz"
    if os.sep in name or name.startswith("."):
        raise web.HTTPBadRequest()
    path = os.path.join(DIST_DIR, name)
    if not os.path.exists(path):
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Content-Disposition": f"attachment; filename={name}"})


def make_app():
    app = web.Application()
    app.router.add_get("/download/{release}", download)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    web.run_app(make_app())
