"""Guest agent: unpacks configuration bundles pushed by the control plane."""
import hashlib
import os
import tarfile
import tempfile

import requests
from oslo_log import log as logging

LOG = logging.getLogger(__name__)
BUNDLE_ROOT = "/etc/guest-agent/bundles"


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(65536), b""):
            h.update(chunk)
    return h.hexdigest()


def apply_bundle(bundle):
    """bundle: {"id": ..., "url": ..., "sha256": ...} from the control plane."""
    dest = os.path.join(BUNDLE_ROOT, bundle["id"])
    os.makedirs(dest, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".tar.gz") as tmp:
        with requests.get(bundle["url"], stream=True, timeout=30) as r:
            r.raise_for_status()
            for chunk in r.iter_content(65536):
                tmp.write(chunk)
        tmp.flush()
        if _sha256(tmp.name) != bundle["sha256"]:
            raise ValueError("checksum mismatch for bundle %s" % bundle["id"])
        with tarfile.open(tmp.name, "r:gz") as tar:
            tar.extractall(dest, filter="data")
    LOG.info("applied bundle %s into %s", bundle["id"], dest)
    return dest
