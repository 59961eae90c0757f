"""Fix ownership of an instance's console log so the qemu user can write it."""
import os
import pwd

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

INSTANCES_PATH = '/var/lib/nova/instances'


def fix_console_log_owner(instance_uuid, user='qemu'):
    path = os.path.join(INSTANCES_PATH, instance_uuid, 'console.log')
    if os.path.islink(path):
        LOG.warning("Refusing to chown symlink %s", path)
        return False
    pw = pwd.getpwnam(user)
    os.chown(path, pw.pw_uid, pw.pw_gid)
    os.chmod(path, 0o640)
    return True
