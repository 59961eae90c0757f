"""Which units of a module (its body, functions, methods) are worth walking, and in which order.

A unit is walked only when it can matter: its text mentions a source name (or it is a decorated
handler, or it reads a tainted global or `self` attribute, or it calls a project function that
returns a source), or, when summarising, it has parameters and mentions a sink or a project
function with a non-empty summary, or returns a value. The test is one regular-expression search
over the unit's text, so skipping is cheap. Units are walked callees first (`callee_first`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.taint.calls import DBAPI_METHODS as _DBAPI_WORDS
from secreview.taint.facts import ModuleFacts, UnitNode
from secreview.taint.handlers import decorator_sources
from secreview.taint.labels import Label, is_param
from secreview.taint.secrets import secret_word
from secreview.taint.summaries import FunctionSummary, ProjectSummaries

if TYPE_CHECKING:
    from secreview.taint.loader import SpecIndex


@dataclass
class Unit:
    node: UnitNode
    name: str  # `f`, `Cls.m`, `outer.inner`; "<module>" for the module body
    cls: str | None
    summarised: bool  # a module function or method: calls can resolve to it


class Relevance:
    """Whether a unit is worth walking, from the identifiers in its text."""

    def __init__(self, module: ModuleFacts, project: ProjectSummaries, need_summary: bool,
                 functions: Mapping[str, FunctionSummary], class_attributes: Mapping[str, Mapping[str, Label]],
                 global_names: Mapping[str, Label]):
        """`functions`, `class_attributes`, `global_names`: what the module's analysis holds so far."""
        self.module = module
        self.ctx = module.ctx
        self.need_summary = need_summary
        self.source_words, self.sink_words = _index_words(module.index)
        self.project = project
        local_sources: set[str] = set()
        local_active: set[str] = {"return", "yield"}
        for name, f in functions.items():
            short = name.rsplit(".", 1)[-1]
            if any(not is_param(k[0]) for k in f.returns):
                local_sources.add(short)
            if not f.is_empty():
                local_active.add(short)
        local_sources |= {a for attrs in class_attributes.values() for a in attrs}
        local_sources |= set(global_names)
        self.local_sources = local_sources
        self.local_active = local_active
        self.has_decorator_sources = bool(module.index.sources_by_decorator)

    def wants(self, unit: Unit) -> bool:
        return self.project.unless_walked(lambda: self._wants(unit))

    def _wants(self, unit: Unit) -> bool:
        node = unit.node
        words = unit_words(self.ctx, node)
        if not words.isdisjoint(self.source_words) or not words.isdisjoint(self.local_sources):
            return True
        if self.project.has_any_name("sources", words):
            return True
        if _names_a_secret(words) or not words.isdisjoint(self.module.secret_options):
            return True  # a secret (`secrets.py`): a name, an attribute, a key, an option declared secret
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if self.has_decorator_sources and node.decorator_list and decorator_sources(self.module, node):
                return True
            if self.need_summary and unit.summarised and has_params(node):
                if unit.cls is not None and node.name == "__init__":
                    return True  # where parameters are stored on `self` (summary `stores`)
                return (not words.isdisjoint(self.sink_words) or not words.isdisjoint(self.local_active)
                        or self.project.has_any_name("active", words))
        return False


@lru_cache(maxsize=4096)
def _names_a_secret(words: frozenset[str]) -> bool:
    """Some word names a secret (a unit's words are asked once per relevance test, and a module's
    relevance is tested again each round: a frozenset keeps its hash)."""
    return any(secret_word(w) for w in words)


_IDENTIFIER = re.compile(r"[^\W\d]\w*")


def callee_first(ctx: FileContext, units: list[Unit]) -> list[Unit]:
    """The units in an order where a unit comes after the units it may call, source order breaking ties and
    cycles: a depth-first post-order, iterative (chains can be long). A unit may call the module's
    functions by name and its own class's methods (`self.m()`); a method name shared by many classes
    (`run`, `get`) is not an edge from elsewhere, which keeps this linear in the names the units use."""
    functions: dict[str, list[Unit]] = {}
    methods: dict[tuple[str, str], list[Unit]] = {}
    for unit in units:
        short = unit.name.rsplit(".", 1)[-1]
        if unit.cls is None:
            functions.setdefault(short, []).append(unit)
        else:
            methods.setdefault((unit.cls, short), []).append(unit)
    position = {id(unit): i for i, unit in enumerate(units)}

    def callees(unit: Unit) -> list[Unit]:
        words = unit_words(ctx, unit.node)
        called = [c for word in words & functions.keys() for c in functions[word]]
        if unit.cls is not None:
            called += [c for word in words for c in methods.get((unit.cls, word), ())]
        return sorted({id(c): c for c in called if c is not unit}.values(), key=lambda c: position[id(c)])

    order: list[Unit] = []
    seen: set[int] = set()
    for root in units:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(callees(root)))]
        while stack:
            unit, rest = stack[-1]
            callee = next(rest, None)
            if callee is None:
                stack.pop()
                order.append(unit)
            elif id(callee) not in seen:
                seen.add(id(callee))
                stack.append((callee, iter(callees(callee))))
    return order


_WORDS: MemoKey[frozenset[str]] = MemoKey("taint-words")  # the identifiers a unit spells


def unit_words(ctx: FileContext, node: ast.AST) -> frozenset[str]:
    return ctx.memo(_WORDS, node, lambda: _identifiers(ctx, node))


def _identifiers(ctx: FileContext, node: ast.AST) -> frozenset[str]:
    if isinstance(node, (ast.stmt, ast.expr)):
        text = "\n".join(ctx.lines[node.lineno - 1:node.end_lineno or node.lineno])
    else:  # the module body
        text = ctx.source
    return frozenset(_IDENTIFIER.findall(text))


def has_params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    args = func.args
    return bool(args.posonlyargs or args.args or args.kwonlyargs or args.vararg or args.kwarg)


_INDEX_WORDS: dict[int, tuple[object, tuple[frozenset[str], frozenset[str]]]] = {}


def _index_words(index: SpecIndex) -> tuple[frozenset[str], frozenset[str]]:
    """Last name segments that make a function worth walking: (sources, sinks)."""
    cached = _INDEX_WORDS.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    sources = _last(index.sources_by_call) | _last(index.sources_by_attribute) | _last(index.types_by_attribute)
    sources |= set(index.types_by_parameter)
    sinks = _last(index.sinks_by_call) | _last(index.propagators_by_call) | set(_DBAPI_WORDS)
    words = (frozenset(sources), frozenset(sinks))
    _INDEX_WORDS[id(index)] = (index, words)
    return words


def _last(keys: Iterable[str]) -> set[str]:
    """The last name segment of each qualified name (`sqlite3.Cursor.execute` -> `execute`)."""
    return {k.rsplit(".", 1)[-1] for k in keys if k}
