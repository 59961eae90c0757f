"""WSGI middleware that puts the caller identity in the environ."""
import json
import logging

from jose import jwt
from jose.exceptions import JWTError

LOG = logging.getLogger(__name__)


class IdentityMiddleware(object):
    def __init__(self, app, signing_key, audience):
        self.app = app
        self.signing_key = signing_key
        self.audience = audience

    def _deny(self, start_response, reason):
        body = json.dumps({"error": reason}).encode()
        start_response("401 Unauthorized", [("Content-Type", "application/json"),
                                            ("Content-Length", str(len(body)))])
        return [body]

    def __call__(self, environ, start_response):
        header = environ.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            return self._deny(start_response, "missing bearer token")
        token = header[len("Bearer "):]
        try:
            claims = jwt.decode(token, self.signing_key, algorithms=["HS256"], audience=self.audience)
        except JWTError:
            return self._deny(start_response, "invalid token")
        if claims.get("aud") != self.audience:
            return self._deny(start_response, "wrong audience")
        environ["app.user_id"] = claims["sub"]
        environ["app.roles"] = claims.get("roles", [])
        LOG.debug("request by %s", claims["sub"])
        return self.app(environ, start_response)
