"""Port binding bookkeeping for an OVS agent running RPC and polling threads."""
import threading


class PortState(object):
    def __init__(self):
        self.ports_lock = threading.Lock()
        self.flows_lock = threading.Lock()
        self.ports = {}
        self.flows = {}

    def port_update(self, port_id, details):
        # called from the RPC consumer thread
        with self.ports_lock:
            self.ports[port_id] = details
            with self.flows_lock:
                self.flows[port_id] = self._build_flows(details)

    def flows_resync(self, bridge):
        # called from the polling loop thread
        with self.flows_lock:
            stale = [p for p in self.flows if not bridge.has_port(p)]
            with self.ports_lock:
                for port_id in stale:
                    self.flows.pop(port_id, None)
                    self.ports.pop(port_id, None)
        return stale

    @staticmethod
    def _build_flows(details):
        return [{'in_port': details.get('ofport'), 'actions': 'normal'}]
