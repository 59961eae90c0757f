"""One HTTP POST with the retry policy both review systems share.

Posting a review is not idempotent: a request that timed out or lost its connection may have been
applied, and sending it again would post the review twice. So a POST is retried only when the server
says it did not process it and when to come back: 429 (rate limited), 502 or 503 with a
`Retry-After` header in seconds (at most `MAX_RETRIES` times, waiting at most `MAX_WAIT` seconds).
Everything else (connection errors, timeouts, other statuses) is returned or raised to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

RETRYABLE = frozenset({429, 502, 503})
MAX_RETRIES = 2
MAX_WAIT = 60.0
DEFAULT_TIMEOUT = 30.0


class PostError(Exception):
    """A review that could not be posted; the message is for the user (it never contains credentials)."""


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None  # absent, or an HTTP date: we do not guess
    return seconds if 0 <= seconds <= MAX_WAIT else None


def post(url: str, *, json_body: dict, headers: dict[str, str], auth: httpx.Auth | None = None,
         timeout: float = DEFAULT_TIMEOUT, sleep: Callable[[float], None] = time.sleep,
         service: str = "the server") -> httpx.Response:
    limits = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    try:
        with httpx.Client(timeout=limits, follow_redirects=False, auth=auth) as client:
            for attempt in range(MAX_RETRIES + 1):
                response = client.post(url, json=json_body, headers=headers)
                wait = retry_after(response) if response.status_code in RETRYABLE else None
                if wait is None or attempt == MAX_RETRIES:
                    return response
                sleep(wait)
    except httpx.TimeoutException:
        raise PostError(f"{service} did not answer within {timeout:g} s; the review may or may not have been "
                        "posted (not retried, to avoid posting it twice)") from None
    except httpx.HTTPError as exc:
        raise PostError(f"could not reach {service} at {_origin(url)}: {type(exc).__name__}: {exc}") from None
    raise AssertionError("unreachable")


def _origin(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}" + (f":{parsed.port}" if parsed.port else "")
