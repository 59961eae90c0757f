"""One module's analysis: its units (`units.py` says which are walked, in which order), how
calls resolve to project functions, module-level globals and per-class `self` attributes. Each
unit is walked by a `flow.FunctionAnalysis`, which sees this class only as `facts.ModuleFacts`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.taint.facts import Flow, Judged, RawFlow, Scope
from secreview.taint.flow import FunctionAnalysis
from secreview.taint.imports import absolute_name, resolve
from secreview.taint.labels import CLEAN, Label, is_param, join, shape
from secreview.taint.secrets import declared_secret_options
from secreview.taint.summaries import FunctionSummary, ModuleSummary, ProjectSummaries
from secreview.taint.types import Typer
from secreview.taint.units import Relevance, Unit, callee_first, unit_words
from secreview.taint.validators import VALIDATION_WORDS, validated_kinds

if TYPE_CHECKING:
    from secreview.taint.loader import SpecIndex

__all__ = ["MODULE_ROUNDS", "Flow", "ModuleAnalysis"]

MODULE_ROUNDS = 4  # walks of a module's units while its summaries or `self` attributes change
# FunctionSummary.shape() of an empty summary
_EMPTY_SHAPE: tuple[frozenset[object], ...] = (frozenset(), frozenset(), frozenset())
# facts of the tree cached on its context (derived from the tree alone: the same for every run over it)
_SECRET_OPTIONS: MemoKey[tuple[str, ...]] = MemoKey("taint-secret-options")
_ATTRIBUTE_TYPES: MemoKey[dict[str, dict[str, str]]] = MemoKey("taint-attribute-types")
_CONSTRUCTOR_ATTRIBUTES: MemoKey[dict[str, frozenset[str]]] = MemoKey("taint-constructor-attributes")
_VALIDATES: MemoKey[tuple[str, ...]] = MemoKey("taint-validates")


class ModuleAnalysis:
    def __init__(self, ctx: FileContext, module: str, index: SpecIndex, project: ProjectSummaries):
        self.ctx = ctx
        self.module = module
        self.index = index
        self.project = project
        self.is_package = ctx.path.replace("\\", "/").endswith("__init__.py")
        # A plain function, not a bound method: `self.typer` holding `self` would make a cycle
        # that keeps every analysed tree alive until the cycle collector runs.
        self.typer = Typer(ctx, index, partial(_imported_type, module, self.is_package, project))
        previous = project.own_summary(module)
        self.functions: dict[str, FunctionSummary] = dict(previous.functions) if previous else {}
        self.class_attributes: dict[str, dict[str, Label]] = (
            {c: dict(a) for c, a in previous.class_attributes.items()} if previous else {})
        self.class_bases: dict[str, tuple[str, ...]] = {}
        self.globals: dict[str, Label] = {}
        self.units: list[Unit] = []
        # every sink call data flow judged in this tree (`TaintResult.judged`, returned by `analyze`)
        self.judged: Judged = set()
        self.secret_options = self._secret_options()
        self._collect(ctx.tree.body, "", None, nested=False)

    def _secret_options(self) -> frozenset[str]:
        """Options declared `secret=True` here or in the project modules this one imports (their summaries
        hold their own imports' declarations, so the union is transitive once they are summarised)."""
        declared = self.ctx.memo(_SECRET_OPTIONS, self.ctx.tree, lambda: declared_secret_options(self.ctx))
        options = set(declared)
        if self.project.any_secret_options():
            for name in resolve(self.ctx.imports.values(), self.module, self.is_package, self.project.modules):
                if name != self.module:
                    options.update(self.project.secret_options_of(name))
        return frozenset(options)

    # -- units -----------------------------------------------------------------------------
    def _collect(self, body: list[ast.stmt], prefix: str, cls: str | None, nested: bool) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + stmt.name
                self.units.append(Unit(stmt, name, cls, summarised=not nested))
                self._collect(stmt.body, name + ".", None, nested=True)
            elif isinstance(stmt, ast.ClassDef):
                name = prefix + stmt.name
                bases = tuple(filter(None, (self.absolute(self.ctx.qualname(b) or "") for b in stmt.bases)))
                self.class_bases[name] = tuple(b if "." in b else f"{self.module}.{b}" for b in bases)
                self._collect(stmt.body, name + ".", name, nested)
            elif isinstance(stmt, (ast.If, ast.Try)):  # definitions under `if`/`try` at the same level
                for part in (stmt.body, getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])):
                    self._collect(part, prefix, cls, nested)

    def run(self, need_summary: bool) -> tuple[ModuleSummary, list[Flow]]:
        relevance = self._relevance(need_summary)
        body = Unit(self.ctx.tree, "<module>", None, summarised=False)
        flows: dict[int, list[RawFlow]] = {}
        if relevance.wants(body):
            analysis = FunctionAnalysis(self, self.ctx.tree, "<module>", None)
            analysis.run()
            flows[id(body)] = analysis.state.flows
            final_env = analysis.state.final_env
            if final_env:
                self.globals = {k: {key: t for key, t in v.items() if not is_param(key[0])}
                                for k, v in final_env.items() if v and "[" not in k and "." not in k}
        # Methods see `self` attributes other methods store, and functions see the summaries of the
        # functions they call: walk callees before their callers (a chain of helpers written top-down
        # settles in one round), then re-walk the units concerned until stable (cycles, attributes).
        ordered = callee_first(self.ctx, self.units)
        pending = ordered
        for _ in range(MODULE_ROUNDS):
            attrs_before = {c: {a: shape(label) for a, label in attrs.items()}
                            for c, attrs in self.class_attributes.items()}
            shapes_before = {n: f.shape() for n, f in self.functions.items()}
            for unit in pending:
                self._run_unit(unit, relevance, flows)
            changed_classes = {c for c, attrs in self.class_attributes.items()
                               if {a: shape(label) for a, label in attrs.items()} != attrs_before.get(c)}
            changed = {n.rsplit(".", 1)[-1] for n, f in self.functions.items()
                       if f.shape() != shapes_before.get(n, _EMPTY_SHAPE)}
            if not changed_classes and not changed:
                break
            relevance = self._relevance(need_summary)
            pending = [u for u in ordered
                       if u.cls in changed_classes or not changed.isdisjoint(unit_words(self.ctx, u.node))]
        unit_names = {u.name for u in self.units}  # once: inside the filter it cost O(units) per function
        summary = ModuleSummary(
            module=self.module, path=self.ctx.path, is_package=self.is_package,
            functions={n: f for n, f in self.functions.items() if n in unit_names},
            class_attributes={c: a for c, a in self.class_attributes.items() if a},
            class_bases={c: b for c, b in self.class_bases.items() if b},
            module_types=dict(self.typer.module_types),
            secret_options=tuple(sorted(self.secret_options)),
        )
        return summary, _dedupe(flow for unit_flows in flows.values() for flow in unit_flows)

    def _relevance(self, need_summary: bool) -> Relevance:
        return Relevance(self, self.project, need_summary, self.functions, self.class_attributes, self.globals)

    def _run_unit(self, unit: Unit, relevance: Relevance, flows: dict[int, list[RawFlow]]) -> None:
        func = unit.node
        if not relevance.wants(unit):
            if unit.summarised and unit.name not in self.functions:
                self.functions[unit.name] = _empty_summary(self.ctx, unit)
            return
        analysis = FunctionAnalysis(self, func, unit.name, unit.cls)
        analysis.run()
        flows[id(unit)] = analysis.state.flows
        state = analysis.state
        if unit.summarised:
            summary = _empty_summary(self.ctx, unit)
            summary.returns = state.returns
            summary.sinks = state.sinks
            summary.stores = state.param_writes if unit.cls is not None else {}
            self.functions[unit.name] = summary
        if unit.cls is not None and state.self_writes:
            attrs = self.class_attributes.setdefault(unit.cls, {})
            for attr, label in state.self_writes.items():
                attrs[attr] = join(attrs.get(attr, CLEAN), label)

    # -- what functions see ----------------------------------------------------------------
    def attribute_types(self, cls: str) -> dict[str, str]:
        """`self` attributes of a spec type, from `self.x = <typed call>` in the class's `__init__`."""
        return self.ctx.memo(_ATTRIBUTE_TYPES, self.ctx.tree, self._attribute_types).get(cls, {})

    def _attribute_types(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for unit in self.units:
            func = unit.node
            if unit.cls is None or isinstance(func, ast.Module) or func.name != "__init__" \
                    or not (func.args.posonlyargs or func.args.args):
                continue
            own = (func.args.posonlyargs or func.args.args)[0].arg
            for stmt in func.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    target = stmt.targets[0]
                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                            and target.value.id == own:
                        typed = self.typer.type_of(stmt.value, {})
                        if typed:
                            found.setdefault(unit.cls, {})[target.attr] = typed
        return found

    def store_on_instance(self, summary: FunctionSummary, attr: str, label: Label) -> None:
        """A call of this module's method (a constructor) stored tainted data on `self.attr`: every
        method of the class then reads it (class-wide, like the attributes methods write)."""
        cls = summary.name.rpartition(".")[0]
        if not cls or summary.path != self.ctx.path or cls not in self.class_bases:
            return  # another module's class: its methods were summarised without this caller
        attrs = self.class_attributes.setdefault(cls, {})
        attrs[attr] = join(attrs.get(attr, CLEAN), label)

    def global_label(self, name: str) -> Label:
        return self.globals.get(name, CLEAN)

    def self_attribute(self, cls: str | None, attr: str) -> Label:
        if cls is None:
            return CLEAN
        own = self.class_attributes.get(cls, {}).get(attr)
        if own:
            return own
        for base in self.class_bases.get(cls, ()):
            module, _, base_cls = base.rpartition(".")
            if module == self.module:
                found = self.self_attribute(base_cls, attr)
            else:
                found = self.project.class_attribute(module, base_cls, attr)
            if found:
                return found
        return CLEAN

    def resolve_call(self, scope: Scope, func: ast.AST) -> tuple[FunctionSummary, bool] | None:
        """The project function a call reaches, and whether its first parameter is bound."""
        if isinstance(func, ast.Name):
            if func.id in scope.aliases:
                return self._by_dotted(scope.aliases[func.id])
            if func.id in self.functions:
                return self.functions[func.id], False
            if func.id in self.class_bases:  # `Job(cmd)` runs `Job.__init__` with `self` bound
                found = self._method(func.id, "__init__")
                return (found, True) if found else None
            dotted = self.ctx.imports.get(func.id)
            return self._by_dotted(dotted) if dotted else None
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id == scope.self_name and scope.cls:
                found = self._method(scope.cls, func.attr)
                return (found, found.is_method) if found else None
            if isinstance(func.value, ast.Name) and func.value.id in scope.instances:
                module, cls = scope.instances[func.value.id]
                found = self.project.method(module, cls, func.attr)
                return (found, found.is_method) if found else None
            dotted = self.ctx.qualname(func)
            return self._by_dotted(dotted) if dotted and "()" not in dotted else None
        return None

    def constructed_class(self, scope: Scope, func: ast.AST) -> tuple[str, str] | None:
        """(module, class) when `func(...)` constructs a project class of another module (it has a
        summarised `__init__`); this module's classes share their attributes class-wide instead."""
        dotted = None
        if isinstance(func, ast.Name) and func.id not in self.class_bases and func.id not in self.functions:
            dotted = scope.aliases.get(func.id) or self.ctx.imports.get(func.id)
        elif isinstance(func, ast.Attribute):
            dotted = self.ctx.qualname(func)
        if not dotted or "()" in dotted:
            return None
        dotted = self.absolute(dotted)
        init = self.project.function(dotted + ".__init__")
        if init is None or not init.is_method:
            return None
        module, _, cls = dotted.rpartition(".")
        return (module, cls) if module and module != self.module else None

    def constructor_attributes(self, cls: str | None) -> frozenset[str]:
        """Attributes the class's `__init__` sets from its parameters (`self.command = command`): what a
        constructor call can taint, per instance."""
        if cls is None:
            return frozenset()
        return self.ctx.memo(_CONSTRUCTOR_ATTRIBUTES, self.ctx.tree, self._constructor_attributes).get(
            cls, frozenset())

    def _constructor_attributes(self) -> dict[str, frozenset[str]]:
        found: dict[str, frozenset[str]] = {}
        for unit in self.units:
            func = unit.node
            if unit.cls is None or not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                    or func.name != "__init__":
                continue
            params = [a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)]
            if not params:
                continue
            own, given = params[0], set(params[1:]) | {a.arg for a in (func.args.vararg, func.args.kwarg) if a}
            attrs = set()
            for node in ast.walk(func):
                if isinstance(node, ast.Assign):
                    used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
                    if used & given:
                        attrs |= {t.attr for t in node.targets if isinstance(t, ast.Attribute)
                                  and isinstance(t.value, ast.Name) and t.value.id == own}
            found[unit.cls] = frozenset(attrs)
        return found

    def _method(self, cls: str, name: str, depth: int = 0) -> FunctionSummary | None:
        found = self.functions.get(f"{cls}.{name}")
        if found is not None or depth > 5:
            return found
        for base in self.class_bases.get(cls, ()):
            module, _, base_cls = base.rpartition(".")
            found = self._method(base_cls, name, depth + 1) if module == self.module else \
                self.project.method(module, base_cls, name)
            if found is not None:
                return found
        return None

    def _by_dotted(self, dotted: str) -> tuple[FunctionSummary, bool] | None:
        dotted = self.absolute(dotted)
        own = self.module + "."
        if dotted.startswith(own) and dotted[len(own):] in self.functions:
            return self.functions[dotted[len(own):]], False
        found = self.project.function(dotted)
        if found is not None:
            return found, False
        constructor = self.project.function(dotted + ".__init__")
        return (constructor, True) if constructor is not None and constructor.is_method else None

    def absolute(self, name: str) -> str:
        """`.helpers.build` -> `pkg.helpers.build` for a module of package `pkg`."""
        return absolute_name(name, self.module, self.is_package)


