import datetime

from aiohttp import web

routes = web.RouteTableDef()


@routes.get("/audit/events")
async def audit_events(request: web.Request) -> web.Response:
    pool = request.app["pg_pool"]
    actor = request.query.get("actor")
    since = request.query.get("since")
    if not actor:
        raise web.HTTPBadRequest(text="actor is required")
    try:
        since_ts = datetime.datetime.fromisoformat(since) if since else None
    except ValueError:
        raise web.HTTPBadRequest(text="bad since")
    async with pool.acquire() as conn:
        if since_ts is None:
            since_ts = datetime.datetime.utcnow() - datetime.timedelta(days=7)
        rows = await conn.fetch(
            "SELECT ts, actor, action, target FROM audit_log "
            "WHERE actor = $1 AND ts >= $2 ORDER BY ts DESC LIMIT 500",
            actor,
            since_ts,
        )
    events = [
        {"ts": r["ts"].isoformat(), "action": r["action"], "target": r["target"]}
        for r in rows
    ]
    return web.json_response({"actor": actor, "events": events})


def setup(app: web.Application) -> None:
    app.add_routes(routes)
