"""Daemon pid file handling for the metadata proxy agent."""
import logging
import os

LOG = logging.getLogger(__name__)


class AlreadyRunning(RuntimeError):
    pass


class PidFile(object):
    def __init__(self, path, procname):
        self.path = path
        self.procname = procname
        self.fd = None

    def acquire(self):
        if os.path.exists(self.path):
            with open(self.path) as fh:
                pid = fh.read().strip()
            if pid.isdigit() and self._is_running(int(pid)):
                raise AlreadyRunning("%s already running as %s" % (self.procname, pid))
            LOG.warning("Overwriting stale pid file %s", self.path)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(self.fd, str(os.getpid()).encode())
        os.fsync(self.fd)

    def release(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    @staticmethod
    def _is_running(pid):
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
