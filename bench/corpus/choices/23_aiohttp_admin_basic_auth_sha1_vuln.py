import base64
import binascii
import hashlib
import hmac

from aiohttp import web

from mailrelay.store import operator_record


def _matches(candidate, record):
    computed = hashlib.sha1(record["salt"] + candidate.encode("utf-8")).digest()
    return hmac.compare_digest(computed, record["digest"])


@web.middleware
async def admin_auth(request, handler):
    if not request.path.startswith("/admin/"):
        return await handler(request)
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    try:
        name, _, candidate = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        name, candidate = "", ""
    record = await operator_record(request.app["db"], name) if scheme.lower() == "basic" else None
    if record is None or not _matches(candidate, record):
        raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Basic realm="relay admin"'})
    request["operator"] = name
    return await handler(request)


async def queue_status(request):
    stats = await request.app["queue"].stats()
    return web.json_response({"operator": request["operator"], **stats})


def make_app(db, queue):
    app = web.Application(middlewares=[admin_auth])
    app["db"], app["queue"] = db, queue
    app.router.add_get("/admin/queue", queue_status)
    return app
