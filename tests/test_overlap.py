"""Which of two overlapping findings survives (secreview.overlap), for each kind of overlap the rules
declare in META: a traced finding restating a pattern finding on its line (SR113 over SR110, code
injection CWE-94 over eval injection CWE-95), a suppression carried over to the restating finding, a
pattern rule's source claim deferring to what data flow judged (SR101 to SR104's sinks), and a hybrid
rule's pattern hit giving way to its own data-flow part."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from secreview.analysis.context import FileContext
from secreview.api import review
from secreview.config import Config
from secreview.engine import review_text
from secreview.model import Confidence, Finding, Severity, TraceStep
from secreview.overlap import Dropped, Overlaps, pattern_hits_kept, resolve
from secreview.ruleset import Hit, load_rules
from secreview.taint.result import Flow, TaintResult
from secreview.taint.spec import Sink

RULES = {rule.meta.code: rule for rule in load_rules()}
OVERLAPS = Overlaps.of(RULES.values())

APP = '''import subprocess

from flask import request


def run_code():
    eval(request.args["expr"])


def query(db):
    db.execute("SELECT * FROM t WHERE name = '%s'" % request.args["name"])


def pull():
    subprocess.run("git pull " + request.args["remote"], shell=True)  # nosec B602
'''


def _finding(rule: str, line: int, traced: bool = False, path: str = "app.py") -> Finding:
    meta = RULES[rule].meta
    trace = (TraceStep(path, line, 1, "x", "source"),) if traced else ()
    return Finding(rule=rule, name=meta.name, title=meta.title, cwe=meta.cwe, cwe_name="", pillar=707,
                   pillar_name="", type=meta.type, severity=Severity.HIGH, confidence=Confidence.HIGH, path=path,
                   line=line, end_line=line, column=1, end_column=2, snippet="x", message=rule, fix="",
                   fingerprint=rule + str(line), trace=trace)


def test_declarations_are_read_from_meta():
    assert OVERLAPS.restates["SR113"] == frozenset({"SR110", "SR111", "SR112"})
    assert OVERLAPS.restates["SR105"] == frozenset({"SR102"})  # CWE-95 eval injection is CWE-94 code injection
    assert OVERLAPS.restates["SR104"] == frozenset({"SR101", "SR103"})
    assert RULES["SR101"].meta.defers_to == ("SR104",)
    assert "SR113" in OVERLAPS.traced and "SR110" not in OVERLAPS.traced


DECLARED = sorted((code, restated) for code, codes in OVERLAPS.restates.items() for restated in codes)


def test_every_declared_restatement():
    assert DECLARED == [("SR104", "SR101"), ("SR104", "SR103"), ("SR105", "SR102"), ("SR113", "SR110"),
                        ("SR113", "SR111"), ("SR113", "SR112"), ("SR123", "SR121"), ("SR123", "SR122"),
                        ("SR210", "SR209"), ("SR242", "SR205"), ("SR242", "SR243"), ("SR502", "SR501"),
                        ("SR509", "SR505"), ("SR512", "SR510"), ("SR512", "SR511")]


@pytest.mark.parametrize(("code", "restated"), DECLARED)
def test_the_traced_finding_survives_each_declared_overlap(code: str, restated: str):
    traced, said = _finding(code, 9, traced=True), _finding(restated, 9, traced=True)
    outcome = resolve([said, traced], OVERLAPS)
    assert (outcome.kept, outcome.dropped) == ([traced], [Dropped(said, traced, "restated")])
    quiet = resolve([traced], OVERLAPS, silenced=[said])
    assert (quiet.kept, quiet.dropped) == ([], [Dropped(traced, said, "silenced")])


def test_traced_sql_injection_restates_sql_string_built_on_its_line():
    sqli, built, elsewhere = _finding("SR113", 11, traced=True), _finding("SR110", 11), _finding("SR110", 12)
    outcome = resolve([built, sqli, elsewhere], OVERLAPS)
    assert outcome.kept == [sqli, elsewhere]
    assert outcome.dropped == [Dropped(built, sqli, "restated")]


def test_code_injection_restates_eval_injection():
    code, evaluated = _finding("SR105", 7, traced=True), _finding("SR102", 7, traced=True)
    outcome = resolve([evaluated, code], OVERLAPS)
    assert outcome.kept == [code]
    assert outcome.dropped == [Dropped(evaluated, code, "restated")]


def test_only_a_traced_finding_of_the_declaring_rule_on_the_same_line_and_file_restates():
    built = _finding("SR110", 11)
    assert resolve([built, _finding("SR113", 11)], OVERLAPS).dropped == []  # no trace: nothing shown instead
    assert resolve([built, _finding("SR105", 11, traced=True)], OVERLAPS).dropped == []  # SR105 restates SR102 only
    assert resolve([built, _finding("SR113", 11, traced=True, path="other.py")], OVERLAPS).dropped == []
    # a pattern finding never restates the traced one
    sqli = _finding("SR113", 11, traced=True)
    assert resolve([sqli, _finding("SR110", 11, traced=True)], OVERLAPS).kept[0] is sqli


def test_a_suppression_carries_over_to_the_finding_that_restates_the_silenced_one():
    silenced = _finding("SR101", 15, traced=True)  # `# nosec B602` names SR101 (Bandit's id), not SR104
    command, other_line = _finding("SR104", 15, traced=True), _finding("SR104", 16, traced=True)
    outcome = resolve([command, other_line], OVERLAPS, silenced=[silenced])
    assert outcome.kept == [other_line]
    assert outcome.dropped == [Dropped(command, silenced, "silenced")]
    # only findings of a rule with a data-flow part inherit a suppression; restating waits for the policy
    built = _finding("SR110", 15)
    assert resolve([built], OVERLAPS, silenced=[_finding("SR113", 15, traced=True)]).kept == [built]


def test_engine_and_report_keep_the_traced_finding_and_carry_the_suppression(tmp_path: Path):
    per_file = review_text("app.py", APP, tuple(RULES.values()))
    assert [(f.line, f.rule) for f in per_file.findings] == [(7, "SR102"), (7, "SR105"), (11, "SR110"),
                                                              (11, "SR113")]
    assert per_file.suppressed == 2  # SR101 by its comment, SR104 because it restates SR101 there
    (tmp_path / "app.py").write_text(APP)
    report = review(["app.py"], Config(cache=False, project=False), cwd=tmp_path)
    assert [(f.line, f.rule) for f in report.findings] == [(7, "SR105"), (11, "SR113")]
    assert report.stats.suppressed == 2


def test_restating_waits_for_the_policy(tmp_path: Path):
    """Where the run's policy removes the traced finding, the restated one still reports the defect."""
    (tmp_path / "app.py").write_text(APP)
    config = Config(cache=False, project=False, per_file_ignores=(("app.py", ("SR113",)),))
    report = review(["app.py"], config, cwd=tmp_path)
    assert [(f.line, f.rule) for f in report.findings] == [(7, "SR105"), (11, "SR110")]


