"""Accept gzip-encoded telemetry batches from field devices (authenticated by the mTLS ingress)."""
import json
import zlib

from aiohttp import web

MAX_BODY = 2 * 1024 * 1024


@web.middleware
async def gunzip_body(request, handler):
    if request.headers.get("Content-Encoding", "").lower() == "gzip":
        compressed = await request.read()
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        body = inflater.decompress(compressed, MAX_BODY)
        if inflater.unconsumed_tail:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=MAX_BODY + 1)
        request["body"] = body
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
