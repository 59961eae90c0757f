"""The same kind of service code written carefully: nothing for secreview to report."""

import hmac
import secrets
import subprocess

import yaml


def convert(image: str, fmt: str) -> None:
    subprocess.check_call(["qemu-img", "convert", "-O", fmt, image, "out.img"])


def load_metadata(text: str) -> dict:
    return yaml.safe_load(text)


def new_api_token() -> str:
    return secrets.token_urlsafe(32)


def signature_matches(expected: bytes, given: bytes) -> bool:
    return hmac.compare_digest(expected, given)
