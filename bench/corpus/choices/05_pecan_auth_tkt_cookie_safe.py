import hmac
import time
from hashlib import sha256

import pecan
from pecan import expose, request, response
from pecan.rest import RestController

from console import conf
from console.identity import authenticate


def _ticket(user_id, issued):
    body = "%s!%d" % (user_id, issued)
    mac = hmac.new(conf.TICKET_SECRET.encode(), body.encode(), sha256).hexdigest()
    return "%s!%s" % (body, mac)


class LoginController(RestController):

    @expose("json")
    def post(self, username=None, password=None):
        user = authenticate(username or "", password or "")
        if user is None:
            pecan.abort(401, "invalid username or password")
        ticket = _ticket(user.id, int(time.time()))
        response.set_cookie("auth_tkt", ticket, max_age=conf.TICKET_TTL, path="/", secure=True, httponly=True)
        return {"user": user.id, "roles": user.roles}

    @expose("json")
    def delete(self):
        response.delete_cookie("auth_tkt", path="/")
        return {"signed_out": bool(request.cookies.get("auth_tkt"))}
