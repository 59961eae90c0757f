"""L3 agent router cache; updated by RPC handlers and the periodic resync."""
import threading

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class RouterCache(object):
    def __init__(self, plugin_rpc):
        self.plugin_rpc = plugin_rpc
        self._routers = {}
        self._lock = threading.Lock()

    def refresh(self, context, router_ids):
        self._lock.acquire()
        routers = self.plugin_rpc.get_routers(context, router_ids)
        for router in routers:
            self._routers[router['id']] = router
        self._lock.release()
        LOG.debug("refreshed %d routers", len(routers))
        return routers

    def get(self, router_id):
        with self._lock:
            return self._routers.get(router_id)

    def remove(self, router_id):
        with self._lock:
            self._routers.pop(router_id, None)
