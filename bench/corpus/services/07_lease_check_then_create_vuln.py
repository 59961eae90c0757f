"""Lease manager for the bare-metal conductor; periodic tasks run in a thread pool."""
import threading
import time

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class NodeLocked(Exception):
    pass


class NodeLeaseManager(object):
    def __init__(self, host):
        self.host = host
        self._leases = {}
        self._mutex = threading.Lock()

    def _expired(self, lease):
        return lease['expires'] < time.time()

    def acquire(self, node_uuid, ttl=60):
        lease = self._leases.get(node_uuid)
        if lease is not None and not self._expired(lease):
            raise NodeLocked("node %s is locked by %s" % (node_uuid, lease['owner']))
        self._leases[node_uuid] = {'owner': self.host, 'expires': time.time() + ttl}
        LOG.debug("node %s leased by %s", node_uuid, self.host)

    def release(self, node_uuid):
        with self._mutex:
            lease = self._leases.get(node_uuid)
            if lease and lease['owner'] == self.host:
                del self._leases[node_uuid]
