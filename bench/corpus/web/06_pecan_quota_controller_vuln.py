import pecan
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log as logging
from pecan import rest
from sqlalchemy import text

LOG = logging.getLogger(__name__)


class QuotasController(rest.RestController):
    """/v2/quotas/<project_id>"""

    @pecan.expose("json")
    def get_one(self, project_id):
        context = pecan.request.context
        if context.project_id != project_id and not context.is_admin:
            pecan.abort(403)
        with enginefacade.reader.using(context) as session:
            rows = session.execute(
                text("SELECT resource, hard_limit FROM quotas WHERE project_id = :p"),
                {"p": project_id},
            ).fetchall()
        return {"quota": {r.resource: r.hard_limit for r in rows}}

    @pecan.expose("json")
    def delete(self, project_id):
        context = pecan.request.context
        if not context.is_admin:
            pecan.abort(403)
        resource = pecan.request.GET.get("resource")
        clause = "project_id = '%s'" % project_id
        if resource:
            clause += " AND resource = '%s'" % resource
        with enginefacade.writer.using(context) as session:
            session.execute(text("DELETE FROM quotas WHERE " + clause))
        LOG.info("Reset quotas for project %s", project_id)
        pecan.response.status = 204
