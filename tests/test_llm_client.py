"""ChatClient against a real scripted chat-completions server on 127.0.0.1."""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
from dataclasses import replace

import httpx
import pytest
from llm_server import ScriptedLLMServer, delay, drop, reject_json_schema, reply, status

from secreview.llm.cache import ReplyCache
from secreview.llm.client import ChatClient, LLMError, Usage
from secreview.llm.errors import retry_after
from secreview.llm.settings import LLMSettings

KEY = "sk-test-Zq8WvN3kR7pX2mB5cD9fH1jL4"
SCHEMA = {"title": "review reply", "type": "object", "properties": {"verdict": {"type": "string"}},
          "required": ["verdict"], "additionalProperties": False}
MESSAGES = [{"role": "system", "content": "You review code."}, {"role": "user", "content": "Review: x = 1"}]
CLEAN = {"verdict": "clean"}


@pytest.fixture
def server():
    with ScriptedLLMServer() as scripted:
        yield scripted


def settings_for(server: ScriptedLLMServer, **changes) -> LLMSettings:
    base = LLMSettings(base_url=server.url, models=("m1",), api_key=KEY, backoff=0.01, read_timeout=5.0,
                       connect_timeout=2.0, cache=False)
    return replace(base, **changes)


def test_json_schema_request_payload_and_reply(server):
    server.script(reply(CLEAN, usage={"prompt_tokens": 321, "completion_tokens": 12}))
    with ChatClient(settings_for(server, max_tokens=777, temperature=0.2)) as client:
        answer = client.complete(MESSAGES, model="m1", schema=SCHEMA, seed=7)
    assert answer.content == json.dumps(CLEAN)
    assert (answer.finish_reason, answer.model, answer.mode, answer.cached) == ("stop", "m1", "json_schema", False)
    assert answer.usage == Usage(321, 12)
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body == {
        "model": "m1", "messages": MESSAGES, "temperature": 0.2, "max_tokens": 777, "stream": False, "seed": 7,
        "response_format": {"type": "json_schema",
                            "json_schema": {"name": "review_reply", "strict": True, "schema": SCHEMA}},
    }


def test_without_schema_no_response_format_and_no_key_header(server):
    server.script(reply("No security defects are detected in the code."))
    with ChatClient(settings_for(server, api_key=None)) as client:
        answer = client.complete(MESSAGES, model="m1")
    assert answer.mode == "text"
    assert answer.content == "No security defects are detected in the code."
    [request] = server.requests
    assert "response_format" not in request.body and "seed" not in request.body
    assert "authorization" not in request.headers


def test_falls_back_to_json_object_and_remembers_per_model(server):
    server.script(reject_json_schema(), reply(CLEAN), reply(CLEAN))
    original = json.loads(json.dumps(MESSAGES))
    with ChatClient(settings_for(server)) as client:
        first = client.complete(MESSAGES, model="m1", schema=SCHEMA)
        second = client.complete(MESSAGES, model="m1", schema=SCHEMA, code_hash="other")
    assert (first.mode, second.mode) == ("json_object", "json_object")
    assert original == MESSAGES  # the caller's messages are not modified
    kinds = [r.body.get("response_format", {}).get("type") for r in server.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]  # rejected once, then remembered
    fallback = server.requests[1].body
    assert fallback["messages"][0] == MESSAGES[0]
    assert fallback["messages"][1]["content"].startswith("Review: x = 1\n\nReply with one JSON object")
    assert json.dumps(SCHEMA, indent=1, sort_keys=True) in fallback["messages"][1]["content"]


def test_falls_back_to_text_when_json_mode_is_rejected_too(server):
    no_json = status(400, {"error": {"message": "unknown field: response_format"}})
    server.script(reject_json_schema(), no_json, reply(CLEAN))
    with ChatClient(settings_for(server)) as client:
        answer = client.complete(MESSAGES, model="m1", schema=SCHEMA)
    assert answer.mode == "text"
    assert len(server.requests) == 3
    last = server.requests[2].body
    assert "response_format" not in last
    assert "JSON Schema" in last["messages"][-1]["content"]


def test_server_that_cannot_build_the_grammar_falls_back_too(server):
    server.script(status(500, {"error": {"message": "failed to convert json_schema to grammar"}}), reply(CLEAN))
    with ChatClient(settings_for(server)) as client:
        assert client.complete(MESSAGES, model="m1", schema=SCHEMA).mode == "json_object"
    assert len(server.requests) == 2


