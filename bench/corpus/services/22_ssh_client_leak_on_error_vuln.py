"""SSH helper used by a storage array driver to run CLI commands on the array."""
import paramiko
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class ArrayCommandError(Exception):
    def __init__(self, cmd, code, stderr):
        super().__init__("%s exited %d: %s" % (cmd, code, stderr))
        self.code = code


class ArraySSHClient(object):
    def __init__(self, host, username, key_file, port=22, timeout=30):
        self.host = host
        self.username = username
        self.key_file = key_file
        self.port = port
        self.timeout = timeout

    def run(self, cmd):
        client = paramiko.SSHClient()
        client.load_system_host_keys()
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        client.connect(self.host, port=self.port, username=self.username,
                       key_filename=self.key_file, timeout=self.timeout)
        _stdin, stdout, stderr = client.exec_command(cmd, timeout=self.timeout)
        code = stdout.channel.recv_exit_status()
        if code != 0:
            raise ArrayCommandError(cmd, code, stderr.read().decode(errors='replace'))
        output = stdout.read().decode()
        client.close()
        LOG.debug("ran %s on %s", cmd, self.host)
        return output
