"""Forward audit records to the central syslog collector over TLS."""
import socket
import ssl
import threading


class TLSSyslogForwarder(object):
    def __init__(self, host, port=6514, cafile=None):
        self.host = host
        self.port = port
        self.cafile = cafile
        self._sock = None
        self._lock = threading.Lock()

    def _connect(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.check_hostname = True
        ctx.load_verify_locations(cafile=self.cafile)
        raw = socket.create_connection((self.host, self.port), timeout=10)
        return ctx.wrap_socket(raw, server_hostname=self.host)

    def send(self, record):
        line = ("<134>1 - audit - - - - %s\n" % record).encode("utf-8")
        with self._lock:
            if self._sock is None:
                self._sock = self._connect()
            try:
                self._sock.sendall(line)
            except OSError:
                self._sock.close()
                self._sock = None
                raise

    def close(self):
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None
