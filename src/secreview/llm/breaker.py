"""When to stop calling the LLM server for the rest of a run: `Breaker`, shared by every call of one client.

A server that cannot be reached, or that refuses what we send, refuses every call the same way: asking it
again for each part of each file only costs time (issue 12: two minutes for `requests`, hours for Django).
So the layer stops:
- at once, when a call fails before any call has succeeded because the server cannot be reached at all
  (connection refused, a host name that does not resolve, no route, a connect timeout, a failed TLS
  handshake);
- at once, when a model's calls fail with an error that is the caller's fault (HTTP 401, 403, 404, 405, and
  400/422 other than "the prompt is too long for the context") before any call to that model succeeded:
  the key, the URL or the model name is wrong, and every other call would be refused the same way;
- after `max_failures` calls in a row failed for any other reason that says the server is not answering
  (network error, timeout, 5xx/429 after their retries, a reply that is not a chat completion). A call
  that succeeds resets the count.
Once stopped, the layer stays stopped for the run: calls not yet sent are refused, calls waiting for a
retry do not retry. A request already on the wire finishes (it is bounded by the read timeout).

Until one request has reached the server, calls go one at a time (a gate, opened as soon as the first
request's headers are sent, not when its reply arrives), so an unreachable server sees exactly one
connection attempt, and a reachable one loses no parallelism worth measuring.
Thread-safe: everything goes through one condition variable.
"""

from __future__ import annotations

import re
import threading

from secreview.llm.errors import LLMError, Stop

# the request itself is wrong (too long, malformed): another request may well succeed
_REQUEST_SPECIFIC = frozenset({400, 413, 422})
# wrong key, wrong URL, wrong model: every request to that model fails the same way
_CALLER_FAULT = frozenset({400, 401, 403, 404, 405, 422})
_TOO_LONG = re.compile(r"context.length|context.window|maximum context|too many tokens|prompt is too long"
                       r"|reduce the length|too large", re.IGNORECASE)


class Breaker:
    def __init__(self, max_failures: int) -> None:
        self.max_failures = max_failures
        self._cond = threading.Condition()
        self._stop: Stop | None = None
        self._stopped = threading.Event()  # wakes retry back-offs at once
        self._consecutive = 0
        self._reached = False  # a request has reached the server (its headers went out, or a call succeeded)
        self._probe: int | None = None  # the thread whose call goes first, while none has reached the server
        self._any_success = False
        self._working: set[str] = set()  # models with at least one successful call

    @property
    def stop(self) -> Stop | None:
        with self._cond:
            return self._stop

    def admit(self) -> Stop | None:
        """Before a call: the Stop when the layer has stopped; otherwise wait while the first call has not
        yet reached the server, and go (as that first call when none went before)."""
        me = threading.get_ident()
        with self._cond:
            while self._stop is None and not self._reached and self._probe not in (None, me):
                self._cond.wait()
            if self._stop is None and not self._reached:
                self._probe = me
            return self._stop

    def reached(self) -> None:
        """A request's headers went out on an open connection: the server can be reached; open the gate."""
        with self._cond:
            if not self._reached:
                self._reached = True
                self._cond.notify_all()

    def wait(self, seconds: float) -> None:
        """A back-off before a retry, cut short when the layer stops."""
        self._stopped.wait(seconds)

    def succeeded(self, model: str) -> None:
        with self._cond:
            self._end_call()
            self._reached = self._any_success = True
            self._working.add(model)
            self._consecutive = 0
            self._cond.notify_all()

    def ended(self) -> None:
        """A call ended by something that says nothing about the server (an internal error, a refusal)."""
        with self._cond:
            self._end_call()

    def failed(self, model: str, error: LLMError) -> tuple[Stop | None, bool]:
        """A call failed with `error`. Returns (Stop, True) when this failure stops the layer at once (it is
        then reported as the stop, not apart), (Stop, False) when the layer had already stopped while the call
        was in flight, and (None, False) when the failure is reported as usual — also when it completes the
        count: the calls after it are the ones refused."""
        message = str(error)
        with self._cond:
            self._end_call()
            if self._stop is not None:
                return self._stop, False
            if error.kind == "truncated":  # the server answered; the model ran out of tokens
                self._any_success = True
                self._working.add(model)
                self._consecutive = 0
                return None, False
            if error.kind == "unreachable" and not self._any_success:
                return self._open(Stop(f"at the first call: {message}")), True
            if error.kind == "http" and error.status in _CALLER_FAULT and model not in self._working \
                    and not (error.status in _REQUEST_SPECIFIC and _TOO_LONG.search(message)):
                first = "at the first call" if not self._any_success else f"at the first call to model {model}"
                return self._open(Stop(f"{first}: {message}; every other call would fail the same way")), True
            if error.kind == "http" and error.status in _REQUEST_SPECIFIC:
                return None, False  # this request was wrong, not the server
            self._consecutive += 1
            if self._consecutive >= self.max_failures:
                n = self._consecutive
                self._open(Stop(f"after {n} failed call{'s' if n != 1 else ''} in a row (the last: {message})"))
            return None, False

    def _open(self, stop: Stop) -> Stop:
        self._stop = stop
        self._stopped.set()
        self._cond.notify_all()  # callers waiting at the gate learn at once that there is nothing to wait for
        return stop

    def _end_call(self) -> None:
        if self._probe == threading.get_ident():
            self._probe = None  # the next caller at the gate goes first now
            self._cond.notify_all()
