"""What the project phase hands to the per-file review in one process: the trees it parsed
(not parsed again) and the flows it found in them, which must be exactly what `analyze`
reports for those modules; and the review's use of the cycle collector."""

from __future__ import annotations

import gc

import pytest

from conftest import FIXTURES
from secreview import api, engine, memory
from secreview.analysis.context import FileContext
from secreview.config import Config
from secreview.ruleset import load_rules, wanted_nodes
from secreview.source import discover, parse
from secreview.taint.engine import analyze
from secreview.taint.layout import collect, module_roots
from secreview.taint.project import build_phase
from secreview.taint.rules import spec_index

CASES = sorted(p for p in (FIXTURES / "taint").iterdir() if p.is_dir())


def flow_key(flow) -> tuple:
    node = flow.sink_node
    return (node.lineno, node.col_offset, flow.source_kind, flow.sink_kind, flow.sink.call,
            flow.arg_node.lineno, flow.arg_node.col_offset, tuple((s.path, s.line, s.note) for s in flow.trace))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_phase_flows_are_the_flows_analyze_reports(case):
    files, _ = discover(["."], cwd=case)
    phase = build_phase(collect(files, module_roots(["."], case)), 2_000_000, None, "sig",
                        wanted_nodes(load_rules()), keep_contexts=True)
    assert set(phase.flows) <= set(phase.contexts)
    for display, ctx in phase.contexts.items():
        module = phase.modules[display].name
        parsed, error = parse(ctx.source, display)
        assert error is None and parsed is not None
        fresh = FileContext(display, parsed.source, parsed.tree)
        expected = [flow_key(f) for f in analyze(fresh, module, spec_index(), phase.project).flows]
        if display in phase.flows:
            assert [flow_key(f) for f in phase.flows[display].flows] == expected, display
        else:  # not final after the fixpoint: the per-file review analyses it again
            assert analyze(ctx, module, spec_index(), phase.project) is not None


def test_a_summarised_module_is_parsed_once(tmp_path, monkeypatch):
    (tmp_path / "helpers.py").write_text("import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n")
    (tmp_path / "view.py").write_text(
        "from flask import request\nfrom helpers import run\n\ndef handler():\n    run(request.args['c'])\n")
    parsed: list[str] = []
    real = engine.parse
    monkeypatch.setattr(engine, "parse", lambda text, shown: parsed.append(shown) or real(text, shown))
    report = api.review(["."], Config(jobs=1, cache=False), cwd=tmp_path)
    assert [(f.path, f.line, f.rule) for f in report.findings if f.rule == "SR104"] == [("view.py", 5, "SR104")]
    assert parsed == ["view.py"]  # helpers.py: the phase's tree was reused


def test_reviewing_leaves_no_cycles_that_hold_trees():
    """With the collector paused during a review, a tree must be freed by reference counting:
    nothing the review keeps per file may form a cycle (secreview/memory.py)."""
    rules = load_rules()
    paths = sorted((FIXTURES / "taint").rglob("*.py"))[:30] + sorted((FIXTURES / "rules").rglob("*.py"))[:30]
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for path in paths:
            engine.review_bytes(path.name, path.read_bytes(), rules)
        gc.collect()
        kinds = {type(o).__name__ for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert not kinds & {"FileContext", "Module", "FunctionDef", "ModuleAnalysis", "FunctionAnalysis", "Typer",
                        "FileResult", "Finding"}


def test_the_collector_is_left_as_it_was(tmp_path):
    (tmp_path / "a.py").write_text("import os\nos.system(input())\n")
    assert gc.isenabled()
    frozen_before = gc.get_freeze_count()
    api.review(["."], Config(jobs=1, cache=False), cwd=tmp_path)
    assert gc.isenabled() and gc.get_freeze_count() == frozen_before
    gc.disable()
    try:
        with memory.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_parallel_and_one_process_reviews_agree(tmp_path):
    """Workers parse and analyse for themselves (no kept trees): the same findings, traces included."""
    (tmp_path / "helpers.py").write_text("import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n")
    (tmp_path / "view.py").write_text(
        "from flask import request\nfrom helpers import run\n\ndef handler():\n    run(request.args['c'])\n")
    for number in range(api.PARALLEL_THRESHOLD):
        (tmp_path / f"filler_{number}.py").write_text(f"from helpers import run\n\ndef f():\n    run('ls {number}')\n")

    def findings(jobs: int) -> list[tuple]:
        report = api.review(["."], Config(jobs=jobs, cache=False), cwd=tmp_path)
        return [(f.path, f.line, f.rule, f.message, f.trace) for f in report.findings]

    serial = findings(1)
    assert [(p, line, rule) for p, line, rule, _, _ in serial if rule == "SR104"] == [("view.py", 5, "SR104")]
    assert findings(2) == serial


def test_the_module_rounds_know_what_an_empty_summary_looks_like():
    """A new function whose summary is still empty must not count as changed (a wrong empty shape
    made every module re-walk every unit once more: 15% of the time on Django)."""
    from secreview.taint.module import _EMPTY_SHAPE
    from secreview.taint.summaries import FunctionSummary

    assert FunctionSummary(name="f", path="m.py", line=1, params=()).shape() == _EMPTY_SHAPE


def test_an_edit_to_one_member_of_an_import_cycle_does_not_review_the_others_again(tmp_path, monkeypatch):
    """The cycle is summarised again as a whole (its summaries depend on each other), but a member's file
    result depends only on what that member's own last run asked: `views` reads `audit.note` (its trace
    copies none of audit's lines) and nothing of `audit.extra`, so an edit to `audit.extra` leaves `views`'
    cached result standing."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "views.py").write_text(
        "import subprocess\n\nfrom flask import request\n\nfrom app import audit\n\n\n"
        "def ping():\n    host = request.args['host']\n    audit.note(host)\n"
        "    return subprocess.run('ping ' + host, shell=True)\n")
    audit = "from app import views\n\n\ndef note(value):\n    return value\n\n\ndef extra():\n    return {}\n"
    (app / "audit.py").write_text(audit)
    config = Config(jobs=1, cache_dir=str(tmp_path / "cache"))
    reviewed: list[str] = []
    real_review = api.review_bytes
    monkeypatch.setattr(api, "review_bytes", lambda display, *a, **k: reviewed.append(display) or
                        real_review(display, *a, **k))

    def found(report) -> list[tuple[str, int, str]]:
        return sorted((f.path, f.line, f.rule) for f in report.findings)

    first = api.review(["app"], config, cwd=tmp_path)
    assert found(first) == [("app/views.py", 11, "SR104")]
    # the edit changes audit's summary (extra now returns what it is given) and moves no line views reads
    (app / "audit.py").write_text(audit.replace("def extra():\n    return {}", "def extra(x):\n    return x"))
    reviewed.clear()
    second = api.review(["app"], config, cwd=tmp_path)
    assert reviewed == ["app/audit.py"]
    assert found(second) == found(api.review(["app"], Config(jobs=1, cache=False), cwd=tmp_path))
