"""Metrics ingest endpoint served directly over TLS by aiohttp."""
import argparse
import ssl

from aiohttp import web

routes = web.RouteTableDef()


@routes.post("/v1/metrics")
async def ingest(request):
    points = await request.json()
    if not isinstance(points, list):
        raise web.HTTPBadRequest(text="expected a list of points")
    queue = request.app["queue"]
    for point in points[:5000]:
        await queue.put(point)
    return web.json_response({"accepted": min(len(points), 5000)})


def build_ssl_context(certfile, keyfile, client_ca):
    # Mutual TLS: only collectors holding a certificate from our CA may post.
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=client_ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.load_cert_chain(certfile, keyfile)
    return ctx


def main():
    import asyncio

    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--client-ca", required=True)
    parser.add_argument("--port", type=int, default=8443)
    args = parser.parse_args()
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app["queue"] = asyncio.Queue(maxsize=100000)
    app.add_routes(routes)
    web.run_app(app, port=args.port, ssl_context=build_ssl_context(args.cert, args.key, args.client_ca))


if __name__ == "__main__":
    main()
