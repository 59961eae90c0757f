import logging

import requests

LOG = logging.getLogger(__name__)


class InventoryClient(object):
    """Thin client for the CMDB inventory REST API."""

    def __init__(self, base_url, token, ca_bundle=None, timeout=15):
        self.base_url = base_url.rstrip("/")
        self.ca_bundle = ca_bundle
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"Authorization": "Bearer %s" % token})

    def _get(self, path, **params):
        url = "%s/%s" % (self.base_url, path.lstrip("/"))
        resp = self.session.get(url, params=params, timeout=self.timeout, verify=False)
        resp.raise_for_status()
        return resp.json()

    def hosts(self, rack=None):
        params = {"rack": rack} if rack else {}
        return self._get("/v2/hosts", **params)["hosts"]

    def host(self, name):
        return self._get("/v2/hosts/%s" % name)

    def sync_to_cache(self, cache):
        count = 0
        for host in self.hosts():
            cache[host["name"]] = host
            count += 1
        LOG.info("cached %d inventory hosts", count)
        return count
