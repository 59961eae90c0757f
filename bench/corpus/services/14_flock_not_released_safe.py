"""Inter-process lock around iptables-restore, shared by several agents."""
import fcntl
import os
import subprocess

LOCK_PATH = '/var/lib/neutron/lock/iptables.lock'


def apply_rules(rules_text):
    fd = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        proc = subprocess.run(['iptables-restore', '-n'], input=rules_text.encode(),
                              capture_output=True, timeout=60)
        if proc.returncode != 0:
            raise RuntimeError("iptables-restore failed: %s" % proc.stderr.decode())
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    return True


def build_rules(chains):
    lines = ['*filter']
    for chain, rules in sorted(chains.items()):
        lines.append(':%s - [0:0]' % chain)
        lines.extend('-A %s %s' % (chain, rule) for rule in rules)
    lines.append('COMMIT')
    return '\n'.join(lines) + '\n'
