import secrets
from datetime import datetime, timedelta

import pecan
from pecan import expose, request
from pecan.rest import RestController

from teams import mailer
from teams.db import api as db_api

INVITE_TTL = timedelta(days=7)


class InvitationsController(RestController):

    @expose("json")
    def post(self, team_id, email):
        team = db_api.team_get(team_id)
        if team is None or request.context.user_id not in team.admin_ids:
            pecan.abort(403)
        ref = secrets.token_urlsafe(32)
        db_api.invitation_create(team_id=team.id, email=email, ref=ref,
                                 expires_at=datetime.utcnow() + INVITE_TTL)
        url = "{}/join/{}".format(pecan.conf.app.public_url, ref)
        mailer.send(email, "You are invited to %s" % team.name, "Accept: %s" % url)
        pecan.response.status = 201
        return {"team": team.id, "email": email}

    @expose("json")
    def get_one(self, ref):
        invitation = db_api.invitation_get_by_ref(ref)
        if invitation is None or invitation.expires_at < datetime.utcnow():
            pecan.abort(404)
        db_api.team_add_member(invitation.team_id, request.context.user_id)
        db_api.invitation_delete(invitation.id)
        return {"team": invitation.team_id, "joined": True}
