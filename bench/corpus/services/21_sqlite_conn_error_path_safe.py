"""Local state store for the inspector agent."""
import sqlite3

from oslo_log import log as logging

LOG = logging.getLogger(__name__)
DB_PATH = '/var/lib/ironic-inspector/introspection.sqlite'


class NodeNotFound(Exception):
    pass


def get_introspection_status(node_uuid):
    conn = sqlite3.connect(DB_PATH, timeout=10)
    try:
        cur = conn.execute(
            'SELECT started_at, finished_at, error FROM nodes WHERE uuid = ?',
            (node_uuid,))
        row = cur.fetchone()
    finally:
        conn.close()
    if row is None:
        raise NodeNotFound(node_uuid)
    started_at, finished_at, error = row
    return {'uuid': node_uuid, 'started_at': started_at,
            'finished': finished_at is not None, 'error': error}