def _imported_type(module: str, is_package: bool, project: ProjectSummaries, dotted: str) -> str | None:
    """The type of a module-level name another project module defines (`from .db import engine`)."""
    owner, _, name = absolute_name(dotted, module, is_package).rpartition(".")
    return project.module_type(owner, name)


def _empty_summary(ctx: FileContext, unit: Unit) -> FunctionSummary:
    func = unit.node
    assert not isinstance(func, ast.Module), "only a function or method is summarised"
    args = func.args
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in func.decorator_list)
    return FunctionSummary(
        name=unit.name, path=ctx.path, line=func.lineno,
        params=tuple(a.arg for a in (*args.posonlyargs, *args.args)),
        keyword_only=tuple(a.arg for a in args.kwonlyargs),
        vararg=args.vararg.arg if args.vararg else None, kwarg=args.kwarg.arg if args.kwarg else None,
        is_method=unit.cls is not None and not static,
        validates=ctx.memo(_VALIDATES, func, lambda: _validates(ctx, func)),
    )


def _validates(ctx: FileContext, func: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    if unit_words(ctx, func).isdisjoint(VALIDATION_WORDS):  # the cheap test first: most functions
        return ()
    return validated_kinds(func, ctx)


def _dedupe(flows: Iterable[RawFlow]) -> list[Flow]:
    seen: set[tuple[int, int, str, str]] = set()
    out: list[Flow] = []
    for kind, sink_kind, node, arg, trace, sink in flows:
        key = (id(node), id(arg), kind, sink_kind)
        if key in seen:
            continue
        seen.add(key)
        out.append(Flow(kind, sink_kind, node, arg, trace, sink))
    out.sort(key=lambda f: (f.sink_node.lineno, f.sink_node.col_offset, f.sink_kind, f.source_kind))
    return out
