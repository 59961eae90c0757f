"""L2 agent extension: applies the per-port link settings that arrive over RPC."""
import subprocess

from oslo_config import cfg
from oslo_log import log as logging

LOG = logging.getLogger(__name__)
CONF = cfg.CONF


class LinkSettingsExtension:

    def __init__(self):
        self.root_helper = CONF.AGENT.root_helper

    def _execute(self, cmd, check=True):
        LOG.debug("Running command: %s", cmd)
        proc = subprocess.run(self.root_helper.split() + cmd, capture_output=True, text=True, timeout=30)
        if check and proc.returncode:
            raise RuntimeError("%s exited %d: %s" % (cmd, proc.returncode, proc.stderr.strip()))
        return proc.stdout

    @staticmethod
    def _device(port):
        return "tap" + port["id"][:11]

    def handle_port(self, context, port):
        device = self._device(port)
        self._execute(["ip", "link", "set", "dev", device, "mtu", str(int(port["mtu"]))])
        # The port name shows up in `ip link` output, which helps operators.
        self._execute(["ip", "link", "set", "dev", device, "alias", port["name"]])
        if port.get("admin_state_up", True):
            self._execute(["ip", "link", "set", "dev", device, "up"])
        else:
            self._execute(["ip", "link", "set", "dev", device, "down"])

    def delete_port(self, context, port):
        self._execute(["ip", "link", "set", "dev", self._device(port), "down"], check=False)
