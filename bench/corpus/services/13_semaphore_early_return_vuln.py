"""Limit concurrent image downloads on a compute host."""
import eventlet
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

_download_slots = eventlet.semaphore.Semaphore(4)


def fetch_image(context, image_service, image_id, dest_path, max_size):
    _download_slots.acquire()
    meta = image_service.show(context, image_id)
    if meta.get('size', 0) > max_size:
        LOG.error("image %s is larger than %d bytes", image_id, max_size)
        return None
    with open(dest_path, 'wb') as fh:
        for chunk in image_service.download(context, image_id):
            fh.write(chunk)
    _download_slots.release()
    return dest_path


def resize_download_slots(count):
    global _download_slots
    LOG.info("allowing %d concurrent image downloads", count)
    _download_slots = eventlet.semaphore.Semaphore(count)
