"""What one function's analysis knows and has found so far: its bindings (types, aliases,
instances), the element and attribute keys it tracks, what its conditions proved, and its
results (return label, parameter -> sink entries, flows, `self` writes). Plain data with the
operations that touch nothing else; every collaborator of `flow.FunctionAnalysis` shares one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from secreview.analysis.context import FileContext
from secreview.model import TraceStep
from secreview.taint.facts import Env, RawFlow, UnitNode
from secreview.taint.labels import CLEAN, PARAM, Guard, Label, extend, is_param, join, step
from secreview.taint.spec import Sink

Element = tuple[object, Label, ast.expr]  # (constant key or position, its label, its expression)


@dataclass(eq=False, slots=True)
class FunctionState:
    ctx: FileContext
    node: UnitNode
    name: str  # `f`, `Cls.m`, `outer.inner`; "<module>" for a module body
    cls: str | None
    # -- bindings (the `facts.Scope` a call is resolved in) ---------------------------------------
    self_name: str | None = None
    types: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    # local name -> (module, class) of an instance of another module's project class it holds
    # (`job = Job(cmd)`): its method calls resolve to that class's summaries
    instances: dict[str, tuple[str, str]] = field(default_factory=dict)
    # constructor call -> the taint it stored on the new instance's attributes (another module's class)
    instance_stores: dict[int, dict[str, Label]] = field(default_factory=dict)
    # -- results --------------------------------------------------------------------------------
    returns: Label = field(default_factory=dict)
    sinks: dict[tuple[str, frozenset[str], Sink], tuple[TraceStep, ...]] = field(default_factory=dict)
    flows: list[RawFlow] = field(default_factory=list)
    self_writes: dict[str, Label] = field(default_factory=dict)
    param_writes: dict[str, Label] = field(default_factory=dict)  # `self` attributes holding its parameters
    final_env: Env | None = None  # a module body's environment at its end: the module's globals
    # -- element and attribute keys ---------------------------------------------------------------
    element_labels: dict[int, list[Element]] = field(default_factory=dict)
    has_elements: bool = False
    has_paths: bool = False
    # Every prefix of a compound key (`x` and `x.a` of the key `x.a[0]`) this analysis ever put in
    # an environment. A path that is not one of them has no element or attribute keys, so reading
    # or rebinding it skips the scan of the whole environment: in a module body of thousands of
    # names one scan per name read made the walk quadratic.
    compound_roots: set[str] = field(default_factory=set)
    # -- what conditions proved (`guards.py`) ---------------------------------------------------
    parsed_urls: dict[str, str] = field(default_factory=dict)  # `parts = urlparse(url)`: parts -> url
    normalized: set[str] = field(default_factory=set)  # names bound to a path with `..` resolved
    facts: dict[str, list[Guard]] = field(default_factory=dict)  # `ok = is_safe(url)`: ok -> its guards

    def note_key(self, key: str) -> str:
        """Record a key about to be bound in an environment (see `compound_roots`); returns it."""
        if "[" in key or "." in key:
            roots = self.compound_roots
            for i, char in enumerate(key):
                if char == "[" or char == ".":
                    roots.add(key[:i])
        return key

    def drop_elements(self, base: str, env: Env) -> None:
        if (self.has_elements or self.has_paths) and base in self.compound_roots:
            prefixes = (base + "[", base + ".")
            for key in [k for k in env if k.startswith(prefixes)]:
                del env[key]

    def path_of(self, expr: ast.AST) -> str | None:
        """`x`, `self.x`, `obj.a.b` as an environment key (self's own name is written `self`)."""
        if isinstance(expr, ast.Name):
            return "self" if expr.id == self.self_name else expr.id
        if isinstance(expr, ast.Attribute):
            base = self.path_of(expr.value)
            return f"{base}.{expr.attr}" if base is not None else None
        if isinstance(expr, ast.NamedExpr):  # `(name := value)` is `name` once evaluated: a test of it is of `name`
            return self.path_of(expr.target)
        return None

    def assigned(self, name: str) -> list[ast.expr]:
        """Every value this function assigns (or adds) to `name`."""
        values = []
        targets: list[ast.expr]
        value: ast.expr | None
        for stmt in ast.walk(self.node):
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
                targets, value = [stmt.target], stmt.value
            else:
                continue
            if value is not None and any(isinstance(t, ast.Name) and t.id == name for t in targets):
                values.append(value)
        return values

    def add_return(self, label: Label, node: ast.AST) -> None:
        if label:
            self.returns = join(self.returns, extend(label, (step(self.ctx, node, f"returned from `{self.name}()`"),)))

    def snapshot_self(self, env: Env) -> None:
        """What this method leaves in `self` attributes (at each exit, and before it calls
        another method, which may read them): the class-wide view other methods read.
        Only source origins count: a parameter means nothing outside its method."""
        if self.self_name is None:
            return
        for key, label in env.items():
            if label and key.startswith("self.") and "." not in key[5:] and "[" not in key:
                concrete = {k: trace for k, trace in label.items() if not is_param(k[0])}
                if concrete:
                    self.self_writes[key[5:]] = join(self.self_writes.get(key[5:], CLEAN), concrete)
                symbolic = {k: trace for k, trace in label.items()
                            if is_param(k[0]) and k[0] != PARAM + self.self_name}
                if symbolic:
                    self.param_writes[key[5:]] = join(self.param_writes.get(key[5:], CLEAN), symbolic)
