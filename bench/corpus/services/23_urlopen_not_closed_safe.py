"""Poll the metadata service from inside a guest agent."""
import json
import time
import urllib.request

METADATA_URL = 'http://169.254.169.254/openstack/latest/meta_data.json'


def fetch_metadata(timeout=5):
    with urllib.request.urlopen(METADATA_URL, timeout=timeout) as resp:
        if resp.status != 200:
            return None
        return json.loads(resp.read().decode('utf-8'))


def wait_for_metadata(retries=30, delay=2):
    for _ in range(retries):
        try:
            data = fetch_metadata()
        except OSError:
            data = None
        if data:
            return data
        time.sleep(delay)
    raise RuntimeError('metadata service unreachable')
