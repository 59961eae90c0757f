import pecan
from pecan import expose, request
from pecan.rest import RestController

from storage.db import get_engine

SORT_KEYS = ("created_at", "name", "size", "status")


class VolumesController(RestController):

    @expose("json")
    def get_all(self, sort_key="created_at", sort_dir="desc", status=None):
        if sort_dir not in ("asc", "desc"):
            pecan.abort(400, "sort_dir must be asc or desc")
        if not sort_key:
            pecan.abort(400, "sort_key must be one of %s" % ", ".join(SORT_KEYS))
        sql = "SELECT id, name, size, status, created_at FROM volumes WHERE project_id = %(project)s"
        params = {"project": request.context.project_id}
        if status:
            sql += " AND status = %(status)s"
            params["status"] = status
        sql += f" ORDER BY {sort_key} {sort_dir} LIMIT 1000"
        with get_engine().connect() as conn:
            rows = conn.exec_driver_sql(sql, params).mappings().all()
        return {"volumes": [dict(row, created_at=row["created_at"].isoformat()) for row in rows]}
