"""Guest agent loop: poll the metadata service and apply hostname changes."""
import json
import socket
import threading
import urllib.request

from oslo_log import log as logging

LOG = logging.getLogger(__name__)
METADATA_URL = "http://169.254.169.254/openstack/latest/meta_data.json"


class MetadataPoller(threading.Thread):
    def __init__(self, interval=30):
        super(MetadataPoller, self).__init__(name="metadata-poller", daemon=True)
        self.interval = interval
        self._stop_event = threading.Event()
        self.last_hostname = socket.gethostname()

    def fetch(self):
        with urllib.request.urlopen(METADATA_URL, timeout=10) as resp:
            return json.load(resp)

    def run(self):
        while not self._stop_event.is_set():
            try:
                meta = self.fetch()
                hostname = meta.get("hostname", "").split(".")[0]
                if hostname and hostname != self.last_hostname:
                    LOG.info("hostname changed to %s", hostname)
                    self.last_hostname = hostname
            except (OSError, ValueError):
                LOG.exception("metadata poll failed")
            self._stop_event.wait(self.interval)

    def stop(self):
        self._stop_event.set()
