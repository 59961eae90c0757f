"""Parse the X-Service-Catalog-Region header in a WebOb middleware."""
import re

import webob.dec
import webob.exc

_REGION_RE = re.compile(r'^(?P<region>[A-Za-z0-9-]{1,64})(;weight=(?P<weight>\d+))?$')


class RegionRouter(object):
    def __init__(self, app, endpoints):
        self.app = app
        self.endpoints = endpoints

    @webob.dec.wsgify
    def __call__(self, req):
        header = req.headers.get('X-Service-Catalog-Region', 'RegionOne')
        match = _REGION_RE.match(header)
        if match is None:
            raise webob.exc.HTTPBadRequest('malformed region header')
        region = match.group('region')
        if region not in self.endpoints:
            raise webob.exc.HTTPNotFound('unknown region %s' % region)
        req.environ['catalog.region'] = region
        req.environ['catalog.endpoint'] = self.endpoints[region]
        return req.get_response(self.app)
