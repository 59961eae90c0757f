"""Probe a memcached server for the health check endpoint."""
import socket

from flask import Flask, jsonify

app = Flask(__name__)
MEMCACHE_SERVERS = [('10.0.0.11', 11211), ('10.0.0.12', 11211)]


def memcache_alive(host, port, timeout=2.0):
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(b'version\r\n')
        reply = sock.recv(64)
    if not reply.startswith(b'VERSION'):
        raise ValueError('unexpected reply %r' % reply)
    return True


@app.route('/healthcheck')
def healthcheck():
    results = {}
    for host, port in MEMCACHE_SERVERS:
        try:
            results['%s:%d' % (host, port)] = memcache_alive(host, port)
        except (OSError, ValueError):
            results['%s:%d' % (host, port)] = False
    status = 200 if all(results.values()) else 503
    return jsonify(results), status
