"""Notification handler that records volume attachments (oslo.messaging endpoint)."""
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class AttachmentEndpoint(object):
    filter_rule = None

    def __init__(self, db):
        self.db = db

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        if event_type != 'volume.attach.end':
            return None
        volume_id = payload['volume_id']
        attachment = payload.get('volume_attachment') or []
        if not attachment:
            LOG.warning("attach notification for %s without attachment", volume_id)
            return None
        instance_uuid = attachment[0].get('instance_uuid')
        host = payload.get('host', '').split('@')[0]
        LOG.info("volume %s attached to %s on %s", volume_id, instance_uuid, host)
        self.db.attachment_create(volume_id=volume_id,
                                  instance_uuid=instance_uuid, host=host)
        return None
