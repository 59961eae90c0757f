"""Token cache used by the keystone middleware in a threaded API server."""
import threading
import time


class TokenCache(object):
    def __init__(self, ttl=300):
        self.ttl = ttl
        self._data = {}
        self._lock = threading.Lock()

    def _purge_expired(self):
        with self._lock:
            now = time.time()
            for key in [k for k, (_, exp) in self._data.items() if exp < now]:
                del self._data[key]

    def get(self, token_id):
        with self._lock:
            item = self._data.get(token_id)
            if item is None:
                return None
            if item[1] < time.time():
                self._purge_expired()
                return None
            return item[0]

    def set(self, token_id, token_data):
        with self._lock:
            self._data[token_id] = (token_data, time.time() + self.ttl)
