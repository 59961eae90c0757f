"""Internal hook used by the conductor to push node state into the API."""
import pecan
from oslo_config import cfg
from oslo_log import log as logging
from pecan import rest

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

opts = [
    cfg.StrOpt("service_token", secret=True,
               help="Shared token the conductor presents on internal calls."),
]
CONF.register_opts(opts, group="internal_api")


def _check_service_token():
    presented = pecan.request.headers.get("X-Service-Token", "")
    expected = CONF.internal_api.service_token or ""
    if not expected or presented != expected:
        LOG.warning("rejected internal call from %s", pecan.request.remote_addr)
        pecan.abort(403)


class NodeStateController(rest.RestController):

    @pecan.expose("json")
    def put(self, node_uuid, **body):
        _check_service_token()
        state = body.get("provision_state")
        if state not in ("available", "active", "error", "cleaning"):
            pecan.abort(400, "invalid provision_state")
        node = pecan.request.dbapi.get_node_by_uuid(node_uuid)
        node.provision_state = state
        node.save()
        return {"uuid": node.uuid, "provision_state": node.provision_state}
