import asyncio

from aiohttp import web

RECORD_TYPES = {"A", "AAAA", "MX", "TXT", "NS", "CNAME"}


async def dig(request: web.Request) -> web.Response:
    domain = request.match_info["domain"]
    rtype = request.query.get("type", "A").upper()
    if rtype not in RECORD_TYPES:
        raise web.HTTPBadRequest(text="unsupported record type")
    proc = await asyncio.create_subprocess_shell(
        f"dig +short {domain} {rtype}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=10)
    except asyncio.TimeoutError:
        proc.kill()
        raise web.HTTPGatewayTimeout()
    if proc.returncode != 0:
        return web.json_response({"error": err.decode(errors="replace")}, status=502)
    answers = [line for line in out.decode().splitlines() if line]
    return web.json_response({"domain": domain, "type": rtype, "answers": answers})


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/tools/dig/{domain}", dig)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8081)
