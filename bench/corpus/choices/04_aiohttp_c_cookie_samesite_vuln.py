import secrets

from aiohttp import web

from billing.accounts import check_login, load_account
from billing.sessions import SessionStore

routes = web.RouteTableDef()
store = SessionStore()


async def current_account(request):
    handle = request.cookies.get("c")
    account_id = await store.lookup(handle) if handle else None
    if account_id is None:
        raise web.HTTPUnauthorized()
    return await load_account(account_id)


@routes.post("/login")
async def login(request):
    form = await request.post()
    account_id = await check_login(form.get("email", ""), form.get("password", ""))
    if account_id is None:
        raise web.HTTPUnauthorized(text="bad credentials")
    handle = secrets.token_urlsafe(32)
    await store.save(handle, account_id, ttl=3600)
    resp = web.HTTPSeeOther("/billing")
    resp.set_cookie("c", handle, max_age=3600, secure=True, httponly=True, samesite="None")
    raise resp


@routes.post("/billing/payout-account")
async def change_payout_account(request):
    account = await current_account(request)
    form = await request.post()
    account.payout_iban = form["iban"].replace(" ", "")
    await account.save()
    raise web.HTTPSeeOther("/billing")


app = web.Application()
app.add_routes(routes)
