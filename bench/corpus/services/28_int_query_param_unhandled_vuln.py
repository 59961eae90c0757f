"""Pecan controller for listing backups with pagination."""
import pecan
from pecan import rest

from backupsvc import db

MAX_LIMIT = 1000


class BackupsController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, marker=None, limit=None, sort_dir='asc'):
        context = pecan.request.context
        limit = int(limit) if limit is not None else 100
        limit = min(limit, MAX_LIMIT)
        if sort_dir not in ('asc', 'desc'):
            pecan.abort(400, 'sort_dir must be asc or desc')
        backups = db.backup_get_all(context, project_id=context.project_id,
                                    marker=marker, limit=limit, sort_dir=sort_dir)
        return {'backups': [b.to_dict() for b in backups]}