def test_adapts_to_models_that_refuse_max_tokens_and_temperature(server):
    tokens = status(400, {"error": {"message": "Unsupported parameter: 'max_tokens' is not supported with this "
                                               "model. Use 'max_completion_tokens' instead."}})
    temperature = status(400, {"error": {"message": "Unsupported value: 'temperature' does not support 0.0 with "
                                                    "this model. Only the default (1) value is supported."}})
    server.script(tokens, temperature, reply(CLEAN), reply(CLEAN))
    with ChatClient(settings_for(server, max_tokens=500)) as client:
        client.complete(MESSAGES, model="o-model")
        client.complete(MESSAGES, model="o-model", code_hash="2")
    sent = [r.body for r in server.requests]
    assert [("max_tokens" in b, "max_completion_tokens" in b, "temperature" in b) for b in sent] == [
        (True, False, True), (False, True, True), (False, True, False), (False, True, False)]
    assert sent[3]["max_completion_tokens"] == 500


def test_a_refusal_repeated_after_adapting_is_an_error(server):
    tokens = status(400, {"error": {"message": "Use 'max_completion_tokens' instead."}})
    server.script(tokens, tokens)
    with ChatClient(settings_for(server)) as client, pytest.raises(LLMError) as caught:
        client.complete(MESSAGES, model="m1")
    assert (caught.value.kind, caught.value.status) == ("http", 400)
    assert len(server.requests) == 2


def test_other_400_is_an_http_error_without_retry(server):
    server.script(status(400, {"error": {"message": "model 'm9' not found"}}))
    with ChatClient(settings_for(server)) as client, pytest.raises(LLMError) as caught:
        client.complete(MESSAGES, model="m9", schema=SCHEMA)
    assert (caught.value.kind, caught.value.status, caught.value.attempts) == ("http", 400, 1)
    assert "HTTP 400: model 'm9' not found" in str(caught.value)
    assert len(server.requests) == 1


@pytest.mark.parametrize("code", [408, 409, 429, 500, 502, 503])
def test_transient_statuses_are_retried(server, code):
    server.script(status(code), reply(CLEAN))
    with ChatClient(settings_for(server)) as client:
        answer = client.complete(MESSAGES, model="m1")
    assert answer.content == json.dumps(CLEAN)
    assert len(server.requests) == 2


@pytest.mark.parametrize("code", [401, 403, 404, 422])
def test_permanent_statuses_are_not_retried(server, code):
    server.script(status(code))
    with ChatClient(settings_for(server)) as client, pytest.raises(LLMError) as caught:
        client.complete(MESSAGES, model="m1")
    assert (caught.value.kind, caught.value.status) == ("http", code)
    assert len(server.requests) == 1


def test_gives_up_after_max_retries(server):
    server.script(*[status(500)] * 4, reply(CLEAN))
    with ChatClient(settings_for(server, max_retries=3)) as client, pytest.raises(LLMError) as caught:
        client.complete(MESSAGES, model="m1")
    assert (caught.value.kind, caught.value.status, caught.value.attempts) == ("http", 500, 4)
    assert str(caught.value).endswith("HTTP 500: scripted status 500 (gave up after 4 attempts)")
    assert len(server.requests) == 4 and server.remaining == 1


def test_no_retries_when_max_retries_is_zero(server):
    server.script(status(503), reply(CLEAN))
    with ChatClient(settings_for(server, max_retries=0)) as client, pytest.raises(LLMError):
        client.complete(MESSAGES, model="m1")
    assert len(server.requests) == 1


def test_retry_after_seconds_is_honoured(server):
    server.script(status(429, headers={"Retry-After": "1"}), reply(CLEAN))
    started = time.monotonic()
    with ChatClient(settings_for(server, backoff=0.001)) as client:
        client.complete(MESSAGES, model="m1")
    assert 0.9 <= time.monotonic() - started < 30  # the 1 s asked for, not the 1 ms backoff
    assert len(server.requests) == 2


def test_retry_after_too_long_gives_up_at_once(server):
    server.script(status(429, headers={"Retry-After": "3600"}), reply(CLEAN))
    with ChatClient(settings_for(server)) as client, pytest.raises(LLMError) as caught:
        client.complete(MESSAGES, model="m1")
    assert (caught.value.kind, caught.value.status) == ("http", 429)
    assert "retry after 3600s" in str(caught.value)
    assert len(server.requests) == 1


