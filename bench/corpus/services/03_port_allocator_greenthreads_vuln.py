"""VNC console port allocator shared by the compute manager's greenthreads."""
import eventlet
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class ConsolePortAllocator(object):
    def __init__(self, start=5900, end=6000):
        self.start = start
        self.end = end
        self._allocated = {}
        self._lock = eventlet.semaphore.Semaphore()

    def _probe(self, port):
        # talks to the hypervisor host over RPC, yields to other greenthreads
        eventlet.sleep(0)
        return True

    def allocate(self, instance_uuid):
        for port in range(self.start, self.end):
            if port not in self._allocated:
                if not self._probe(port):
                    continue
                self._allocated[port] = instance_uuid
                LOG.debug("Allocated console port %d to %s", port, instance_uuid)
                return port
        raise RuntimeError("no free console ports")

    def release(self, port):
        with self._lock:
            self._allocated.pop(port, None)
