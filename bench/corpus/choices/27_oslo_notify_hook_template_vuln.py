"""Runs the operator's notification hook when an instance changes state.

The hook is a command template in the config file, for instance
    notify_command = /usr/local/bin/page-oncall --instance %(name)s --state %(state)s
"""
import subprocess

from oslo_config import cfg
from oslo_log import log as logging

LOG = logging.getLogger(__name__)
CONF = cfg.CONF
CONF.register_opts([
    cfg.StrOpt("notify_command", help="Command template run on state changes."),
    cfg.IntOpt("notify_timeout", default=20, help="Seconds before the hook is killed."),
], group="hooks")


def _render(template, instance, state):
    values = {"name": instance["display_name"], "uuid": instance["uuid"], "state": state}
    return template % values


def notify_state_change(instance, state):
    template = CONF.hooks.notify_command
    if not template:
        return None
    cmd = _render(template, instance, state)
    proc = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=CONF.hooks.notify_timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        LOG.warning("Notification hook timed out for %s", instance["uuid"])
        return None
    if proc.returncode:
        LOG.warning("Notification hook failed for %s: %s", instance["uuid"], out[-500:])
    return proc.returncode
