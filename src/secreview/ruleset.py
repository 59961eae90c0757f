"""The rule contract and the registry.

A rule is one module in `secreview/rules/` (its presence registers it) with:
- a docstring with the headings `## What it flags`, `## Why it matters`,
  `## Example`, `## Use instead`, `## References` (Example and Use instead hold
  one ```python block each; the test suite checks the first fires and the second
  does not);
- `META`: a frozen `Meta`;
- `NODES`: the AST node types it wants to see;
- `check(node, ctx)`: a pure generator of `Hit`s for one node;
- optionally `NEEDS = ("word", ...)` and/or `prefilter(ctx) -> bool`: a cheap file-level test
  (at least one word is part of an identifier of the file, see `FileContext.mentions` / the
  function says yes) without which the rule cannot report anything in that file, so the engine
  skips it there. It must never drop a hit.

A *taint rule* declares `TAINT = TaintQuery(sources=..., sinks=...)` (kinds from
`secreview.taint_kinds`) instead of, or besides, NODES/check: the taint engine
reports every flow from one of those source kinds to one of those sink kinds (see
`secreview/taint/README.md`). A rule with both keeps a pattern part for what data
flow cannot see; a finding of both at the same place is reported once, with the trace.
Overlaps between rules are declared in `Meta` (`restates`, `defers_to`; checked by
`check_overlaps` when the registry loads) and decided in `secreview.overlap`.
`TaintQuery.for_sink` gives each flow the fix of the very sink it reaches (a command run
locally wants an argument list, one sent over SSH quoting; YAML wants `safe_load`).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

from secreview.analysis.context import FileContext
from secreview.model import DEFECT_TYPES, PILLARS, Confidence, RuleInfo, Severity, TraceStep
from secreview.taint_kinds import SINK_KINDS, SOURCE_KINDS

CODE_PATTERN = re.compile(r"^SR\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
DOC_HEADINGS = ("What it flags", "Why it matters", "Example", "Use instead", "References")


@dataclass(frozen=True, slots=True)
class Meta:
    code: str  # stable id, "SR" + three digits
    name: str  # kebab-case, used in fixtures and suppressions
    title: str  # one line, what is wrong
    cwe: int
    type: str  # one of model.DEFECT_TYPES
    severity: Severity
    confidence: Confidence
    fix: str  # default advice; a hit may give a more precise one
    bandit: tuple[str, ...] = ()  # Bandit ids this rule answers for (`# nosec B602`)
    # Overlaps with other rules, decided in `secreview.overlap` (codes are checked when the registry loads):
    # `restates`: rules whose finding on the line of this rule's traced finding says the same with less
    # evidence (dropped; a suppression of it silences this rule's finding there too). Only a rule with a
    # data-flow part (TAINT) restates: its findings carry the trace.
    restates: tuple[str, ...] = ()
    # `defers_to`: taint rules whose data flow, where it judged a call as one of their sinks and found
    # nothing reaching it, outweighs this rule's claim of a source there: the hit's `without_source` stands.
    defers_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule reports; the engine turns it into a grounded Finding."""

    node: ast.AST  # the flagged code: its lines become the finding's location and snippet
    message: str
    fix: str | None = None
    trace: tuple[TraceStep, ...] = ()
    severity: Severity | None = None
    confidence: Confidence | None = None
    # "Replace this node's source text with this text": the engine turns it into Finding.suggestion
    # (a rewrite of the finding's whole lines). Give it only when the rewrite is exact and safe.
    rewrite: tuple[ast.AST, str] | None = None
    # A hit that claims a source: what the rule reports here instead where data flow judged the call
    # and found no source reaching it (`Meta.defers_to`); None: nothing then.
    without_source: Hit | None = None


CheckFn = Callable[[ast.AST, FileContext], Iterable[Hit]]
# A taint rule's veto on one flow: (sink call, tainted argument, ctx) -> True when the code
# around the sink already validates the value in a way specs cannot express (a containment
# or allow-list test before the call).
ValidatedFn = Callable[[ast.Call, ast.AST, FileContext], bool]
# A taint rule's last word on one flow's hit, given the qualified name of the sink the flow reaches
# (`subprocess.run`, `paramiko.SSHClient.exec_command`; it may lie inside a project helper that
# `hit.node` calls): the hit with the fix (and rewrite) for that sink, or None when that sink call is
# harmless after all (a PyYAML load given a safe Loader by position, which specs cannot see). One kind
# of sink holds calls that need different fixes: a local command wants an argument list without a
# shell, a command sent over SSH quoting.
SinkHitFn = Callable[[Hit, str, FileContext], "Hit | None"]


