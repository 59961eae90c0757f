"""Which of two findings about the same defect survives: decided here, and only here, from what the
rules declare in `META` (`restates`, `defers_to`; see `secreview.ruleset.Meta`) and from what data flow
judged (`secreview.taint.result.TaintResult`).

Three questions, asked where the review has what each needs:
- `pattern_hits_kept` (engine, per rule, before hits become findings): a pattern hit that claims a
  source at a call data flow judged. A rule with a data-flow part of its own drops it (its taint part
  reports what reaches the call); a rule that `defers_to` a taint rule says what it says without the
  source (`Hit.without_source`) where data flow found nothing reaching the call.
- `resolve(..., silenced=...)` (engine, after suppressions): a suppression of a finding carries over to
  the traced finding that restates it (`# nosec B602` written before SR104's data flow existed).
- `resolve(...)` (api, after the run's policy): a finding restated by a traced finding on its line is
  dropped. After the policy on purpose: where the thresholds or per-file ignores remove the traced
  finding, the restated one still tells the reader about the defect.

`resolve` returns the kept findings and, for each dropped one, the finding that restated or silenced it.
"""

from __future__ import annotations

import ast
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from secreview.analysis.context import FileContext
from secreview.model import Finding
from secreview.ruleset import Hit, Rule, load_rules
from secreview.taint.result import TaintResult
from secreview.taint.rules import TaintSetup, spec_index


@dataclass(frozen=True)
class Overlaps:
    """The declarations of a set of rules: code -> codes it restates; codes of rules with a data-flow part."""

    restates: Mapping[str, frozenset[str]]
    traced: frozenset[str]

    @classmethod
    def of(cls, rules: Iterable[Rule]) -> Overlaps:
        rules = tuple(rules)
        return cls({r.meta.code: frozenset(r.meta.restates) for r in rules if r.meta.restates},
                   frozenset(r.meta.code for r in rules if r.taint is not None))

    def restating(self, finding: Finding, other: Finding) -> bool:
        """`finding` restates `other`: a traced finding of a rule that declares `other`'s rule, on its line."""
        return (bool(finding.trace) and finding.path == other.path and finding.line == other.line
                and other.rule in self.restates.get(finding.rule, ()))

    def same_defect(self, finding: Finding, other: Finding) -> bool:
        """Both say one thing about one line: the same rule, or one rule restates the other's."""
        if finding.path != other.path or finding.line != other.line:
            return False
        return (finding.rule == other.rule or other.rule in self.restates.get(finding.rule, ())
                or finding.rule in self.restates.get(other.rule, ()))


@dataclass(frozen=True)
class Dropped:
    finding: Finding
    by: Finding  # the finding that restates it, or the suppressed finding whose suppression carries over
    why: str  # "restated" | "silenced"


@dataclass(frozen=True)
class Resolution:
    kept: list[Finding]
    dropped: list[Dropped]


def resolve(findings: Sequence[Finding], overlaps: Overlaps,
            silenced: Sequence[Finding] | None = None) -> Resolution:
    """The findings of one file that survive their overlaps.

    With `silenced` (the file's findings its suppression comments silenced; the engine, before the
    run's policy): a finding of a rule with a data-flow part is dropped where a silenced finding says
    the same about its line. Without it (the findings the run reports, after its policy): a finding
    is dropped where a traced finding of a rule that restates its rule sits on its line."""
    kept: list[Finding] = []
    dropped: list[Dropped] = []
    if silenced is not None:
        by_line: dict[int, list[Finding]] = {}
        for quiet in silenced:
            by_line.setdefault(quiet.line, []).append(quiet)
        for finding in findings:
            carrier = None
            if finding.rule in overlaps.traced:
                carrier = next((q for q in by_line.get(finding.line, ()) if overlaps.same_defect(finding, q)), None)
            if carrier is None:
                kept.append(finding)
            else:
                dropped.append(Dropped(finding, carrier, "silenced"))
        return Resolution(kept, dropped)
    restaters: dict[tuple[str, int], list[Finding]] = {}
    for finding in findings:
        if finding.trace and finding.rule in overlaps.restates:
            restaters.setdefault((finding.path, finding.line), []).append(finding)
    for finding in findings:
        by = next((r for r in restaters.get((finding.path, finding.line), ()) if overlaps.restating(r, finding)),
                  None)
        if by is None:
            kept.append(finding)
        else:
            dropped.append(Dropped(finding, by, "restated"))
    return Resolution(kept, dropped)


