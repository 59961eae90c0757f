"""Push a release tarball to app servers and restart the service."""
import argparse
import os

import paramiko


def deploy(host, user, key_file, tarball, service):
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, username=user, key_filename=key_file, timeout=20)
    try:
        remote = "/tmp/%s" % os.path.basename(tarball)
        sftp = client.open_sftp()
        sftp.put(tarball, remote)
        sftp.close()
        for cmd in ("sudo tar -xzf %s -C /srv/app" % remote,
                    "sudo systemctl restart %s" % service):
            _, stdout, stderr = client.exec_command(cmd)
            if stdout.channel.recv_exit_status() != 0:
                raise RuntimeError("%s failed on %s: %s" % (cmd, host, stderr.read().decode()))
    finally:
        client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--user", default="deploy")
    parser.add_argument("--key", default=os.path.expanduser("~/.ssh/deploy_ed25519"))
    parser.add_argument("--service", default="webapp")
    parser.add_argument("tarball")
    parser.add_argument("hosts", nargs="+")
    args = parser.parse_args()
    for host in args.hosts:
        deploy(host, args.user, args.key, args.tarball, args.service)
        print("deployed to", host)


if __name__ == "__main__":
    main()
