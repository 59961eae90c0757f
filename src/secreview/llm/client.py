"""A client for any OpenAI-compatible `/v1/chat/completions` server (OpenAI, Ollama, vLLM, llama.cpp, LM Studio).

What it guarantees to the review layer:
- a reply is either complete (`finish_reason` not "length") or an `LLMError`: a cut-off answer is never
  handed over as if it were the model's whole opinion;
- structured output is requested as strictly as the server allows (json_schema > json_object > text) and
  the mode actually used is reported, so the caller knows how much the reply's shape can be trusted;
- transient failures (network, 408/409/429/5xx) are retried with exponential backoff, honouring
  `Retry-After`; a read timeout is not retried (a model too slow once is too slow again), nor is a
  connection that cannot be opened at all (refused, name not resolving: not transient);
- calls stop for the rest of the run when the server is unreachable or refuses us (breaker.py): a call
  the breaker refuses raises `LLMStopped`;
- the API key is sent in the Authorization header only and never appears in an error message or repr.
Thread-safe: the review runs calls in a thread pool; a semaphore caps concurrent requests.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from secreview.llm.breaker import Breaker
from secreview.llm.cache import ReplyCache, cache_key
from secreview.llm.errors import LLMError, LLMStopped, describe, error_detail, retry_after, unreachable_cause
from secreview.llm.settings import LLMSettings
from secreview.llm.types import ChatReply, Usage

log = logging.getLogger(__name__)  # request outcomes at DEBUG; never headers, never the key
MODES = ("json_schema", "json_object", "text")
_RETRY_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
MAX_RETRY_AFTER = 60.0  # seconds: a server asking for more is treated as down for this run
MAX_BACKOFF = 30.0
_SCHEMA_WORDS = re.compile(r"response_format|json_schema|json_object|structured|grammar", re.IGNORECASE)
_TEMPERATURE_REFUSED = re.compile(r"temperature.*(unsupported|not supported|does not support|only the default)"
                                  r"|(unsupported|not supported).*temperature", re.IGNORECASE)
_CUT_OFF = {"length": "the reply hit max_tokens", "content_filter": "the server's content filter cut the reply"}


class ChatClient:
    def __init__(self, settings: LLMSettings, cache: ReplyCache | None = None):
        self.settings = settings
        # cache=None: the client opens (and later closes) the cache the settings ask for; a cache passed in
        # belongs to the caller and stays open
        self._owns_cache = cache is None and settings.cache
        if cache is None and settings.cache:
            cache = ReplyCache(settings.cache_dir)
        self._cache = cache if settings.cache else None
        headers = {"Accept": "application/json", "User-Agent": "secreview-llm"}
        if settings.api_key:
            headers["Authorization"] = f"Bearer {settings.api_key}"
        timeout = httpx.Timeout(
            connect=settings.connect_timeout, read=settings.read_timeout,
            write=settings.read_timeout, pool=None,  # pool waits are bounded by our own semaphore
        )
        # trust_env=False: an HTTP(S)_PROXY meant for the web must not silently see our code and key
        self._http = httpx.Client(timeout=timeout, headers=headers, follow_redirects=False, trust_env=False)
        self._slots = threading.BoundedSemaphore(settings.concurrency)
        self.breaker = Breaker(settings.max_failures)
        parts = urlsplit(settings.base_url)
        self._host = parts.netloc
        # RFC 6761: names under .invalid never resolve, and resolvers should say so without asking anyone
        self._never_resolves = (parts.hostname or "").rstrip(".").split(".")[-1] == "invalid"
        self._lock = threading.Lock()
        self._usage = Usage()
        self._modes: dict[tuple[str, str], str] = {}  # (base_url, model) -> best mode the server accepted
        self._quirks: dict[tuple[str, str], set[str]] = {}  # (base_url, model) -> adaptations it needed

    def __repr__(self) -> str:
        return f"ChatClient(endpoint={self.settings.endpoint!r}, models={self.settings.models!r})"

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------------------------------

    def complete(self, messages: list[dict], *, model: str, schema: dict | None = None,
                 code_hash: str = "", seed: int | None = None) -> ChatReply:
        """One chat completion. Raises LLMError when no complete reply could be obtained."""
        params = {"temperature": self.settings.temperature, "max_tokens": self.settings.max_tokens,
                  "seed": seed, "schema": schema}
        key = cache_key(self.settings.base_url, model, messages, code_hash, params)
        if self._cache is not None:
            hit = self._cache.get(key)
            if hit is not None:
                return hit
        stop = self.breaker.admit()  # may wait while the first call of the run has not reached the server
        if stop is not None:
            raise LLMStopped(stop, made=False)
        try:
            data, mode = self._exchange(messages, model, schema, seed)
            reply = self._reply(data, model, mode, key)
        except LLMStopped:
            self.breaker.ended()
            raise
        except LLMError as error:
            stop, at_once = self.breaker.failed(model, error)
            if stop is not None:
                raise LLMStopped(stop, made=True, trigger=error if at_once else None) from error
            raise
        except BaseException:
            self.breaker.ended()
            raise
        self.breaker.succeeded(model)
        if self._cache is not None and _cacheable(reply, schema):
            self._cache.put(key, reply)
        return reply

    def _exchange(self, messages: list[dict], model: str, schema: dict | None,
                  seed: int | None) -> tuple[dict[str, Any], str]:
        """POST until the server accepts the request's features: (reply data, structured-output mode used)."""
        where = (self.settings.base_url, model)
        mode = self._mode_for(model) if schema is not None else "text"
        while True:
            with self._lock:
                quirks = frozenset(self._quirks.get(where, ()))
            payload = self._payload(messages, model, schema, seed, mode, quirks)
            try:
                return self._post(payload, model), mode
            except _Unsupported as unsupported:
                # the server refused one request feature: adapt once, remember it for this model, ask again
                with self._lock:
                    if unsupported.feature == "response_format" and mode != "text":
                        mode = MODES[MODES.index(mode) + 1]
                        self._modes[where] = mode
                    elif unsupported.feature != "response_format" and unsupported.feature not in quirks:
                        self._quirks.setdefault(where, set()).add(unsupported.feature)
                    else:
                        raise unsupported.error from None

    def forget(self, reply: ChatReply) -> None:
        """Drop a cached reply the caller found unusable (e.g. it does not validate against the schema)."""
        if self._cache is not None and reply.cache_key:
            self._cache.delete(reply.cache_key)

    def usage_total(self) -> Usage:
        with self._lock:
            return self._usage

    def cost(self) -> float | None:
        """Cost of the tokens used so far, in the currency of the configured prices (None: no prices)."""
        price_in, price_out = self.settings.price_input, self.settings.price_output
        if price_in is None and price_out is None:
            return None
        usage = self.usage_total()
        return (usage.prompt_tokens * (price_in or 0.0) + usage.completion_tokens * (price_out or 0.0)) / 1e6

    def close(self) -> None:
        self._http.close()
        if self._cache is not None and self._owns_cache:
            self._cache.close()

    # -- request building -----------------------------------------------------------------------------------

    def _mode_for(self, model: str) -> str:
        with self._lock:
            return self._modes.get((self.settings.base_url, model), "json_schema")

    def _payload(self, messages: list[dict], model: str, schema: dict | None, seed: int | None,
                 mode: str, quirks: frozenset[str] = frozenset()) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": model, "messages": messages}
        if "default_temperature" not in quirks:  # reasoning models accept only their default temperature
            payload["temperature"] = self.settings.temperature
        # newer OpenAI models refuse max_tokens and want max_completion_tokens (same meaning)
        token_field = "max_completion_tokens" if "max_completion_tokens" in quirks else "max_tokens"
        payload[token_field] = self.settings.max_tokens
        payload["stream"] = False
        if seed is not None:
            payload["seed"] = seed
        if schema is None:
            return payload
        if mode == "json_schema":
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": _schema_name(schema), "strict": True, "schema": schema},
            }
            return payload
        if mode == "json_object":
            payload["response_format"] = {"type": "json_object"}
        payload["messages"] = _with_schema_instruction(messages, schema)
        return payload

    # -- transport ------------------------------------------------------------------------------------------

    def _post(self, payload: dict[str, Any], model: str) -> dict[str, Any]:
        url = self.settings.endpoint
        where = f"LLM request to {url} (model {model})"
        attempts = 0
        while True:
            attempts += 1
            wait: float | None = None
            started = time.monotonic()
            try:
                with self._slots:
                    stop = self.breaker.stop  # checked again after waiting for a slot or a back-off
                    if stop is not None:
                        raise LLMStopped(stop, made=attempts > 1)
                    if self._never_resolves:
                        raise LLMError("unreachable", f"{where}: the host name of {self._host} does not resolve "
                                       "(names under .invalid never do, RFC 6761)")
                    response = self._http.post(url, json=payload, extensions={"trace": self._trace})
                log.debug("%s attempt %d: HTTP %d in %.2fs", where, attempts, response.status_code,
                          time.monotonic() - started)
            except httpx.ReadTimeout:
                raise LLMError("timeout", f"{where}: no reply within the read timeout of "
                               f"{self.settings.read_timeout:g}s", attempts=attempts) from None
            except httpx.ConnectTimeout as exc:  # nothing answered at all: not retried, like a refusal
                raise LLMError("unreachable", f"{where}: no connection to {self._host} within the connect "
                               f"timeout of {self.settings.connect_timeout:g}s ({describe(exc)})",
                               attempts=attempts) from None
            except httpx.TimeoutException as exc:
                error = LLMError("timeout", f"{where}: {describe(exc)} (connect timeout "
                                 f"{self.settings.connect_timeout:g}s)", attempts=attempts)
            except httpx.ConnectError as exc:  # refused, no such host, no route, TLS: asking again changes nothing
                raise LLMError("unreachable", f"{where}: {unreachable_cause(exc, self._host)}",
                               attempts=attempts) from None
            except httpx.TransportError as exc:
                error = LLMError("network", f"{where}: {describe(exc)}", attempts=attempts)
            else:
                if response.status_code == 200:
                    return self._json(response, where, attempts)
                error = self._http_error(response, where, attempts, payload)
                if response.status_code not in _RETRY_STATUSES:
                    raise error
                wait = retry_after(response.headers)
            if attempts > self.settings.max_retries:
                if attempts > 1:
                    error.args = (f"{error} (gave up after {attempts} attempts)",)
                raise error
            if wait is None:
                wait = min(self.settings.backoff * (2 ** (attempts - 1)), MAX_BACKOFF)
            elif wait > MAX_RETRY_AFTER:
                error.args = (f"{error} (server asked to retry after {wait:g}s; not waiting that long)",)
                raise error
            log.debug("%s; retrying in %.2fs", error, wait)
            self.breaker.wait(wait)  # returns early when the layer stops; the next attempt then is not made

    def _trace(self, event: str, info: dict) -> None:
        """httpcore's trace hook: a request whose headers are going out has reached the server."""
        if event.endswith(".send_request_headers.started"):
            self.breaker.reached()

    def _http_error(self, response: httpx.Response, where: str, attempts: int, payload: dict) -> LLMError:
        detail = self._redact_key(error_detail(response))
        error = LLMError("http", f"{where}: HTTP {response.status_code}: {detail}",
                         status=response.status_code, attempts=attempts)
        code = response.status_code
        # 400/422 is the usual answer; llama.cpp-style servers answer 500 when they cannot build the grammar
        if code in (400, 422, 500, 501) and "response_format" in payload and _SCHEMA_WORDS.search(detail):
            raise _Unsupported("response_format", error)
        if code == 400 and "max_tokens" in payload and "max_completion_tokens" in detail:
            raise _Unsupported("max_completion_tokens", error)
        if code == 400 and "temperature" in payload and _TEMPERATURE_REFUSED.search(detail):
            raise _Unsupported("default_temperature", error)
        return error

    def _json(self, response: httpx.Response, where: str, attempts: int) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            excerpt = self._redact_key(response.text[:200])
            raise LLMError("protocol", f"{where}: the server's reply is not JSON: {excerpt!r}",
                           status=200, attempts=attempts) from None
        if not isinstance(data, dict):
            raise LLMError("protocol", f"{where}: the server's reply is not a JSON object", status=200)
        return data

    def _reply(self, data: dict[str, Any], model: str, mode: str, key: str) -> ChatReply:
        where = f"LLM reply from {self.settings.endpoint} (model {model})"
        usage = _usage(data.get("usage"))
        with self._lock:
            self._usage = self._usage + usage  # tokens are paid for even when the reply is unusable
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            error = data.get("error")  # some proxies answer 200 with an error object
            if isinstance(error, dict):
                error = error.get("message", error)
            detail = f": {self._redact_key(str(error))[:300]}" if error else ""
            raise LLMError("protocol", f"{where}: no choices in the reply{detail}", status=200)
        choice = choices[0]
        finish = choice.get("finish_reason") or "stop"  # some servers send null on a normal end
        if finish in _CUT_OFF:
            raise LLMError("truncated", f"{where}: {_CUT_OFF[finish]} (finish_reason {finish!r}); "
                           "the answer is incomplete", status=200)
        message = choice.get("message")
        if not isinstance(message, dict):
            raise LLMError("protocol", f"{where}: the choice has no message", status=200)
        content = message.get("content")
        if not isinstance(content, str):
            refusal = message.get("refusal")
            reason = f"the model refused: {refusal}" if isinstance(refusal, str) and refusal else "no text content"
            raise LLMError("protocol", f"{where}: {reason}", status=200)
        return ChatReply(content=content, finish_reason=str(finish), model=str(data.get("model") or model),
                         usage=usage, mode=mode, cache_key=key)

    def _redact_key(self, text: str) -> str:
        key = self.settings.api_key
        return text.replace(key, "<api-key>") if key else text


