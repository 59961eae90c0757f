"""Heartbeat reporter for a storage backend service."""
import threading
import time


class HeartbeatReporter(object):
    def __init__(self, db_api, host, interval=10):
        self.db_api = db_api
        self.host = host
        self.interval = interval
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = None
        self.last_report = None

    def _run(self):
        while not self._stopped.is_set():
            with self._lock:
                self.db_api.service_update(self.host, {'report_count': 1})
                self.last_report = time.time()
            self._stopped.wait(self.interval)

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self):
        with self._lock:
            self._stopped.set()
            self._thread.join()
            self.db_api.service_update(self.host, {'disabled': True})
