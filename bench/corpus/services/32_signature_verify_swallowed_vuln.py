"""Verify a signed image before the compute host boots it."""
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class SignatureVerificationError(Exception):
    pass


def verify_image(public_key, image_chunks, signature):
    hasher = hashes.Hash(hashes.SHA256())
    for chunk in image_chunks:
        hasher.update(chunk)
    digest = hasher.finalize()
    try:
        public_key.verify(signature, digest,
                          padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                      salt_length=padding.PSS.MAX_LENGTH),
                          hashes.SHA256())
    except InvalidSignature:
        LOG.error("image signature verification failed")
    return True
