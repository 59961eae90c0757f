"""Metering agent: reads counters from the hypervisor and publishes samples."""
import socket
import time

import kombu
from oslo_config import cfg
from oslo_log import log as logging

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

CONF.register_opts([
    cfg.StrOpt("amqp_host", default="rabbit.internal"),
    cfg.StrOpt("amqp_user", default="metering"),
    cfg.StrOpt("amqp_password", secret=True, required=True),
    cfg.IntOpt("poll_interval", default=60),
], group="metering")


class MeteringAgent:
    def __init__(self, collector):
        self.collector = collector
        self.host = socket.gethostname()
        self.conn = kombu.Connection(
            hostname=CONF.metering.amqp_host,
            userid=CONF.metering.amqp_user,
            password=CONF.metering.amqp_password,
            virtual_host="/metering",
        )
        self.exchange = kombu.Exchange("metering", type="topic")

    def run_forever(self):
        producer = self.conn.Producer(serializer="json")
        while True:
            for sample in self.collector.poll():
                sample["host"] = self.host
                producer.publish(sample, exchange=self.exchange,
                                 routing_key="sample." + sample["name"],
                                 declare=[self.exchange])
            LOG.debug("published samples from %s", self.host)
            time.sleep(CONF.metering.poll_interval)
