"""Metadata proxy agent: it starts a local proxy and talks to it with a per-boot
shared value that the proxy checks on every request."""
import secrets

import requests
from oslo_config import cfg
from oslo_log import log as logging

from metaproxy import proxy_process

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

OPTS = [
    cfg.PortOpt("proxy_port", default=8775, help="Port of the local metadata proxy."),
    cfg.IntOpt("proxy_timeout", default=10, help="Seconds to wait for the proxy."),
]
CONF.register_opts(OPTS, group="metadata_agent")


class MetadataAgent:

    def __init__(self):
        self._shared = secrets.token_hex(16)
        self._proxy = proxy_process.start(CONF.metadata_agent.proxy_port, expected_bearer=self._shared)
        self._base = "http://127.0.0.1:%d" % CONF.metadata_agent.proxy_port

    def _call(self, method, path, **kwargs):
        headers = {"Authorization": "Bearer " + self._shared}
        resp = requests.request(method, self._base + path, headers=headers,
                                timeout=CONF.metadata_agent.proxy_timeout, **kwargs)
        resp.raise_for_status()
        return resp.json()

    def register_instance(self, instance_id, network_id, fixed_ip):
        LOG.info("Registering instance %s on network %s", instance_id, network_id)
        return self._call("PUT", "/instances/%s" % instance_id,
                          json={"network_id": network_id, "ip": fixed_ip})

    def unregister_instance(self, instance_id):
        return self._call("DELETE", "/instances/%s" % instance_id)

    def stop(self):
        self._proxy.terminate()
        self._proxy.wait(timeout=10)
