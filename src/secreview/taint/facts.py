"""What the parts of a function's analysis share, and nothing else: the flow type the engine
reports (defined in the leaf `result.py`, shared with the rules' side), the environment type,
and the two narrow interfaces between a function's analysis and the module around it. A leaf:
it imports no other analysis module, so every part can name these types without an import cycle.

- `Scope`: what a function's own bindings say about a call's target (its `self`, local aliases of
  imported names, instances of other modules' classes). `FunctionState` provides it.
- `ModuleFacts`: what a function reads from (and the little it writes back to) its module's
  analysis. `ModuleAnalysis` provides it; a function never sees the rest of that class.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from secreview.analysis.context import FileContext, FunctionNode
from secreview.model import TraceStep
from secreview.taint.labels import Label
from secreview.taint.result import Flow, SinkCall, SinkNode
from secreview.taint.spec import Sink

if TYPE_CHECKING:
    from secreview.taint.loader import SpecIndex
    from secreview.taint.summaries import FunctionSummary
    from secreview.taint.types import Typer

Env = dict[str, Label]  # environment key (`x`, `self.x`, `d['k']`) -> label
# what one function's analysis walks: a module body, or a function or method
UnitNode = ast.Module | FunctionNode
# every sink call data flow judged in a tree (`TaintResult.judged`)
Judged = set[SinkCall]

__all__ = ["Env", "Flow", "Judged", "ModuleFacts", "RawFlow", "Scope", "UnitNode"]


# A flow as a function's analysis records it, before `ModuleAnalysis` dedupes them into `Flow`s:
# (source kind, sink kind, sink call or `return`, argument, trace, sink)
RawFlow = tuple[str, str, SinkNode, ast.AST, tuple[TraceStep, ...], Sink]


class Scope(Protocol):
    """A function's bindings that decide which project function a call reaches."""

    cls: str | None
    self_name: str | None
    aliases: dict[str, str]  # local name -> the dotted name it was bound to
    instances: dict[str, tuple[str, str]]  # local name -> (module, class) of another module's instance


class ModuleFacts(Protocol):
    """The module-level facts one function's analysis reads, and the class-wide stores it writes."""

    ctx: FileContext
    index: SpecIndex
    typer: Typer
    judged: Judged
    secret_options: frozenset[str]

    @property
    def class_bases(self) -> Mapping[str, tuple[str, ...]]: ...

    def global_label(self, name: str) -> Label: ...

    def self_attribute(self, cls: str | None, attr: str) -> Label: ...

    def attribute_types(self, cls: str) -> dict[str, str]: ...

    def constructor_attributes(self, cls: str | None) -> frozenset[str]: ...

    def resolve_call(self, scope: Scope, func: ast.AST) -> tuple[FunctionSummary, bool] | None: ...

    def constructed_class(self, scope: Scope, func: ast.AST) -> tuple[str, str] | None: ...

    def store_on_instance(self, summary: FunctionSummary, attr: str, label: Label) -> None: ...
