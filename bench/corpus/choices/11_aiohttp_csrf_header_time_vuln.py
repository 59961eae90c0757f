import hashlib
import hmac
import time

from aiohttp import web

from kiosk.sessions import get_session

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _fresh_value(user_id):
    return hashlib.sha256(("%s:%d" % (user_id, int(time.time()))).encode()).hexdigest()


@web.middleware
async def csrf_middleware(request, handler):
    session = await get_session(request)
    if request.method in UNSAFE:
        expected = session.get("csrf", "")
        sent = request.headers.get("X-CSRF-Token", "")
        if not expected or not hmac.compare_digest(expected, sent):
            raise web.HTTPForbidden(text="bad CSRF token")
    return await handler(request)


async def issue_token(request):
    session = await get_session(request)
    session["csrf"] = _fresh_value(session.get("user_id", "anonymous"))
    resp = web.json_response({"ok": True})
    resp.headers["X-CSRF-Token"] = session["csrf"]
    return resp


async def update_profile(request):
    session = await get_session(request)
    data = await request.json()
    await request.app["profiles"].update(session["user_id"], display_name=str(data.get("name", ""))[:64])
    return web.json_response({"ok": True})


def make_app():
    app = web.Application(middlewares=[csrf_middleware])
    app.router.add_get("/api/csrf", issue_token)
    app.router.add_post("/api/profile", update_profile)
    return app
