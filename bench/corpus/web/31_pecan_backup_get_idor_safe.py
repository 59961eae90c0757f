import pecan
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log as logging
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from vaultd.db import models

LOG = logging.getLogger(__name__)


class Backup(wtypes.Base):
    id = wtypes.text
    name = wtypes.text
    volume_id = wtypes.text
    size_gb = int
    status = wtypes.text


class BackupsController(rest.RestController):

    @wsme_pecan.wsexpose(Backup, wtypes.text)
    def get_one(self, backup_id):
        context = pecan.request.context
        with enginefacade.reader.using(context) as session:
            query = session.query(models.Backup).filter_by(id=backup_id, deleted=False)
            if not context.is_admin:
                query = query.filter_by(project_id=context.project_id)
            backup = query.first()
        if backup is None:
            pecan.abort(404, "Backup %s not found" % backup_id)
        return Backup(
            id=backup.id,
            name=backup.name,
            volume_id=backup.volume_id,
            size_gb=backup.size_gb,
            status=backup.status,
        )
