"""Privsep daemon: bind the unix socket the unprivileged service talks to."""
import os
import socket

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def bind_privsep_socket(path, owner_gid):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    os.chmod(path, 0o777)
    os.chown(path, 0, owner_gid)
    sock.listen(8)
    LOG.info("privsep daemon listening on %s", path)
    return sock


def serve(sock, handler):
    while True:
        conn, _ = sock.accept()
        with conn:
            handler(conn)