def _ctx(source: str) -> FileContext:
    return FileContext("app.py", source, ast.parse(source))


def test_a_source_claim_defers_to_data_flow_that_judged_the_call_clean():
    ctx = _ctx('import subprocess\nsubprocess.run("ls " + name, shell=True)\n')
    call = ctx.tree.body[1].value
    plain = Hit(call, "built", confidence=Confidence.MEDIUM)
    claim = Hit(call, "request data", trace=(TraceStep("app.py", 2, 1, "x", "source"),), without_source=plain)
    shell = RULES["SR101"]
    judged = TaintResult([], frozenset({(id(call), "command")}))
    assert pattern_hits_kept(ctx, shell, [claim], judged) == [plain]
    assert pattern_hits_kept(ctx, shell, [claim], TaintResult()) == [claim]  # not judged: the claim stands
    assert pattern_hits_kept(ctx, shell, [claim], None) == [claim]  # no data flow ran
    reached = TaintResult([_flow(call, "command")], judged.judged)
    assert pattern_hits_kept(ctx, shell, [claim], reached) == [claim]  # SR104 reports it; the report keeps that


def _flow(call: ast.Call, kind: str) -> Flow:
    """Request data reaching `call` as a `kind` sink."""
    return Flow("remote_input", kind, call, call.args[0], (), Sink("stdlib", "subprocess.run", kind))


def test_a_hybrid_rule_drops_its_source_claim_where_its_own_data_flow_judged_the_call():
    ctx = _ctx('import requests\nrequests.get(url, timeout=5)\n')
    call = ctx.tree.body[1].value
    traced = Hit(call, "claim", trace=(TraceStep("app.py", 2, 1, "x", "source"),))
    untraced = Hit(call, "built from non-literal values")
    ssrf = RULES["SR211"]
    assert pattern_hits_kept(ctx, ssrf, [traced, untraced], TaintResult([], frozenset({(id(call), "url")}))) == [
        untraced]
    # `requests.get` is a `url` sink in the specs: data flow speaks for it even where it did not walk
    assert pattern_hits_kept(ctx, ssrf, [traced, untraced], TaintResult()) == [untraced]


def test_shell_command_judged_clean_by_data_flow_is_reported_without_its_source():
    source = '''import re
import subprocess

from flask import request

SAFE = re.compile(r"[a-z0-9_-]+")


def checkout():
    branch = request.args["branch"]
    if not SAFE.fullmatch(branch):
        return "bad"
    subprocess.run("git checkout " + branch, shell=True)
'''
    alone = review_text("app.py", source, (RULES["SR101"],))  # no taint rule runs: nothing judged the call
    assert [(f.line, f.confidence, bool(f.trace)) for f in alone.findings] == [(13, Confidence.HIGH, True)]
    both = review_text("app.py", source, (RULES["SR101"], RULES["SR104"]))
    assert [(f.line, f.rule, f.confidence, f.message) for f in both.findings] == [
        (13, "SR101", Confidence.MEDIUM,
         "`subprocess.run` runs a shell command built with concatenation from non-literal values.")]


def test_a_hybrid_rule_reports_the_traced_hit_once():
    source = '''import requests
from flask import request


def preview():
    target = request.args["url"]
    page = requests.get(target, timeout=5)
    return page.text
'''
    ssrf = RULES["SR211"]
    ctx = FileContext("app.py", source, ast.parse(source), frozenset(ssrf.nodes))
    pattern = [hit for kind in ssrf.nodes for node in ctx.nodes_by_type.get(kind, ()) for hit in ssrf.check(node, ctx)]
    assert [(h.node.lineno, bool(h.trace), h.message.split(" whose")[0]) for h in pattern] == [
        (7, True, "`requests.get` sends a request to a URL")]
    found = review_text("app.py", source, (ssrf,)).findings
    assert [(f.line, f.rule, f.message.split(":")[0], bool(f.trace)) for f in found] == [
        (7, "SR211", "Data from the network client reaches the address of an outgoing request (SSRF)", True)]
