"""The errors of an LLM call: what failed (`LLMError`, `LLMStopped` and the `Stop` it carries), why a
connection could not be opened, what an HTTP error response says, and how long it asks us to wait."""

from __future__ import annotations

import email.utils
import json
import socket
import ssl
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class Stop:
    """Why the layer stopped: `reason` continues "LLM layer stopped " (e.g. "at the first call: ...").
    The breaker (llm/breaker.py) decides it; it lives here because `LLMStopped` carries it."""

    reason: str


class LLMError(Exception):
    """A call that produced no usable reply.

    `kind`: unreachable (no connection could be opened: refused, name not resolving, no route, connect
    timeout, TLS handshake) | timeout | network | http | protocol | truncated | stopped (LLMStopped)."""

    def __init__(self, kind: str, message: str, status: int | None = None, attempts: int = 1):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.attempts = attempts

    def __repr__(self) -> str:
        return f"LLMError(kind={self.kind!r}, status={self.status!r}, message={str(self)!r})"


class LLMStopped(LLMError):
    """A call the layer's breaker stopped (llm/breaker.py).

    `made` False: the call was never sent. `made` True: it was sent and failed, and either its failure is
    what stopped the layer at once (`trigger`: this exception then keeps that failure's kind, status and
    message), or it was in flight when the layer stopped (a retry not made, or a failure after the stop)."""

    def __init__(self, stop: Stop, made: bool, trigger: LLMError | None = None):
        if trigger is None:
            super().__init__("stopped", f"LLM layer stopped {stop.reason}")
        else:
            super().__init__(trigger.kind, str(trigger), trigger.status, trigger.attempts)
        self.stop = stop
        self.made = made or trigger is not None
        self.trigger = trigger is not None


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def unreachable_cause(exc: BaseException, host: str) -> str:
    """Why no connection to `host` could be opened, read from the OS error under httpx's ConnectError."""
    seen: set[int] = set()
    inner: BaseException | None = exc
    while inner is not None and id(inner) not in seen:
        seen.add(id(inner))
        if isinstance(inner, ConnectionRefusedError):
            return f"{host} refused the connection ({inner})"
        if isinstance(inner, socket.gaierror):
            return f"the host name of {host} does not resolve ({inner})"
        if isinstance(inner, ssl.SSLError):
            return f"the TLS handshake with {host} failed ({inner})"
        inner = inner.__cause__ or inner.__context__
    return f"no connection to {host} ({describe(exc)})"


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait from `retry-after-ms` (OpenAI) or `Retry-After` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def error_detail(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] if text else (response.reason_phrase or "no details")
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            message = error.get("message") or error.get("detail") or json.dumps(error)[:300]
            return str(message)[:300]
        return str(error)[:300]
    return json.dumps(data)[:300]
