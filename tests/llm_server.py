"""A real chat-completions HTTP server on 127.0.0.1 with scripted replies, for the LLM tests.

    with ScriptedLLMServer() as server:
        server.script(status(429, headers={"Retry-After": "0"}), reply('{"verdict": "clean", "defects": []}'))
        ... settings with base_url=server.url ...
        assert len(server.requests) == 2

Each POST to /v1/chat/completions consumes the next step; when the script is empty the server answers
500 with a body saying so (a test that makes more calls than it scripted fails loudly). Every request is
recorded (path, lower-cased headers, parsed JSON body). `reject_json_schema()` makes the server answer 400
to any request with response_format type json_schema, like servers without structured output; it does
not consume a step. `drop()` closes the connection without an answer. Use the `llm_server` fixture
(import it into the test module) or the context manager.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

COMPLETIONS_PATH = "/v1/chat/completions"
DEFAULT_USAGE = {"prompt_tokens": 100, "completion_tokens": 20}


@dataclass(frozen=True)
class Step:
    status: int = 200
    body: Any = None  # dict -> JSON, str/bytes -> sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reject_json_schema: bool = False  # a setting, not a reply: see ScriptedLLMServer.script
    drop: bool = False  # close the connection without answering (the client sees a network error)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None when the body was not JSON
    raw: bytes


def reply(content: Any, finish_reason: str | None = "stop", usage: dict | None = None, model: str | None = None,
          refusal: str | None = None) -> Step:
    """A 200 chat completion. `content` that is not a str is JSON-encoded; `usage=None` uses DEFAULT_USAGE,
    `usage={}` sends no usage at all."""
    text = content if content is None or isinstance(content, str) else json.dumps(content)
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if refusal is not None:
        message["refusal"] = refusal
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": model,  # None: echo the requested model
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
    }
    chosen = DEFAULT_USAGE if usage is None else usage
    if chosen:
        body["usage"] = {**chosen, "total_tokens": sum(v for v in chosen.values() if isinstance(v, int))}
    return Step(200, body)


def status(code: int, body: Any = None, headers: dict[str, str] | None = None) -> Step:
    if body is None:
        body = {"error": {"message": f"scripted status {code}", "type": "test", "code": code}}
    return Step(code, body, dict(headers or {}))


def delay(seconds: float, then: Step | None = None) -> Step:
    base = then or reply('{"verdict": "clean", "defects": []}')
    return Step(base.status, base.body, base.headers, delay=seconds)


def drop() -> Step:
    return Step(drop=True)


def reject_json_schema() -> Step:
    return Step(reject_json_schema=True)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then closed): connecting to it is refused."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def connection_attempts(records: list[logging.LogRecord]) -> int:
    """TCP connections httpx tried to open, counted from httpcore's own DEBUG log (use with caplog)."""
    return sum(1 for r in records
               if r.name == "httpcore.connection" and r.getMessage().startswith("connect_tcp.started"))


class ScriptedLLMServer:
    def __init__(self) -> None:
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.requests: list[RecordedRequest] = []
        self.rejects_json_schema = False
        self.in_flight = 0
        self.max_in_flight = 0  # most requests handled at the same time (concurrency-limit tests)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        # a short poll interval: shutdown() waits up to one interval, and tests start many servers
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="scripted-llm", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, *steps: Step) -> ScriptedLLMServer:
        with self._lock:
            for step in steps:
                if step.reject_json_schema:
                    self.rejects_json_schema = True
                else:
                    self._steps.append(step)
        return self

    def reject_json_schema(self) -> ScriptedLLMServer:
        self.rejects_json_schema = True
        return self

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._steps)

    def bodies(self) -> list[Any]:
        return [r.body for r in self.requests]

    def close(self) -> None:
        self._closing.set()  # wakes handlers sleeping in a delay step
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedLLMServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- request handling -----------------------------------------------------------------------------------

    def _next(self, request: RecordedRequest) -> Step:
        with self._lock:
            self.requests.append(request)
            if request.method != "POST" or request.path != COMPLETIONS_PATH:
                return status(404, {"error": {"message": f"no route {request.method} {request.path}"}})
            response_format = request.body.get("response_format") if isinstance(request.body, dict) else None
            if self.rejects_json_schema and isinstance(response_format, dict) and \
                    response_format.get("type") == "json_schema":
                return status(400, {"error": {"message": "response_format type 'json_schema' is not supported",
                                              "type": "invalid_request_error", "param": "response_format"}})
            if not self._steps:
                return status(500, {"error": {"message": "ScriptedLLMServer: no scripted reply left "
                                              f"(request #{len(self.requests)})"}})
            return self._steps.popleft()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                return

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    step = server._next(RecordedRequest(self.command, self.path, headers, body, raw))
                    closing = bool(step.delay) and server._closing.wait(step.delay)
                finally:
                    with server._lock:  # before answering: the client may send its next request at once
                        server.in_flight -= 1
                if step.drop:
                    self.close_connection = True
                elif not closing:
                    self._send(step, body)

            def _send(self, step: Step, request_body: Any) -> None:
                payload = step.body
                if isinstance(payload, dict) and step.status == 200 and "choices" in payload:
                    model = request_body.get("model") if isinstance(request_body, dict) else None
                    payload = {**payload, "model": payload.get("model") or model or "scripted"}
                if isinstance(payload, (dict, list)):
                    data, ctype = json.dumps(payload).encode(), "application/json"
                elif isinstance(payload, bytes):
                    data, ctype = payload, "text/plain"
                else:
                    data, ctype = str(payload or "").encode(), "text/plain"
                try:
                    self.send_response(step.status)
                    self.send_header("Content-Type", step.headers.get("Content-Type", ctype))
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in step.headers.items():
                        if name.lower() != "content-type":
                            self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): nothing to answer

        return Handler


@pytest.fixture
def llm_server():
    with ScriptedLLMServer() as server:
        yield server
