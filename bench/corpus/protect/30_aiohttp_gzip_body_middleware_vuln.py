"""Accept gzip-encoded telemetry batches from field devices (authenticated by the mTLS ingress)."""
import gzip
import json

from aiohttp import web

MAX_BODY = 2 * 1024 * 1024


@web.middleware
async def gunzip_body(request, handler):
    if request.headers.get("Content-Encoding", "").lower() == "gzip":
        compressed = await request.read()
        request["body"] = gzip.decompress(compressed)
    else:
        request["body"] = await request.read()
    return await handler(request)


async def telemetry(request):
    try:
        batch = json.loads(request["body"])
    except ValueError:
        raise web.HTTPBadRequest(text="body is not JSON")
    store = request.app["store"]
    for reading in batch.get("readings", []):
        await store.append(batch["device"], reading)
    return web.json_response({"stored": len(batch.get("readings", []))})


def make_app(store):
    app = web.Application(middlewares=[gunzip_body], client_max_size=MAX_BODY)
    app["store"] = store
    app.router.add_post("/telemetry", telemetry)
    return app
