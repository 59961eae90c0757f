"""Periodic task that syncs instance power states with the hypervisor."""
import threading

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

_instance_locks = {}
_registry_lock = threading.Lock()


def _lock_for(uuid):
    with _registry_lock:
        return _instance_locks.setdefault(uuid, threading.Lock())


def sync_power_states(driver, instances):
    for inst in instances:
        lock = _lock_for(inst['uuid'])
        with lock:
            if inst.get('task_state') is not None:
                LOG.debug("skipping %s, task in progress", inst['uuid'])
                continue
            state = driver.get_power_state(inst['name'])
            if state != inst['power_state']:
                inst['power_state'] = state
                inst.save()
