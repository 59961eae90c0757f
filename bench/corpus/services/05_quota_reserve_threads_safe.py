"""In-process quota tracker used by the volume API workers (threaded WSGI)."""
import threading

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class OverQuota(Exception):
    pass


class QuotaTracker(object):
    def __init__(self, limits):
        self._limits = dict(limits)
        self._usage = {}
        self._lock = threading.Lock()

    def reserve(self, project_id, resource, delta):
        key = (project_id, resource)
        with self._lock:
            used = self._usage.get(key, 0)
            limit = self._limits.get(resource, -1)
            if limit >= 0 and used + delta > limit:
                raise OverQuota("%s over quota for %s" % (project_id, resource))
            self._usage[key] = used + delta
        LOG.debug("reserved %d %s for %s", delta, resource, project_id)
        return used + delta

    def release(self, project_id, resource, delta):
        with self._lock:
            key = (project_id, resource)
            self._usage[key] = max(0, self._usage.get(key, 0) - delta)
