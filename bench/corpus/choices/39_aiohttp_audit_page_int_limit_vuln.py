from aiohttp import web

from ops.auth import require_role

COLUMNS = "id, at, actor, action, target"


@require_role("auditor")
async def audit_events(request):
    limit = request.query.get("limit", "50")
    offset = request.query.get("offset", "0")
    actor = request.query.get("actor")
    where, params = "", []
    if actor:
        where, params = "WHERE actor = $1", [actor]
    sql = f"SELECT {COLUMNS} FROM audit_events {where} ORDER BY at DESC LIMIT {limit} OFFSET {offset}"
    async with request.app["pool"].acquire() as conn:
        rows = await conn.fetch(sql, *params)
    return web.json_response([
        {"id": r["id"], "at": r["at"].isoformat(), "actor": r["actor"], "action": r["action"], "target": r["target"]}
        for r in rows
    ])


def make_app(pool):
    app = web.Application()
    app["pool"] = pool
    app.router.add_get("/audit/events", audit_events)
    return app
