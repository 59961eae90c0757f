"""Minimal auth middleware for an internal aiohttp service."""
import logging

from aiohttp import web

LOG = logging.getLogger(__name__)


def make_auth_middleware(identity_client):

    @web.middleware
    async def auth_middleware(request, handler):
        token = request.headers.get('X-Auth-Token')
        if not token:
            raise web.HTTPUnauthorized()
        try:
            info = await identity_client.validate(token)
            if not info.get('valid'):
                raise web.HTTPUnauthorized()
            request['project_id'] = info.get('project_id')
        except Exception:
            LOG.exception("identity service error while validating token")
        return await handler(request)

    return auth_middleware