def test_retry_after_parsing():
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after(httpx.Headers({"Retry-After": soon})) <= 31
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after(httpx.Headers({"Retry-After": past})) == 0.0
    assert retry_after(httpx.Headers({"Retry-After": "2.5"})) == 2.5
    assert retry_after(httpx.Headers({"retry-after-ms": "1500", "Retry-After": "9"})) == 1.5
    assert retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after(httpx.Headers({})) is None


def test_read_timeout_is_a_timeout_error_and_not_retried(server):
    server.script(delay(3.0, then=reply(CLEAN)), reply(CLEAN))
    started = time.monotonic()
    with ChatClient(settings_for(server, read_timeout=0.3)) as client, pytest.raises(LLMError) as caught:
        client.complete(MESSAGES, model="m1")
    assert time.monotonic() - started < 2.5
    assert (caught.value.kind, caught.value.status) == ("timeout", None)
    assert "no reply within the read timeout of 0.3s" in str(caught.value)
    assert len(server.requests) == 1


def test_dropped_connection_is_a_network_error_retried_then_reported(server):
    server.script(drop(), drop(), drop(), reply(CLEAN))
    with ChatClient(settings_for(server, max_retries=2)) as client, pytest.raises(LLMError) as caught:
        client.complete(MESSAGES, model="m1")
    assert (caught.value.kind, caught.value.attempts) == ("network", 3)
    assert "RemoteProtocolError" in str(caught.value) and "gave up after 3 attempts" in str(caught.value)
    assert len(server.requests) == 3 and server.remaining == 1


def test_truncated_reply_raises_and_still_counts_tokens(server, tmp_path):
    cache = ReplyCache(tmp_path)
    server.script(reply('{"verdict": "vulnerable", "defe', finish_reason="length",
                        usage={"prompt_tokens": 50, "completion_tokens": 2048}))
    with ChatClient(settings_for(server, cache=True), cache) as client:
        with pytest.raises(LLMError) as caught:
            client.complete(MESSAGES, model="m1", schema=SCHEMA)
        assert client.usage_total() == Usage(50, 2048)
    assert caught.value.kind == "truncated"
    assert "finish_reason 'length'" in str(caught.value)
    assert len(cache) == 0


def test_content_filter_is_truncated(server):
    server.script(reply("partial", finish_reason="content_filter"))
    with ChatClient(settings_for(server)) as client, pytest.raises(LLMError) as caught:
        client.complete(MESSAGES, model="m1")
    assert caught.value.kind == "truncated"


def test_null_finish_reason_counts_as_stop(server):
    server.script(reply(CLEAN, finish_reason=None))
    with ChatClient(settings_for(server)) as client:
        assert client.complete(MESSAGES, model="m1").finish_reason == "stop"


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (status(200, "<html>gateway</html>"), "the server's reply is not JSON"),
        (status(200, {"object": "chat.completion", "choices": []}), "no choices in the reply"),
        (status(200, {"error": {"message": "upstream overloaded"}}), "no choices in the reply: upstream overloaded"),
        (reply(None, refusal="I cannot help with that."), "the model refused: I cannot help with that."),
        (status(200, {"choices": [{"finish_reason": "stop"}]}), "the choice has no message"),
    ],
)
def test_malformed_replies_are_protocol_errors(server, step, message):
    server.script(step)
    with ChatClient(settings_for(server)) as client, pytest.raises(LLMError) as caught:
        client.complete(MESSAGES, model="m1")
    assert caught.value.kind == "protocol"
    assert message in str(caught.value)
    assert len(server.requests) == 1


def test_api_key_never_appears_in_errors_or_reprs(server):
    echo = {"error": {"message": f"Incorrect API key provided: {KEY}"}}
    server.script(status(401, echo), status(200, f"bad gateway for {KEY}"))
    settings = settings_for(server)
    with ChatClient(settings) as client:
        errors = []
        for _ in range(2):
            with pytest.raises(LLMError) as caught:
                client.complete(MESSAGES, model="m1")
            errors.append(caught.value)
        texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(settings), repr(client), str(settings)]
    assert "Incorrect API key provided: <api-key>" in str(errors[0])
    assert not any(KEY in text for text in texts)
    assert not any(KEY[:12] in text for text in texts)


