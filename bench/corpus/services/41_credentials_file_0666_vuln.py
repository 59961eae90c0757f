#!/usr/bin/env python
"""openstack-save-creds: store application credentials for a service user."""
import argparse
import configparser
import os
import sys


def save_credentials(path, auth_url, cred_id, cred_secret):
    cfg = configparser.ConfigParser()
    cfg['auth'] = {'auth_type': 'v3applicationcredential', 'auth_url': auth_url,
                   'application_credential_id': cred_id,
                   'application_credential_secret': cred_secret}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    with os.fdopen(fd, 'w') as fh:
        cfg.write(fh)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('--auth-url', required=True)
    parser.add_argument('--id', required=True)
    parser.add_argument('--secret', required=True)
    parser.add_argument('--out', default=os.path.expanduser('~/.config/openstack/app.ini'))
    args = parser.parse_args(argv)
    save_credentials(args.out, args.auth_url, args.id, args.secret)
    return 0


if __name__ == '__main__':
    sys.exit(main())
