"""Prompt templates, the reply schema, chunking and the LLM part of the text and JSON reports."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from secreview.llm import chunks, prompts
from secreview.model import CandidateReview, FileError, LLMAnswer, LLMRun, Report, Stats, UnverifiedClaim
from secreview.report import render
from secreview.report.json import from_dict, to_dict

SCHEMA_FILE = Path(__file__).parents[1] / "src" / "secreview" / "report" / "report-schema.json"


def test_the_six_templates_load_and_fill():
    assert prompts.names() == ("basic", "cot", "cwe", "grounded", "pillars", "project")
    values = {"path": "a.py", "part": "", "code": "1 | x = 1", "candidates": "(none)", "project": "demo",
              "commit_message": "Fix login"}
    for name in prompts.names():
        template = prompts.load(name)
        system, steps = prompts.render(template, values)
        assert system["role"] == "system" and "1 | x = 1" in steps[0]
        assert "$" not in "".join(steps)
    assert len(prompts.load("cot").steps) == 2 and "Fix login" in prompts.render(prompts.load("cot"), values)[1][0]
    assert "CWE-707 Improper Neutralization" in prompts.load("pillars").steps[0]
    assert prompts.load("grounded").structured and not prompts.load("basic").structured


def test_unknown_template_and_missing_value_are_clear_errors():
    with pytest.raises(prompts.PromptError, match="unknown prompt 'nope'; choose one of basic, cot"):
        prompts.load("nope")
    with pytest.raises(prompts.PromptError, match=r"\$project has no value"):
        prompts.render(prompts.load("project"), {"path": "a", "part": "", "code": ""})
    with pytest.raises(prompts.PromptError, match="needs one `--- system ---`"):
        prompts.parse_template("x", "--- user ---\nhello")


def test_reply_schema_accepts_a_full_reply_and_refuses_extra_or_missing_fields():
    schema = prompts.reply_schema()
    good = {"verdict": "defects", "candidates": [{"id": "S1", "stance": "disputed", "reason": "constant"}],
            "defects": [{"cwe": 78, "line": 3, "end_line": 3, "quote": "os.system(cmd)", "description": "d",
                         "fix": "f", "confidence": "high", "names": ["os.system"]}]}
    jsonschema.validate(good, schema)
    for bad in ({**good, "extra": 1}, {"verdict": "clean", "defects": [], "candidates": []},
                {"verdict": "none", "defects": []},
                {**good, "defects": [{**good["defects"][0], "line": "3"}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


BIG = "import os\nimport sys\n\n\nclass Store:\n    kind = 'x'\n\n" + "".join(
    f"    def method_{n}(self):\n" + "        value = os.getcwd()\n" * 30 + "        return value\n\n"
    for n in range(3)) + "\ndef tail():\n    return sys.argv\n"


def test_a_small_file_is_one_chunk_with_numbered_lines():
    fits, over = chunks.split("x = 1\ny = 2\n", "a.py", 2000)
    assert (fits, over) == ([chunks.Chunk("a.py", 1, 2, (), True)], [])
    assert chunks.numbered(["x = 1", "y = 2"], fits[0]) == "1 | x = 1\n2 | y = 2"


def test_a_big_file_is_split_by_method_with_imports_and_class_header_as_context():
    lines = chunks.file_lines(BIG)
    fits, over = chunks.split(BIG, "big.py", 1100)
    assert over == []
    assert [(c.start, c.end) for c in fits] == [(6, 6), (8, 39), (41, 72), (74, 105), (108, 109)]
    method = fits[1]
    assert method.context == (1, 2, 5)
    shown = chunks.numbered(lines, method).splitlines()
    assert shown[:4] == [" 1 | import os", " 2 | import sys", "   | ...", " 5 | class Store:"]
    assert shown[4:6] == ["   | ...", " 8 |     def method_0(self):"]


def test_a_part_over_the_budget_is_reported_not_cut():
    fits, over = chunks.split(BIG, "big.py", 800)
    assert [(c.start, c.end) for c in over] == [(8, 39), (41, 72), (74, 105)]
    assert [(c.start, c.end) for c in fits] == [(6, 6), (108, 109)]
    assert chunks.split("def f(:\n" * 2000, "bad.py", 800) == ([], [chunks.Chunk("bad.py", 1, 2000, (), True)])


def _report() -> Report:
    run = LLMRun("http://127.0.0.1:1/v1/chat/completions", ("m1",), "grounded", 1, 1, 1, 0, 1, 100, 20, None, 0,
                 (LLMAnswer("a.py", "whole file", "m1", 1, "failed", 0, 0),),
                 (CandidateReview("a.py", 3, "SR101", "m1", "disputed", "constant argument"),))
    claim = UnverifiedClaim("a.py", 40, 40, 89, "q", "SQL injection", "fix", ("m1",),
                            ("line 40 does not exist (the file has 5 lines)",))
    return Report((), (FileError("a.py", "llm", "a.py (whole file), model m1, sample 1: reply rejected: x", 1),), (),
                  Stats(files=1, reviewed=1), unverified=(claim,), llm=run)


def test_text_report_marks_unverified_claims_only_when_asked():
    quiet = render(_report(), "text")
    assert "1 unverified LLM claim not shown (--show-unverified lists them)" in quiet
    assert "[unverified]" not in quiet
    loud = render(_report(), "text", show_unverified=True)
    assert "  [unverified] a.py:40 CWE-89 (m1): SQL injection\n    - line 40 does not exist" in loud
    assert "  a.py:3 SR101 disputed by m1: constant argument" in loud
    assert loud.rstrip().splitlines()[-1] == ("The review is incomplete: the LLM review of 1 file did not finish "
                                              "(see errors); no defects were found in the rest.")


def test_json_report_carries_the_llm_run_validates_and_reads_back():
    data = to_dict(_report())
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()))
    assert data["verdict"] == "incomplete" and data["errors"][0]["kind"] == "llm"
    assert data["unverified"][0]["reasons"] == ["line 40 does not exist (the file has 5 lines)"]
    back = from_dict(json.loads(json.dumps(data)))
    assert back.llm == _report().llm and back.unverified == _report().unverified
    assert "llm" not in to_dict(Report((), (), (), Stats()))


def test_secrets_are_redacted_before_code_goes_to_a_remote_endpoint(tmp_path):
    from llm_server import ScriptedLLMServer, reply

    from secreview.config import load as load_config
    from secreview.llm.client import ChatClient
    from secreview.llm.review import review_with_llm
    from secreview.llm.settings import LLMSettings

    code = 'TOKEN = "ghp_' + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + '"\n'
    empty = {"verdict": "none", "defects": [], "candidates": []}
    with ScriptedLLMServer() as server:
        server.script(reply(empty), reply(empty))
        local = LLMSettings(base_url=server.url, models=("m",), cache=False, backoff=0.01)
        remote = LLMSettings(base_url="https://llm.example.com/v1", models=("m",), cache=False)
        with ChatClient(local) as client:  # the remote settings decide redaction; the calls stay local
            sent = review_with_llm(Report((), (), (), Stats()), [("a.py", code)], remote, load_config({}),
                                   client=client)
            kept = review_with_llm(Report((), (), (), Stats()), [("a.py", code)], local, load_config({}),
                                   client=client)
        remote_prompt, local_prompt = (r.body["messages"][1]["content"] for r in server.requests)
    assert "ghp_a1B2" not in remote_prompt and "1 | TOKEN = " in remote_prompt and sent.llm.redacted == 1
    assert "ghp_a1B2" in local_prompt and kept.llm.redacted == 0
    assert sent.verdict == "clean" and sent.llm.answers[0].verdict == "none"


def test_consensus_defaults_to_a_majority_unless_set_anywhere(tmp_path):
    from secreview.cli import build_parser
    from secreview.llm.options import settings_from_args

    def k(*flags: str, env: dict | None = None) -> int:
        args = build_parser().parse_args(["scan", "x.py", "--llm", "--llm-url", "http://127.0.0.1:1/v1",
                                          "--model", "a", "--model", "b", "--samples", "2", *flags])
        return settings_from_args(args, env or {}, cwd=tmp_path).consensus

    assert k() == 3
    assert k("--consensus", "1") == 1
    assert k(env={"SECREVIEW_LLM_CONSENSUS": "2"}) == 2
    assert settings_from_args(build_parser().parse_args(["scan", "x.py"]), {}, cwd=tmp_path) is None


def test_a_stopped_llm_layer_is_one_error_and_the_sentence_says_it_stopped():
    stop = FileError(".", "llm", "LLM layer stopped after 3 failed calls in a row (...); 9 other calls were not made")
    failed = tuple(FileError(p, "llm", f"{p} (whole file), model m1, sample 1: HTTP 500") for p in ("a.py", "b.py"))
    alone = Report((), (stop,), (), Stats(files=12, reviewed=12))
    assert alone.verdict == "incomplete" and alone.verdict_sentence == (
        "The review is incomplete: the LLM review stopped (see errors); no defects were found "
        "in the rest.")
    # the files of failed calls are not counted apart: the stop's own message counts every file
    with_failures = Report((), (stop, *failed, FileError("c.py", "syntax", "c.py:1: invalid syntax")), (),
                           Stats(files=12, reviewed=11))
    assert with_failures.verdict_sentence == (
        "The review is incomplete: 1 file could not be reviewed (see errors); the LLM review stopped (see errors); "
        "no defects were found in the rest.")