@dataclass(frozen=True, slots=True)
class TaintQuery:
    """The (sources, sinks) a taint rule joins: kinds of `secreview.taint_kinds`."""

    sources: frozenset[str]
    sinks: frozenset[str]
    validated: ValidatedFn | None = None
    for_sink: SinkHitFn | None = None
    # source kinds whose flows are reported with low confidence (weak evidence that an attacker chooses
    # the value); for `socket_input` only the reply of a service the code called, not a raw socket's data
    weak_sources: frozenset[str] = frozenset()


def no_check(node: ast.AST, ctx: FileContext) -> Iterable[Hit]:
    """The check of a taint rule without a pattern part."""
    return ()


class DeferredFunction:
    """A rule module's function, imported on its first call. Rules read from the rule index
    (`secreview.ruleindex`) carry these, so that a review answered from the result cache imports no
    rule module; `with_code()` swaps in the modules' own rules before files are reviewed."""

    __slots__ = ("module", "path", "_function")

    def __init__(self, module: str, *path: str) -> None:
        self.module, self.path = module, path
        self._function: Callable[..., Any] | None = None

    def __call__(self, *args: Any) -> Any:
        if self._function is None:
            target: Any = importlib.import_module(self.module)
            for attribute in self.path:
                target = getattr(target, attribute)
            self._function = target
        return self._function(*args)


@dataclass(frozen=True)
class Rule:
    meta: Meta
    nodes: tuple[type, ...]
    check: CheckFn
    doc: str
    module: str
    sections: dict[str, str] = field(default_factory=dict)
    taint: TaintQuery | None = None
    needs: frozenset[str] = frozenset()  # NEEDS: the file must spell one of these, or the rule is skipped
    prefilter: Callable[[FileContext], bool] | None = None  # False: the file cannot hold a hit, skip it
    info: RuleInfo | None = None  # set for rules read from the rule index: the report's view, without the catalog

    def applies(self, ctx: FileContext) -> bool:
        """The rule's file-level prefilters: cheap tests that this file can hold a hit at all."""
        if self.needs and not ctx.mentions(self.needs):
            return False
        return self.prefilter is None or self.prefilter(ctx)

    @property
    def deferred(self) -> bool:
        """True for a rule read from the rule index whose module has not been imported (see DeferredFunction)."""
        taint = (self.taint.validated, self.taint.for_sink) if self.taint is not None else ()
        return any(isinstance(f, DeferredFunction) for f in (self.check, self.prefilter, *taint))

    @property
    def example(self) -> str:
        return _code_block(self.sections.get("Example", ""))

    @property
    def use_instead(self) -> str:
        return _code_block(self.sections.get("Use instead", ""))


class RuleError(Exception):
    """A rule module that does not keep the contract."""


