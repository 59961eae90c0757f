"""The LLM layer stops calling a server that cannot be reached or refuses us (llm/breaker.py), measured by
what a real server on 127.0.0.1 received and by the connections httpx tried to open — never by timing."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from dataclasses import replace

import pytest
from llm_server import ScriptedLLMServer, closed_port, connection_attempts, delay, reply, status

from secreview.llm.client import ChatClient
from secreview.llm.errors import LLMError, LLMStopped
from secreview.llm.settings import LLMSettings

MESSAGES = [{"role": "system", "content": "You review code."}, {"role": "user", "content": "Review: x = 1"}]
CLEAN = {"verdict": "clean"}


@pytest.fixture
def server():
    with ScriptedLLMServer() as scripted:
        yield scripted


@pytest.fixture
def connections(caplog):
    caplog.set_level(logging.DEBUG, logger="httpcore")
    return lambda: connection_attempts(caplog.records)


def settings_at(url: str, **changes) -> LLMSettings:
    base = LLMSettings(base_url=url, models=("m1",), backoff=0.001, read_timeout=5.0, connect_timeout=2.0,
                       max_retries=3, cache=False)
    return replace(base, **changes)


def call(client: ChatClient, model: str = "m1") -> str:
    """'ok', or the kind of error; a stopped call says whether it was made."""
    try:
        client.complete(MESSAGES, model=model)
    except LLMStopped as stopped:
        return "stopped it" if stopped.trigger else "stopped, made" if stopped.made else "not made"
    except LLMError as error:
        return f"{error.kind} {error.status or ''}".strip()
    return "ok"


def test_a_refused_connection_is_not_retried_and_stops_every_later_call(connections):
    port = closed_port()
    with ChatClient(settings_at(f"http://127.0.0.1:{port}/v1")) as client:
        with pytest.raises(LLMStopped) as caught:
            client.complete(MESSAGES, model="m1")
        assert (caught.value.kind, caught.value.attempts, caught.value.trigger) == ("unreachable", 1, True)
        assert str(caught.value) == (f"LLM request to http://127.0.0.1:{port}/v1/chat/completions (model m1): "
                                     f"127.0.0.1:{port} refused the connection ([Errno 111] Connection refused)")
        assert [call(client) for _ in range(3)] == ["not made"] * 3
        assert client.breaker.stop.reason == f"at the first call: {caught.value}"
    assert connections() == 1


def test_a_name_that_does_not_resolve_is_not_retried(monkeypatch, connections):
    lookups = []

    def resolver_says_no(host, *args, **kwargs):  # what getaddrinfo answers for an unknown name, asked offline
        lookups.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolver_says_no)
    with ChatClient(settings_at("http://llm.example.test:8080/v1")) as client:
        with pytest.raises(LLMStopped) as caught:
            client.complete(MESSAGES, model="m1")
        assert call(client) == "not made"
    assert (caught.value.kind, caught.value.attempts) == ("unreachable", 1)
    assert str(caught.value).endswith("(model m1): the host name of llm.example.test:8080 does not resolve "
                                      "([Errno -2] Name or service not known)")
    assert lookups == ["llm.example.test"] and connections() == 1


def test_a_name_under_invalid_is_never_looked_up(monkeypatch, connections):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: pytest.fail("a .invalid name was looked up"))
    with ChatClient(settings_at("http://llm.invalid/v1")) as client:
        assert [call(client), call(client)] == ["stopped it", "not made"]
        assert client.breaker.stop.reason == (
            "at the first call: LLM request to http://llm.invalid/v1/chat/completions (model m1): the host name "
            "of llm.invalid does not resolve (names under .invalid never do, RFC 6761)")
    assert connections() == 0


def test_a_refused_server_sees_one_connection_attempt_from_many_threads(connections):
    results: list[str] = []
    with ChatClient(settings_at(f"http://127.0.0.1:{closed_port()}/v1", concurrency=4)) as client:
        threads = [threading.Thread(target=lambda: results.append(call(client))) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(results) == ["not made"] * 7 + ["stopped it"]
    assert connections() == 1


def test_the_gate_opens_when_the_first_request_is_sent_not_when_it_is_answered(server):
    server.script(*[delay(0.5, reply(CLEAN))] * 4)
    with ChatClient(settings_at(server.url, concurrency=4)) as client:
        threads = [threading.Thread(target=call, args=(client,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert server.max_in_flight == 4 and len(server.requests) == 4


def test_the_breaker_opens_after_n_failed_calls_and_counts_what_the_server_saw(server):
    server.script(*[status(500)] * 10)
    with ChatClient(settings_at(server.url, max_retries=1, max_failures=3)) as client:
        assert [call(client) for _ in range(5)] == ["http 500"] * 3 + ["not made"] * 2
        assert client.breaker.stop.reason == (
            f"after 3 failed calls in a row (the last: LLM request to {server.url}/chat/completions (model m1): "
            "HTTP 500: scripted status 500 (gave up after 2 attempts))")
    assert len(server.requests) == 6  # three calls, each tried twice


def test_a_success_resets_the_count(server):
    server.script(status(500), status(500), reply(CLEAN), status(500), status(500), reply(CLEAN))
    with ChatClient(settings_at(server.url, max_retries=0, max_failures=3)) as client:
        assert [call(client) for _ in range(6)] == ["http 500", "http 500", "ok", "http 500", "http 500", "ok"]
        assert client.breaker.stop is None
    assert len(server.requests) == 6


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 422])
def test_a_first_call_refused_as_the_callers_fault_stops_at_once(server, code):
    server.script(status(code), reply(CLEAN))
    with ChatClient(settings_at(server.url)) as client:
        assert [call(client), call(client)] == ["stopped it", "not made"]
        assert client.breaker.stop.reason == (
            f"at the first call: LLM request to {server.url}/chat/completions (model m1): HTTP {code}: scripted "
            f"status {code}; every other call would fail the same way")
    assert len(server.requests) == 1 and server.remaining == 1


def test_a_refusal_after_the_model_answered_is_counted_not_final(server):
    server.script(reply(CLEAN), status(401), reply(CLEAN))
    with ChatClient(settings_at(server.url)) as client:
        assert [call(client) for _ in range(3)] == ["ok", "http 401", "ok"]
        assert client.breaker.stop is None


def test_a_model_not_found_stops_at_its_first_call_even_after_another_model_answered(server):
    server.script(reply(CLEAN), status(404, {"error": {"message": "model 'm9' not found"}}))
    with ChatClient(replace(settings_at(server.url), models=("m1", "m9"))) as client:
        assert [call(client, "m1"), call(client, "m9"), call(client, "m1")] == ["ok", "stopped it", "not made"]
        assert client.breaker.stop.reason == (
            f"at the first call to model m9: LLM request to {server.url}/chat/completions (model m9): HTTP 404: "
            "model 'm9' not found; every other call would fail the same way")


def test_a_prompt_too_long_for_the_context_fails_that_call_only(server):
    too_long = {"error": {"message": "This model's maximum context length is 8192 tokens.",
                          "code": "context_length_exceeded"}}
    server.script(status(400, too_long), reply(CLEAN), status(400, too_long), status(400, too_long),
                  status(400, too_long), reply(CLEAN))
    with ChatClient(settings_at(server.url, max_failures=3)) as client:
        assert [call(client) for _ in range(6)] == ["http 400", "ok", "http 400", "http 400", "http 400", "ok"]
        assert client.breaker.stop is None


def test_a_truncated_reply_counts_as_the_server_answering(server):
    server.script(status(500), status(500), reply(json.dumps(CLEAN), finish_reason="length"), status(500),
                  status(500), reply(CLEAN))
    with ChatClient(settings_at(server.url, max_retries=0, max_failures=3)) as client:
        assert [call(client) for _ in range(6)] == ["http 500", "http 500", "truncated 200", "http 500", "http 500",
                                                    "ok"]


def test_a_retry_waiting_in_back_off_stops_when_the_layer_stops(server):
    # one call waits 30 s to retry (Retry-After); another fails for good and opens the breaker (N=1):
    # the waiting call must not retry, and must not sit out its 30 s
    server.script(reply(CLEAN), status(429, headers={"Retry-After": "30"}),
                  status(503, headers={"Retry-After": "3600"}))
    outcome: list[str] = []
    with ChatClient(settings_at(server.url, max_failures=1, concurrency=2)) as client:
        assert call(client) == "ok"
        waiting = threading.Thread(target=lambda: outcome.append(call(client)))
        started = time.monotonic()
        waiting.start()
        while len(server.requests) < 2:
            time.sleep(0.01)
        assert call(client) == "http 503"
        waiting.join(timeout=20)
        assert outcome == ["stopped, made"] and time.monotonic() - started < 20
    assert len(server.requests) == 3  # the 429'd call was not retried
