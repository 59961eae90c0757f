"""Queue consumer loop of a lightweight DHCP agent."""
import json
import uuid

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class DhcpAgentConsumer(object):
    def __init__(self, queue, driver):
        self.queue = queue
        self.driver = driver
        self.running = True

    def handle(self, message):
        body = json.loads(message.body)
        network_id = str(uuid.UUID(body['network_id']))
        action = body.get('action', 'reload')
        if action == 'reload':
            self.driver.reload_allocations(network_id)
        elif action == 'disable':
            self.driver.disable(network_id)
        message.ack()

    def run(self):
        while self.running:
            message = self.queue.get(timeout=30)
            if message is None:
                continue
            self.handle(message)
