"""Deliver signed webhook events to subscriber endpoints."""
import hashlib
import hmac
import json
import ssl
import urllib.request

from .store import subscriptions


def _context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def deliver(event_type, payload):
    body = json.dumps({"type": event_type, "data": payload}).encode()
    ctx = _context()
    results = {}
    for sub in subscriptions.active(event_type):
        sig = hmac.new(sub.secret.encode(), body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(
            sub.url,
            data=body,
            headers={"Content-Type": "application/json", "X-Signature": sig},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
                results[sub.id] = resp.status
        except OSError as exc:
            results[sub.id] = str(exc)
    return results
