"""Post a review to Gerrit: `POST {url}/a/changes/{change}/revisions/{revision}/review` with the
`ReviewInput` that `secreview.report.gerrit` builds. The `/a/` prefix asks for authentication: HTTP
basic with the account's user name and its HTTP password (Settings > HTTP Credentials).

Gerrit prefixes JSON answers with `)]}'` (against cross-site script inclusion); the client strips
it. Errors come back as plain text (401 "Unauthorized", 404 "Not found: 12345", 409 "change is
closed", 400 e.g. a comment on a file the revision lacks) and become a PostError with that text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import quote

import httpx

from secreview.post.http import DEFAULT_TIMEOUT, PostError, post

XSSI_PREFIX = ")]}'"

_HINTS = {
    400: "Gerrit rejected the review content",
    401: "check GERRIT_USER and GERRIT_HTTP_PASSWORD (the HTTP password, not the login password)",
    403: "the account may not comment or vote on this change",
    404: "check --change and --revision, and that the account can see the change",
    409: "the change cannot take a review now (closed, or a conflicting update)",
}


def review_url(base_url: str, change: str, revision: str) -> str:
    if not base_url.startswith(("http://", "https://")):
        raise PostError(f"the Gerrit URL must start with http:// or https://, not {base_url!r}")
    if not change:
        raise PostError("--change is required (a change number or project~branch~Change-Id)")
    return (f"{base_url.rstrip('/')}/a/changes/{quote(change, safe='')}/revisions/"
            f"{quote(revision or 'current', safe='')}/review")


def strip_prefix(text: str) -> str:
    return text[len(XSSI_PREFIX):].lstrip("\r\n") if text.startswith(XSSI_PREFIX) else text


def post_review(payload: dict, *, base_url: str, change: str, revision: str, user: str, password: str,
                timeout: float = DEFAULT_TIMEOUT, sleep: Callable[[float], None] = time.sleep) -> dict:
    """Send the review; return Gerrit's ReviewResult (e.g. {"labels": {...}})."""
    if not user or not password:
        raise PostError("GERRIT_USER and GERRIT_HTTP_PASSWORD must both be set")
    url = review_url(base_url, change, revision)
    headers = {"Accept": "application/json", "User-Agent": "secreview"}
    response = post(url, json_body=payload, headers=headers, auth=httpx.BasicAuth(user, password),
                    timeout=timeout, sleep=sleep, service="Gerrit")
    text = strip_prefix(response.text)
    if response.is_success:
        try:
            return json.loads(text) if text.strip() else {}
        except ValueError:
            raise PostError(f"Gerrit answered {response.status_code} with a body that is not JSON") from None
    message = " ".join(text.split())[:300] or "no message"
    hint = _HINTS.get(response.status_code)
    raise PostError(f"Gerrit answered {response.status_code}: {message}" + (f" — {hint}" if hint else ""))
