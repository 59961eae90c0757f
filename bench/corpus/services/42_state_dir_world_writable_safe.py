"""Prepare the state directory for the metering agent before dropping privileges."""
import os
import pwd

STATE_DIR = '/var/lib/ceilometer/agent'


def prepare_state_dir(user='ceilometer'):
    pw = pwd.getpwnam(user)
    os.makedirs(STATE_DIR, mode=0o750, exist_ok=True)
    os.chown(STATE_DIR, pw.pw_uid, pw.pw_gid)
    # pollster plugins run in the ceilometer group and drop cache files here
    os.chmod(STATE_DIR, 0o770)
    for name in ('pollsters.d', 'cache'):
        sub = os.path.join(STATE_DIR, name)
        os.makedirs(sub, mode=0o750, exist_ok=True)
        os.chown(sub, pw.pw_uid, pw.pw_gid)
    return STATE_DIR


def drop_privileges(user='ceilometer'):
    pw = pwd.getpwnam(user)
    os.setgroups([])
    os.setgid(pw.pw_gid)
    os.setuid(pw.pw_uid)
