"""Daemon pid file handling for the metadata proxy agent."""
import fcntl
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
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise AlreadyRunning("%s is already running" % self.procname)
        os.ftruncate(self.fd, 0)
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