def pattern_hits_kept(ctx: FileContext, rule: Rule, hits: list[Hit], taint: TaintResult | None,
                      setup: TaintSetup | None = None) -> list[Hit]:
    """A rule's pattern hits where data flow has its say. For a rule with a data-flow part: minus those
    that claim a *source* (they carry a trace) where data flow judges better: at a call data flow
    judged or the specs name as a sink of the rule's kinds, or where the value passes through a
    project function (whose summary data flow knows; `setup`: the project of the file).
    There a pattern hit the taint part did not confirm is the false alarm taint exists to remove (a
    dead branch, another dict key, a helper that returns a constant). Source-less hits ("built from
    non-literal values") are a different claim and stay. For a rule that `defers_to` taint rules: a
    hit with a `without_source` is replaced by it where data flow judged the call as one of their
    sinks and found nothing reaching it."""
    if not hits:
        return hits
    if rule.taint is not None:
        return _own_data_flow(ctx, rule, hits, taint, setup)
    if rule.meta.defers_to and taint is not None:
        kinds = deferred_sink_kinds(rule.meta.defers_to)
        out: list[Hit] = []
        for hit in hits:
            if hit.without_source is not None and taint.judged_clean(hit.node, kinds):
                out.append(hit.without_source)
            else:
                out.append(hit)
        return out
    return hits


@cache
def deferred_sink_kinds(codes: tuple[str, ...]) -> frozenset[str]:
    """The sink kinds of the registry's taint rules `codes` (selected in this run or not: data flow
    judges every sink kind whichever rules report its flows)."""
    by_code = {rule.meta.code: rule for rule in load_rules()}
    queries = [by_code[code].taint for code in codes]
    return frozenset(kind for query in queries if query is not None for kind in query.sinks)


def _own_data_flow(ctx: FileContext, rule: Rule, hits: list[Hit], taint: TaintResult | None,
                   setup: TaintSetup | None) -> list[Hit]:
    from secreview.taint.engine import ModuleNames

    assert rule.taint is not None
    sinks = spec_index().sinks_by_call
    kinds = rule.taint.sinks
    judged = taint if taint is not None else TaintResult()
    local_functions = {n.name for n in ctx.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    # membership questions about the project are recorded (the file's review depends on their answers)
    project_modules: Container[str] = ModuleNames(setup.project) if setup is not None else frozenset()
    kept = []
    for hit in hits:
        if hit.trace and isinstance(hit.node, ast.Call):
            if judged.judged_as(hit.node, kinds):
                continue  # data flow typed this call as a sink of the rule's kinds and judged it
            name = ctx.call_name(hit.node) or ""
            if any(sink.kind in kinds for sink in sinks.get(name, ()) + sinks.get(name.removeprefix("builtins."), ())):
                continue
            if _through_project_function(ctx, hit.node, local_functions, project_modules):
                continue
        kept.append(hit)
    return kept


def _through_project_function(ctx: FileContext, call: ast.Call, local: set[str], modules: Container[str]) -> bool:
    for node in ast.walk(call):
        # a call that takes something (`pick(template)`) and may turn it into something else
        if node is call or not isinstance(node, ast.Call) or not (node.args or node.keywords):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in local:
            return True
        name = ctx.call_name(node) or ""
        if name.rpartition(".")[0] in modules:
            return True
    return False
