"""Load per-tenant override files for the designate sink service."""
import glob
import os

import yaml
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def load_overrides(conf_dir):
    overrides = {}
    for path in sorted(glob.glob(os.path.join(conf_dir, '*.yaml'))):
        tenant = os.path.splitext(os.path.basename(path))[0]
        with open(path) as fh:
            data = yaml.safe_load(fh)
        if not isinstance(data, dict):
            LOG.warning("ignoring malformed override %s", path)
            continue
        overrides[tenant] = data
    return overrides


def watch(conf_dir, interval, callback):
    import time
    while True:
        callback(load_overrides(conf_dir))
        time.sleep(interval)