def test_api_key_never_appears_in_debug_logs(server, caplog):
    server.script(status(503), status(401, {"error": {"message": f"bad key {KEY}"}}))
    with caplog.at_level(logging.DEBUG), ChatClient(settings_for(server)) as client, pytest.raises(LLMError):
        client.complete(MESSAGES, model="m1")
    assert "attempt 1: HTTP 503" in caplog.text and "retrying in" in caplog.text
    assert KEY not in caplog.text and KEY not in "".join(str(r.args) for r in caplog.records)


def test_usage_totals_and_cost(server):
    server.script(reply(CLEAN, usage={"prompt_tokens": 1000, "completion_tokens": 200}),
                  reply(CLEAN, usage={"prompt_tokens": 3000, "completion_tokens": 800}),
                  reply(CLEAN, usage={}))
    with ChatClient(settings_for(server, price_input=2.5, price_output=10.0)) as client:
        for index in range(3):
            client.complete(MESSAGES, model="m1", code_hash=str(index))
        assert client.usage_total() == Usage(4000, 1000)
        assert client.cost() == pytest.approx((4000 * 2.5 + 1000 * 10.0) / 1e6)
    with ChatClient(settings_for(server)) as unpriced:
        assert unpriced.cost() is None


def test_concurrency_limit_holds_across_threads(server):
    server.script(*[delay(0.2, then=reply(CLEAN)) for _ in range(6)])
    results: list[str] = []
    with ChatClient(settings_for(server, concurrency=2)) as client:
        def call(index: int) -> None:
            results.append(client.complete(MESSAGES, model="m1", code_hash=str(index)).content)

        threads = [threading.Thread(target=call, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert len(results) == 6 and len(server.requests) == 6
    assert server.max_in_flight == 2


def test_replies_are_cached_by_model_prompt_code_and_parameters(server, tmp_path):
    server.script(reply(CLEAN), reply(CLEAN), reply(CLEAN))
    cache = ReplyCache(tmp_path)
    with ChatClient(settings_for(server, cache=True), cache) as client:
        first = client.complete(MESSAGES, model="m1", schema=SCHEMA, code_hash="h1")
        again = client.complete(MESSAGES, model="m1", schema=SCHEMA, code_hash="h1")
        other_code = client.complete(MESSAGES, model="m1", schema=SCHEMA, code_hash="h2")
        other_seed = client.complete(MESSAGES, model="m1", schema=SCHEMA, code_hash="h1", seed=1)
        assert client.usage_total() == Usage(300, 60)  # the cached answer costs nothing
    assert (first.cached, again.cached, other_code.cached, other_seed.cached) == (False, True, False, False)
    assert again.content == first.content and again.mode == "json_schema" and again.usage == first.usage
    assert len(server.requests) == 3 and len(cache) == 3


def test_invalid_json_is_not_cached_and_forget_drops_a_reply(server, tmp_path):
    server.script(reply("Sure! Here is my review: ..."), reply(CLEAN), reply(CLEAN))
    cache = ReplyCache(tmp_path)
    with ChatClient(settings_for(server, cache=True), cache) as client:
        client.complete(MESSAGES, model="m1", schema=SCHEMA)
        assert len(cache) == 0
        good = client.complete(MESSAGES, model="m1", schema=SCHEMA)
        assert len(cache) == 1
        client.forget(good)
        assert len(cache) == 0
        assert client.complete(MESSAGES, model="m1", schema=SCHEMA).cached is False
    assert len(server.requests) == 3


def test_client_opens_its_own_cache_from_settings(server, tmp_path):
    server.script(reply(CLEAN))
    settings = settings_for(server, cache=True, cache_dir=str(tmp_path))
    with ChatClient(settings) as client:
        client.complete(MESSAGES, model="m1")
    with ChatClient(settings) as client:
        assert client.complete(MESSAGES, model="m1").cached is True
    assert len(server.requests) == 1
    assert (tmp_path / "llm-replies-v1.sqlite3").is_file()


def test_cache_disabled_in_settings_ignores_a_given_cache(server, tmp_path):
    server.script(reply(CLEAN), reply(CLEAN))
    cache = ReplyCache(tmp_path)
    with ChatClient(settings_for(server, cache=False), cache) as client:
        client.complete(MESSAGES, model="m1")
        client.complete(MESSAGES, model="m1")
    assert len(server.requests) == 2 and len(cache) == 0


def test_empty_script_answers_500_with_a_clear_body(server):
    with ChatClient(settings_for(server, max_retries=0)) as client, pytest.raises(LLMError) as caught:
        client.complete(MESSAGES, model="m1")
    assert "no scripted reply left" in str(caught.value)
