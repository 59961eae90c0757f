"""Run ceph CLI commands for the volume backend's capacity reporter."""
import json
import subprocess

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def ceph_df(pool, conf='/etc/ceph/ceph.conf', timeout=30):
    proc = subprocess.Popen(['ceph', '--conf', conf, 'df', '--format', 'json'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        LOG.warning("ceph df timed out after %ss", timeout)
        proc.kill()
        proc.communicate()
        return None
    if proc.returncode != 0:
        LOG.error("ceph df failed: %s", err.decode(errors='replace'))
        return None
    for entry in json.loads(out).get('pools', []):
        if entry.get('name') == pool:
            return entry.get('stats', {})
    return None