class _Unsupported(Exception):
    """The server refused a request feature (response_format, max_tokens, temperature) it does not support."""

    def __init__(self, feature: str, error: LLMError):
        self.feature = feature
        self.error = error


def _cacheable(reply: ChatReply, schema: dict | None) -> bool:
    """Replies asked to be JSON are cached only when they are JSON: a broken one may work next time."""
    if schema is None:
        return bool(reply.content.strip())
    try:
        return isinstance(json.loads(reply.content), dict)
    except ValueError:
        return False


def _schema_name(schema: dict) -> str:
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", str(schema.get("title") or "review_reply")).strip("_")
    return name[:64] or "review_reply"


def _with_schema_instruction(messages: list[dict], schema: dict) -> list[dict]:
    """The schema goes into the prompt when the server cannot enforce it (the caller's list is not touched)."""
    instruction = ("\n\nReply with one JSON object and nothing else. It must validate against this JSON "
                   "Schema:\n```json\n" + json.dumps(schema, indent=1, sort_keys=True) + "\n```")
    result = [dict(m) for m in messages]
    for message in reversed(result):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            message["content"] += instruction
            return result
    result.append({"role": "user", "content": instruction.lstrip()})
    return result


def _usage(data: object) -> Usage:
    if not isinstance(data, dict):
        return Usage()

    def count(name: str) -> int:
        value = data.get(name)
        return value if isinstance(value, int) and value >= 0 else 0

    return Usage(count("prompt_tokens"), count("completion_tokens"))
