"""Small L3 helper agent: plugs router ports into network namespaces."""
import os
import threading

from oslo_config import cfg
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

OPTS = [
    cfg.StrOpt("external_bridge", default="br-ex"),
    cfg.IntOpt("resync_interval", default=30),
]
cfg.CONF.register_opts(OPTS, "l3_helper")


class PortPlugger:
    def __init__(self, rpc_client):
        self.rpc = rpc_client
        self._lock = threading.Lock()

    def plug(self, router):
        namespace = "qrouter-%s" % router["id"]
        for port in router.get("ports", []):
            device = "qr-%s" % port["id"][:11]
            cidr = port["fixed_ip"]
            with self._lock:
                LOG.debug("Adding %s to %s in %s", cidr, device, namespace)
                rc = os.system(
                    "ip netns exec %s ip addr add %s dev %s" % (namespace, cidr, device)
                )
            if rc != 0:
                LOG.error("Failed to configure %s on %s", cidr, device)
                self.rpc.report_port_error(port["id"])

    def sync(self):
        for router in self.rpc.get_routers():
            try:
                self.plug(router)
            except Exception:
                LOG.exception("sync failed for router %s", router.get("id"))
