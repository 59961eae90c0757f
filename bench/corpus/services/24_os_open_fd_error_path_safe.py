"""Write a serial console chunk to a character device for the console proxy."""
import errno
import os

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def push_to_console(device_path, data):
    fd = os.open(device_path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    written = 0
    try:
        while written < len(data):
            try:
                written += os.write(fd, data[written:])
            except OSError as exc:
                if exc.errno == errno.EAGAIN:
                    LOG.debug("console %s busy, dropping %d bytes",
                              device_path, len(data) - written)
                    return written
                raise
    finally:
        os.close(fd)
    return written
