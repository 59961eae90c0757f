import html

import pecan
from oslo_log import log as logging
from pecan import expose
from webob import exc

from console.api import ConsoleAPI

LOG = logging.getLogger(__name__)


class ConsoleController(object):
    """Serves the HTML landing page that opens a VNC console."""

    def __init__(self):
        self.api = ConsoleAPI()

    @expose(content_type="text/html")
    def index(self, token=None, title=None):
        if not token:
            raise exc.HTTPBadRequest()
        console = self.api.validate_token(pecan.request.context, token)
        if console is None:
            pecan.response.status = 401
            body = (
                "<html><body><h2>Console unavailable</h2>"
                "<p>Token for <b>%s</b> is invalid or expired.</p></body></html>" % title
            )
            return body
        LOG.debug("Opening console for instance %s", console.instance_uuid)
        return (
            "<html><head><title>%s</title></head>"
            "<body><div id='screen' data-url='%s'></div>"
            "<script src='/static/novnc.js'></script></body></html>"
            % (html.escape(title or console.instance_uuid), html.escape(console.url, quote=True))
        )
