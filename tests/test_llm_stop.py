"""`secreview scan --llm` when the server is down or refuses us: the LLM layer stops (llm/breaker.py), the
report gets one error for it, the static findings stand and the verdict is never clean. Counted on a real
server on 127.0.0.1 (requests it saw) and on httpcore's log (connections tried), never timed."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import jsonschema
import pytest
from llm_server import ScriptedLLMServer, closed_port, connection_attempts, reply, status

from secreview.cli import main

HASH = "import hashlib\n\n\ndef digest(password):\n    return hashlib.md5(password.encode()).hexdigest()\n"
PLAIN = "def add(a, b):\n    return a + b\n"
NONE = {"verdict": "none", "defects": [], "candidates": []}
SCHEMA = Path(__file__).parents[1] / "src" / "secreview" / "report" / "report-schema.json"
FILES = ("a.py", "b.py", "c.py", "d.py", "e.py")  # a.py has the static finding; reviewed in this order


@pytest.fixture
def project(tmp_path, monkeypatch, caplog):
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "SECREVIEW_LLM_MODEL", "SECREVIEW_LLM_BASE_URL",
                 "SECREVIEW_LLM_CONCURRENCY", "SECREVIEW_LLM_MAX_FAILURES", "SECREVIEW_LLM_MAX_RETRIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECREVIEW_LLM_BACKOFF", "0.01")
    monkeypatch.chdir(tmp_path)
    for name in FILES:
        (tmp_path / name).write_text(HASH if name == "a.py" else PLAIN)
    (tmp_path / "empty.py").write_text("")  # reviewed statically; nothing for the model, not counted by the stop
    caplog.set_level(logging.DEBUG, logger="httpcore")
    return tmp_path


def scan(url: str, capsys, *args: str, path: str = ".") -> tuple[int, dict]:
    code = main(["scan", path, "--no-cache", "--format", "json", "--llm", "--model", "m1", "--llm-url", url,
                 "--no-llm-cache", *args])
    return code, json.loads(capsys.readouterr().out)


def found(report: dict) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["rule"]) for f in report["findings"]]


def errors(report: dict) -> list[tuple[str, str, str]]:
    return [(e["path"], e["kind"], e["message"]) for e in report["errors"]]


STATIC = [("a.py", 5, "SR302")]
STOPPED = "1 security defect detected. The review is incomplete: the LLM review stopped (see errors)."


def test_a_refused_connection_stops_the_layer_at_the_first_call(project, capsys, caplog):
    port = closed_port()
    code, report = scan(f"http://127.0.0.1:{port}/v1", capsys)
    assert errors(report) == [(".", "llm", f"LLM layer stopped at the first call: LLM request to http://127.0.0.1:"
                                           f"{port}/v1/chat/completions (model m1): 127.0.0.1:{port} refused the "
                                           "connection ([Errno 111] Connection refused); 4 other calls were not "
                                           "made; the static review stands, and the LLM review finished for 0 of "
                                           "5 files with code")]
    assert found(report) == STATIC and report["verdict"] == "defects" and report["complete"] is False
    assert report["summary"] == STOPPED and code != 0
    assert connection_attempts(caplog.records) == 1  # default concurrency 4, max-retries 3: still one
    run = report["llm"]
    assert (run["calls"], run["failed_calls"], run["answers"]) == (0, 1, [])
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))


def test_without_static_findings_the_stopped_review_is_incomplete_not_clean(project, capsys):
    (project / "a.py").write_text(PLAIN)
    _, report = scan(f"http://127.0.0.1:{closed_port()}/v1", capsys)
    assert report["findings"] == [] and report["verdict"] == "incomplete" and len(report["errors"]) == 1
    assert report["summary"] == ("The review is incomplete: the LLM review stopped (see errors); "
                                 "no defects were found in the rest.")


def test_a_host_name_that_does_not_resolve_stops_the_layer_without_asking_anyone(project, capsys, caplog):
    _, report = scan("http://llm.invalid/v1", capsys)
    assert errors(report) == [(".", "llm", "LLM layer stopped at the first call: LLM request to http://llm.invalid/"
                                           "v1/chat/completions (model m1): the host name of llm.invalid does not "
                                           "resolve (names under .invalid never do, RFC 6761); 4 other calls were "
                                           "not made; the static review stands, and the LLM review finished for 0 "
                                           "of 5 files with code")]
    assert found(report) == STATIC and report["summary"] == STOPPED
    assert connection_attempts(caplog.records) == 0


def test_the_breaker_opens_after_three_failed_calls(project, capsys, monkeypatch):
    monkeypatch.setenv("SECREVIEW_LLM_CONCURRENCY", "1")  # one call at a time: the counts are exact
    with ScriptedLLMServer() as server:
        server.script(*[status(500)] * 20)
        _, report = scan(server.url, capsys, "--llm-max-failures", "3")
    assert len(server.requests) == 12  # 3 calls x (1 try + 3 retries); the last 2 calls were not made
    failure = f"LLM request to {server.url}/chat/completions (model m1): HTTP 500: scripted status 500 (gave up " \
              "after 4 attempts)"
    assert errors(report) == [
        (".", "llm", f"LLM layer stopped after 3 failed calls in a row (the last: {failure}); 2 other calls were not "
                     "made; the static review stands, and the LLM review finished for 0 of 5 files with code"),
        *[(name, "llm", f"{name} (whole file), model m1, sample 1: {failure}") for name in FILES[:3]]]
    assert found(report) == STATIC and report["summary"] == STOPPED
    assert report["llm"]["failed_calls"] == 3


def test_the_breaker_under_concurrency_accounts_for_every_call(project, capsys, monkeypatch):
    monkeypatch.setenv("SECREVIEW_LLM_MAX_RETRIES", "0")
    for n in range(5, 12):
        (project / f"z{n}.py").write_text(PLAIN)
    with ScriptedLLMServer() as server:
        server.script(*[status(500)] * 20)
        _, report = scan(server.url, capsys)  # concurrency 4, 12 files, N=3
    stop, *failed = errors(report)
    assert len(failed) == 3 and all(kind == "llm" and "HTTP 500" in message for _, kind, message in failed)
    counts = re.search(r"; (\d+) other calls? (?:was|were) not made(?:; (\d+) calls? in flight failed as well)?;",
                       stop[2])
    not_made, in_flight = int(counts[1]), int(counts[2] or 0)
    assert 3 + in_flight + not_made == 12 and in_flight <= 3
    assert len(server.requests) == report["llm"]["failed_calls"] == 3 + in_flight


def test_a_success_resets_the_count(project, capsys, monkeypatch):
    monkeypatch.setenv("SECREVIEW_LLM_CONCURRENCY", "1")
    monkeypatch.setenv("SECREVIEW_LLM_MAX_RETRIES", "0")
    with ScriptedLLMServer() as server:
        server.script(status(500), status(500), reply(NONE), status(500), status(500))
        _, report = scan(server.url, capsys)
    assert len(server.requests) == 5 and server.remaining == 0
    assert [(path, kind) for path, kind, _ in errors(report)] == [(n, "llm") for n in ("a.py", "b.py", "d.py", "e.py")]
    assert report["summary"] == ("1 security defect detected. The review is incomplete: the LLM review of 4 files "
                                 "did not finish (see errors).")


def test_a_401_on_the_first_call_stops_at_once(project, capsys, monkeypatch):
    monkeypatch.setenv("SECREVIEW_LLM_CONCURRENCY", "1")
    with ScriptedLLMServer() as server:
        server.script(status(401, {"error": {"message": "Incorrect API key provided"}}), *[reply(NONE)] * 4)
        _, report = scan(server.url, capsys)
    assert len(server.requests) == 1
    assert errors(report) == [(".", "llm", f"LLM layer stopped at the first call: LLM request to {server.url}/chat/"
                                           "completions (model m1): HTTP 401: Incorrect API key provided; every "
                                           "other call would fail the same way; 4 other calls were not made; the "
                                           "static review stands, and the LLM review finished for 0 of 5 files "
                                           "with code")]
    assert found(report) == STATIC and report["summary"] == STOPPED


def test_a_401_under_concurrency_is_still_one_error(project, capsys):
    with ScriptedLLMServer() as server:
        server.script(*[status(401, {"error": {"message": "Incorrect API key provided"}})] * 5)
        _, report = scan(server.url, capsys)
    [(path, kind, message)] = errors(report)
    counts = re.search(r"; (\d+) other calls? (?:was|were) not made(?:; (\d+) calls? in flight failed as well)?;",
                       message)
    not_made, in_flight = int(counts[1]), int(counts[2] or 0)
    assert (path, kind) == (".", "llm") and 1 + in_flight + not_made == 5
    assert len(server.requests) == 1 + in_flight <= 4  # at most one per concurrency slot ever reached it


def test_replies_from_the_cache_are_used_when_the_server_is_down(project, capsys):
    with ScriptedLLMServer() as server:
        server.script(reply(NONE))
        main(["scan", "b.py", "--no-cache", "--format", "json", "--llm", "--model", "m1", "--llm-url", server.url])
        capsys.readouterr()
        url = server.url
    # the same endpoint, now down: b.py's reply comes from the cache, the other files are not sent
    code = main(["scan", ".", "--no-cache", "--format", "json", "--llm", "--model", "m1", "--llm-url", url])
    report = json.loads(capsys.readouterr().out)
    [(path, kind, message)] = errors(report)
    assert (path, kind) == (".", "llm") and message.endswith(
        "3 other calls were not made; the static review stands, and the LLM review finished for 1 of 5 files with code")
    assert [(a["path"], a["cached"]) for a in report["llm"]["answers"]] == [("b.py", True)] and code != 0


def test_files_whose_calls_the_stop_took_are_not_indexed(project, capsys, monkeypatch):
    from secreview.llm import review

    built: list[str] = []
    real_build = review.code_index.build

    def counting_build(text: str, path: str):
        built.append(path)
        return real_build(text, path)

    monkeypatch.setattr(review.code_index, "build", counting_build)
    scan(f"http://127.0.0.1:{closed_port()}/v1", capsys)
    assert built == []  # nothing came back to verify: Django's 879 files cost seconds, not half a minute
    with ScriptedLLMServer() as server:
        server.script(reply(NONE))
        scan(server.url, capsys, path="b.py")
    assert built == ["b.py"]
