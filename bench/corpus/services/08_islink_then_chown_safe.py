"""Fix ownership of an instance's console log so the qemu user can write it."""
import os
import pwd

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

INSTANCES_PATH = '/var/lib/nova/instances'


def fix_console_log_owner(instance_uuid, user='qemu'):
    path = os.path.join(INSTANCES_PATH, instance_uuid, 'console.log')
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        LOG.warning("Refusing to chown %s (missing or symlink)", path)
        return False
    try:
        pw = pwd.getpwnam(user)
        os.fchown(fd, pw.pw_uid, pw.pw_gid)
        os.fchmod(fd, 0o640)
    finally:
        os.close(fd)
    return True