def _sections(doc: str) -> dict[str, str]:
    parts = re.split(r"^## +(.+?)\s*$", doc, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def _code_block(text: str) -> str:
    match = re.search(r"```python\n(.*?)```", text, flags=re.DOTALL)
    return match.group(1) if match else ""


def rule_from_module(module: ModuleType) -> Rule:
    name = module.__name__
    meta = getattr(module, "META", None)
    nodes = getattr(module, "NODES", None)
    check = getattr(module, "check", None)
    taint = getattr(module, "TAINT", None)
    doc = module.__doc__ or ""
    if not isinstance(meta, Meta):
        raise RuleError(f"{name}: META must be a secreview.ruleset.Meta")
    if taint is not None:
        _check_taint_query(name, taint)
        if nodes is None and check is None:
            nodes, check = (), no_check
    if not (isinstance(nodes, tuple) and (nodes or taint is not None) and all(isinstance(n, type) for n in nodes)):
        raise RuleError(f"{name}: NODES must be a non-empty tuple of ast node types (or declare TAINT)")
    if not callable(check):
        raise RuleError(f"{name}: check(node, ctx) is missing")
    if not CODE_PATTERN.match(meta.code) or not NAME_PATTERN.match(meta.name):
        raise RuleError(f"{name}: bad code {meta.code!r} or name {meta.name!r}")
    if meta.type not in DEFECT_TYPES:
        raise RuleError(f"{name}: unknown defect type {meta.type!r}")
    return Rule(meta=meta, nodes=nodes, check=check, doc=doc, module=name, sections=_sections(doc), taint=taint,
                needs=_needs(module), prefilter=_custom_prefilter(module))


def _needs(module: ModuleType) -> frozenset[str]:
    """`NEEDS`: words of which at least one must be part of an identifier the file spells for any hit
    to be possible (the module or name every match resolves through; see FileContext.mentions)."""
    needs = getattr(module, "NEEDS", None)
    if needs is None:
        return frozenset()
    if not (isinstance(needs, tuple) and needs and all(isinstance(w, str) and w for w in needs)):
        raise RuleError(f"{module.__name__}: NEEDS must be a non-empty tuple of non-empty strings")
    return frozenset(needs)


def _custom_prefilter(module: ModuleType) -> Callable[[FileContext], bool] | None:
    custom = getattr(module, "prefilter", None)
    if custom is not None and not callable(custom):
        raise RuleError(f"{module.__name__}: prefilter must be a function prefilter(ctx) -> bool")
    return custom


def _check_taint_query(name: str, taint: object) -> None:
    if not isinstance(taint, TaintQuery):
        raise RuleError(f"{name}: TAINT must be a secreview.ruleset.TaintQuery")
    for label, kinds, known in (("source", taint.sources, SOURCE_KINDS), ("sink", taint.sinks, SINK_KINDS)):
        if not isinstance(kinds, frozenset) or not kinds:
            raise RuleError(f"{name}: TAINT {label}s must be a non-empty frozenset of kinds")
        unknown = sorted(k for k in kinds if k not in known)
        if unknown:
            raise RuleError(f"{name}: unknown taint {label} kind(s) {unknown}; known: {sorted(known)}")


@cache
def load_rules() -> tuple[Rule, ...]:
    """Every rule module in `secreview.rules`, sorted by code; duplicates are an error."""
    package = importlib.import_module("secreview.rules")
    rules = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        rules.append(rule_from_module(importlib.import_module(f"secreview.rules.{info.name}")))
    for attr in ("code", "name"):
        seen: dict[str, str] = {}
        for rule in rules:
            key = getattr(rule.meta, attr)
            if key in seen:
                raise RuleError(f"duplicate rule {attr} {key!r} in {seen[key]} and {rule.module}")
            seen[key] = rule.module
    check_overlaps(rules)
    return tuple(sorted(rules, key=lambda r: r.meta.code))


def check_overlaps(rules: Iterable[Rule]) -> None:
    """The overlaps rules declare (`Meta.restates`, `Meta.defers_to`) name other rules of the registry:
    a restating rule and a rule deferred to have a data-flow part."""
    by_code = {rule.meta.code: rule for rule in rules}
    for rule in by_code.values():
        m = rule.meta
        for label, codes in (("restates", m.restates), ("defers_to", m.defers_to)):
            if not isinstance(codes, tuple) or not all(isinstance(c, str) for c in codes):
                raise RuleError(f"{rule.module}: META {label} must be a tuple of rule codes")
            unknown = sorted(c for c in codes if c not in by_code)
            if unknown:
                raise RuleError(f"{rule.module}: META {label} names unknown rule(s) {unknown}")
            if m.code in codes:
                raise RuleError(f"{rule.module}: META {label} names the rule itself")
        if m.restates and rule.taint is None:
            raise RuleError(f"{rule.module}: META restates needs TAINT (only a traced finding restates another)")
        untainted = sorted(c for c in m.defers_to if by_code[c].taint is None)
        if untainted:
            raise RuleError(f"{rule.module}: META defers_to names rule(s) without TAINT {untainted}")


def select_rules(
    rules: Iterable[Rule], select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> tuple[Rule, ...]:
    """Filter by code, name, code prefix (`SR1`) or defect type; unknown selectors are an error."""
    rules = tuple(rules)
    select, ignore = tuple(select), tuple(ignore)

    def matches(rule: Rule, token: str) -> bool:
        m = rule.meta
        return token in (m.code, m.name, m.type) or (token.startswith("SR") and m.code.startswith(token))

    for token in (*select, *ignore):
        if not any(matches(r, token) for r in rules):
            raise RuleError(f"unknown rule, prefix or type: {token!r}")
    chosen = [r for r in rules if not select or any(matches(r, t) for t in select)]
    return tuple(r for r in chosen if not any(matches(r, t) for t in ignore))


def wanted_nodes(rules: Iterable[Rule]) -> frozenset[type]:
    return frozenset(kind for rule in rules for kind in rule.nodes)


def taint_rules(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(r for r in rules if r.taint is not None)


def with_code(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """The same rules as the modules define them: the engine calls `check` once per node, and a
    deferred call there would cost on every one of them."""
    if not any(rule.deferred for rule in rules):
        return rules
    by_code = {rule.meta.code: rule for rule in load_rules()}
    return tuple(by_code[rule.meta.code] for rule in rules)


def rule_info(rule: Rule) -> RuleInfo:
    """What a report says about a rule: its META with the CWE's name and CWE-1000 pillar."""
    if rule.info is not None:
        return rule.info
    from secreview.cwe import load_catalog

    entry = load_catalog().get(rule.meta.cwe)
    pillar = entry.pillar if entry and entry.pillar else 0
    m = rule.meta
    return RuleInfo(m.code, m.name, m.title, m.cwe, entry.name if entry else "", pillar, PILLARS.get(pillar, ""),
                    m.type, m.severity, m.confidence, m.fix, rule.doc)
