"""Agent-side client that reports port status back to the network server."""
import requests
from oslo_config import cfg
from oslo_log import log as logging

LOG = logging.getLogger(__name__)
CONF = cfg.CONF


class PortStatusReporter(object):
    def __init__(self, endpoint, auth_plugin):
        self.endpoint = endpoint.rstrip("/")
        self.auth = auth_plugin
        self.session = requests.Session()

    def _headers(self):
        return {
            "X-Auth-Token": self.auth.get_token(),
            "Content-Type": "application/json",
            "User-Agent": "port-agent/%s" % CONF.host,
        }

    def report(self, port_id, status, details=None):
        url = "%s/v2.0/ports/%s/status" % (self.endpoint, port_id)
        headers = self._headers()
        body = {"status": status, "details": details or {}}
        LOG.debug("PUT %s headers=%s body=%s", url, headers, body)
        resp = self.session.put(url, json=body, headers=headers, timeout=CONF.agent.report_timeout)
        if resp.status_code == 401:
            self.auth.invalidate()
            headers = self._headers()
            resp = self.session.put(url, json=body, headers=headers, timeout=CONF.agent.report_timeout)
        resp.raise_for_status()
        return resp.json()

    def report_many(self, statuses):
        failed = []
        for port_id, status in statuses.items():
            try:
                self.report(port_id, status)
            except requests.RequestException:
                LOG.exception("could not report status of port %s", port_id)
                failed.append(port_id)
        return failed
