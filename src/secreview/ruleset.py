"""The rule contract and the registry.

A rule is one module in `secreview/rules/` (its presence registers it) with:
- a docstring with the headings `## What it flags`, `## Why it matters`,
  `## Example`, `## Use instead`, `## References` (Example and Use instead hold
  one ```python block each; the test suite checks the first fires and the second
  does not);
- `META`: a frozen `Meta`;
- `NODES`: the AST node types it wants to see;
- `check(node, ctx)`: a pure generator of `Hit`s for one node.
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

from secreview.analysis.context import FileContext
from secreview.model import DEFECT_TYPES, Confidence, Severity, TraceStep

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


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule reports; the engine turns it into a grounded Finding."""

    node: ast.AST  # the flagged code: its lines become the finding's location and snippet
    message: str
    fix: str | None = None
    trace: tuple[TraceStep, ...] = ()
    severity: Severity | None = None
    confidence: Confidence | None = None


CheckFn = Callable[[ast.AST, FileContext], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    meta: Meta
    nodes: tuple[type, ...]
    check: CheckFn
    doc: str
    module: str
    sections: dict[str, str] = field(default_factory=dict)

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
    doc = module.__doc__ or ""
    if not isinstance(meta, Meta):
        raise RuleError(f"{name}: META must be a secreview.ruleset.Meta")
    if not (isinstance(nodes, tuple) and nodes and all(isinstance(n, type) for n in nodes)):
        raise RuleError(f"{name}: NODES must be a non-empty tuple of ast node types")
    if not callable(check):
        raise RuleError(f"{name}: check(node, ctx) is missing")
    if not CODE_PATTERN.match(meta.code) or not NAME_PATTERN.match(meta.name):
        raise RuleError(f"{name}: bad code {meta.code!r} or name {meta.name!r}")
    if meta.type not in DEFECT_TYPES:
        raise RuleError(f"{name}: unknown defect type {meta.type!r}")
    return Rule(meta=meta, nodes=nodes, check=check, doc=doc, module=name, sections=_sections(doc))


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
    return tuple(sorted(rules, key=lambda r: r.meta.code))


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
