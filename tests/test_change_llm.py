"""`secreview diff --llm`: the LLM layer on a code change, against a scripted chat-completions server on
127.0.0.1. Verified LLM findings are kept to the changed lines like the static ones."""

from __future__ import annotations

import json

import pytest
from change_repo import Repo, diff
from llm_server import ScriptedLLMServer, closed_port, reply

from secreview.cli import main

BASE = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
# the change adds a second shell call on line 9; line 5 is unchanged
HEAD = BASE + "\n\ndef run_again(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def claim(line: int) -> dict:
    return {"cwe": 78, "line": line, "end_line": line, "quote": "return subprocess.call(cmd, shell=True)",
            "description": "cmd reaches a shell", "fix": "pass an argument list", "confidence": "high",
            "names": ["subprocess.call", "cmd"]}


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Repo:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "SECREVIEW_LLM_MODEL", "SECREVIEW_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SECREVIEW_LLM_MAX_RETRIES", "0")
    repo = Repo(tmp_path / "repo")
    repo.commit("base", **{"app.py": BASE})
    repo.commit("Add run_again for the batch job", **{"app.py": HEAD})
    return repo


def test_llm_findings_are_kept_to_the_changed_lines(repo, capsys):
    with ScriptedLLMServer() as server:
        server.script(reply({"verdict": "defects", "defects": [claim(5), claim(9)], "candidates": []}))
        # --select a rule that finds nothing here: only the LLM speaks
        code, found, data = diff(capsys, "HEAD~1..HEAD", "--root", str(repo.root), "--select", "SR510",
                                 "--llm", "--model", "m1", "--llm-url", server.url, "--no-llm-cache")
    assert code == 1
    assert found == [("app.py", 9, "SR900")]  # the claim on unchanged line 5 is verified but not in the change
    assert data["findings"][0]["origin"] == "llm"
    assert data["llm"]["calls"] == 1 and data["errors"] == []


def test_the_cot_prompt_gets_the_range_commit_messages(repo, capsys):
    with ScriptedLLMServer() as server:
        server.script(reply("The change adds run_again, which passes cmd to a shell on line 9. No other defects."),
                      reply("Line 9: subprocess.call(cmd, shell=True) runs cmd through a shell (CWE-78)."))
        diff(capsys, "HEAD~1..HEAD", "--root", str(repo.root), "--llm", "--model", "m1", "--llm-url", server.url,
             "--prompt", "cot", "--no-llm-cache")
        prompts = [m["content"] for r in server.requests for m in r.body["messages"]]
    assert any("Add run_again for the batch job" in p for p in prompts)


def test_a_server_that_is_down_stops_the_llm_layer_with_one_error(repo, capsys):
    port = closed_port()
    main(["diff", "HEAD~1..HEAD", "--root", str(repo.root), "--format", "json", "--llm", "--model", "m1",
          "--llm-url", f"http://127.0.0.1:{port}/v1", "--no-llm-cache", "--select", "SR510"])
    report = json.loads(capsys.readouterr().out)
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [(".", "llm")]
    assert report["errors"][0]["message"].startswith(f"LLM layer stopped at the first call: LLM request to "
                                                     f"http://127.0.0.1:{port}/v1/chat/completions (model m1): ")
    assert report["errors"][0]["message"].endswith("the LLM review finished for 0 of 1 file with code")
    assert report["findings"] == [] and report["verdict"] == "incomplete" and report["complete"] is False
    assert report["summary"] == ("The review is incomplete: the LLM review stopped (see errors); "
                                 "no defects were found in the rest.")
