"""Audit middleware for the API: one line per mutating request."""
import datetime
import threading

import webob.dec


class AuditTrail(object):
    """WSGI middleware that appends mutating requests to a flat audit file."""

    def __init__(self, application, path="/var/log/api/audit.log"):
        self.application = application
        self._lock = threading.Lock()
        self._fh = open(path, "a", buffering=1)

    @staticmethod
    def _resource_name(req):
        if req.content_type != "application/json" or not req.body:
            return "-"
        try:
            body = req.json_body
        except ValueError:
            return "-"
        if isinstance(body, dict) and len(body) == 1:
            body = next(iter(body.values()))  # {"server": {...}} style envelopes
        return str(body.get("name", "-")) if isinstance(body, dict) else "-"

    def _record(self, user, project, method, url, name, status):
        ts = datetime.datetime.utcnow().isoformat()
        with self._lock:
            self._fh.write(f"{ts} user={user} project={project} {method} {url} name={name} -> {status}\n")

    @webob.dec.wsgify
    def __call__(self, req):
        name = self._resource_name(req) if req.method in ("POST", "PUT", "PATCH") else "-"
        resp = req.get_response(self.application)
        if req.method in ("POST", "PUT", "PATCH", "DELETE"):
            user = req.headers.get("X-User-Name", "anonymous")
            project = req.headers.get("X-Project-Name", "-")
            self._record(user, project, req.method, req.path_qs, name, resp.status_int)
        return resp


def filter_factory(global_conf, **local_conf):
    def _factory(app):
        return AuditTrail(app, **local_conf)
    return _factory
