from aiohttp import web
from markupsafe import escape

from newsletter.lists import get_list, remove_subscriber, verify_unsubscribe_signature

PAGE = "<!doctype html><html><body><h1>{title}</h1><p>{message}</p></body></html>"


def _page(title, message, status=200):
    return web.Response(text=PAGE.format(title=title, message=message), content_type="text/html", status=status)


async def unsubscribe(request):
    list_id = request.match_info["list_id"]
    email = request.query.get("email", "")
    signature = request.query.get("sig", "")
    mailing_list = await get_list(request.app["db"], list_id)
    if mailing_list is None:
        return _page("Unknown list", "This mailing list does not exist.", status=404)
    title = "Unsubscribe from %s" % escape(mailing_list.name)
    if not verify_unsubscribe_signature(list_id, email, signature):
        message = "The link for %s is invalid or has expired." % email
        return _page(title, message, status=400)
    await remove_subscriber(request.app["db"], list_id, email)
    return _page(title, "%s will no longer receive this newsletter." % escape(email))


def make_app(db):
    app = web.Application()
    app["db"] = db
    app.router.add_get("/lists/{list_id}/unsubscribe", unsubscribe)
    return app
