"""Tenant-customisable notification e-mails.

Tenant admins upload their own subject/body templates through the settings
page; they are rendered here for every outgoing notification.
"""
import logging

import jinja2
from jinja2.sandbox import SandboxedEnvironment

LOG = logging.getLogger(__name__)


class NotificationRenderer:
    def __init__(self, template_store):
        self._store = template_store
        self._env = SandboxedEnvironment(
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    def render(self, tenant_id, event, context):
        source = self._store.get(tenant_id, event)
        if source is None:
            source = self._store.default(event)
        try:
            template = self._env.from_string(source)
            return template.render(**context)
        except jinja2.TemplateError:
            LOG.exception("bad template for tenant %s event %s", tenant_id, event)
            return self._env.from_string(self._store.default(event)).render(**context)
