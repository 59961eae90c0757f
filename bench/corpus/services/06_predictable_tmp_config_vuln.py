"""Render a dnsmasq host file for a network and HUP the daemon."""
import os
import signal

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def write_hosts_file(network_id, leases, pid):
    tmp_path = '/tmp/dnsmasq-%s.hosts' % network_id
    with open(tmp_path, 'w') as fh:
        for mac, ip, hostname in leases:
            fh.write('%s,%s,%s\n' % (mac, hostname, ip))
    final_path = '/var/lib/neutron/dhcp/%s/host' % network_id
    os.rename(tmp_path, final_path)
    LOG.info("Reloading dnsmasq for network %s", network_id)
    os.kill(pid, signal.SIGHUP)
    return final_path


def read_pid(network_id):
    pid_path = '/var/lib/neutron/external/pids/%s.pid' % network_id
    try:
        with open(pid_path) as fh:
            return int(fh.read().strip())
    except (OSError, ValueError):
        return None
