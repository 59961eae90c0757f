"""Build a config drive ISO for an instance."""
import os
import subprocess
import tempfile

import json


def make_config_drive(instance_uuid, metadata, user_data, iso_path):
    tmpdir = tempfile.mkdtemp(prefix='cfgdrive-')
    md_dir = os.path.join(tmpdir, 'openstack', 'latest')
    os.makedirs(md_dir)
    with open(os.path.join(md_dir, 'meta_data.json'), 'w') as fh:
        json.dump(dict(metadata, uuid=instance_uuid), fh)
    if user_data:
        with open(os.path.join(md_dir, 'user_data'), 'wb') as fh:
            fh.write(user_data)
    subprocess.check_call(['genisoimage', '-o', iso_path, '-ldots', '-allow-lowercase',
                           '-allow-multidot', '-l', '-V', 'config-2', '-r', '-J',
                           '-quiet', tmpdir])
    return iso_path
