"""The taint engine's entry points: summaries for a whole project, flows for one file.

`build_project` summarises every function of every module (see `summaries.py`)
and repeats for modules whose dependencies' summaries changed, until nothing
changes or `MAX_ROUNDS` is reached. Labels are finite sets of (origin, cleared
kinds) and only grow within a round, so recursion and import cycles terminate.

Where a flow is reported: `analyze(ctx)` reports flows whose sink call is in the
analysed file, and flows where a tainted value of a function in that file is
passed to a project helper (same or another module) whose parameter reaches a
sink: that flow is reported at the CALL SITE of the helper (`Flow.sink_node` is the
helper call), and its trace continues into the helper (steps carry the helper's
path and lines) down to the real sink. A helper whose sink is reached only by its
parameter reports nothing when its file is analysed alone: there is no source.

Where the rest is documented (and README.md, "How a function is analysed"):
- `module.py`: one module's analysis: call resolution, globals, `self` attributes per class;
  `units.py`: which of its functions are walked, in which order;
- `flow.py`: a function's statements, branches/loops/dead branches, and the parts it composes:
  `expressions.py` (the taint of an expression, assignments, element- and `self`-sensitivity),
  `calls.py` (summaries, sanitizers, propagators, sources, and the policy for calls nobody
  described), `reads.py` (names and attribute paths), `guards.py` (conditions that validate a
  value: `if x in ALLOWED`, `if not x.isdigit(): return`, `abort()`), `sinks.py` (sink calls and
  flows), `handlers.py` (a function's entry and a handler's response), over one `state.py`;
- `facts.py`: the types they share and the interface a function sees of its module;
- `types.py`: the types that name methods as specs do;
- `summaries.py` / `labels.py`: the JSON-serialisable summaries and the label algebra.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from typing import TYPE_CHECKING

from secreview.analysis.context import FileContext
from secreview.taint.imports import resolve
from secreview.taint.module import ModuleAnalysis
from secreview.taint.result import Flow, TaintResult
from secreview.taint.summaries import FunctionSummary, ModuleSummary, ProjectSummaries

if TYPE_CHECKING:
    from secreview.taint.loader import SpecIndex

__all__ = ["Flow", "FunctionSummary", "ModuleSummary", "ProjectSummaries", "TaintResult", "analyze", "build_project",
           "imported_modules"]

MAX_ROUNDS = 6


def build_project(modules: Mapping[str, FileContext], index: SpecIndex,
                  known: ProjectSummaries | None = None,
                  flows: dict[str, TaintResult] | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  unsettled: set[str] | None = None, in_place: bool = False,
                  asked_by: dict[str, set[tuple[str, ...]]] | None = None) -> ProjectSummaries:
    """Summaries of `modules` to a fixpoint. `known` holds summaries of other modules (e.g. from
    a cache) that stand fixed: only `modules` are recomputed, each as often as a summary it
    depends on changes, not once per round. `flows`, when given, receives the flows of each
    module whose last run saw the final summaries of itself and of every module it imports
    (exactly what `analyze` would report for it, on the same tree). `progress(done, total)`: after
    each module's first run (done = modules summarised at least once). `unsettled`, when given,
    receives the modules a further round would still have run when `MAX_ROUNDS` ran out: their
    summaries (and their importers') are not final, flows through them may be missed. `in_place`:
    `known` is extended with the new summaries instead of copied (a phase summarising one import cycle at
    a time would otherwise copy the whole project for each). `asked_by`, when given and the project is
    recording (`ProjectSummaries.recorder`): module -> the questions its last run asked, which decided the
    flows it found (all runs' questions still go to the recorder: they decided the summaries)."""
    if in_place and known is not None:
        project = known
    else:
        project = ProjectSummaries()
        for name, summary in (known.modules.items() if known is not None else ()):
            project.set_module(name, summary)
    for name, ctx in modules.items():  # every module is known before any is summarised
        project.set_module(name, ModuleSummary(module=name, path=ctx.path,
                                               is_package=ctx.path.replace("\\", "/").endswith("__init__.py")))
    imports = {name: imported_modules(ctx, name, ModuleNames(project)) for name, ctx in modules.items()}
    dependents = _dependents(imports)
    order = _order(imports)
    dirty = set(order)
    tick = 0
    last_run: dict[str, tuple[int, TaintResult]] = {}  # module -> (tick of its last run, what it found)
    changed_at: dict[str, int] = {}  # module -> tick of the last change of its summary
    for _ in range(MAX_ROUNDS):
        done: set[str] = set()
        changed_any = False
        next_dirty: set[str] = set()
        for name in order:
            if name not in dirty:
                continue
            old = project.modules[name]
            tick += 1
            pooled = project.recorder
            if pooled is not None and asked_by is not None:
                project.recorder = asked_by[name] = set()
            try:
                analysis = ModuleAnalysis(modules[name], name, index, project)
                new, module_flows = analysis.run(need_summary=True)
            finally:
                if pooled is not None and project.recorder is not pooled:
                    pooled |= project.recorder or set()
                    project.recorder = pooled
            first_run = name not in last_run
            last_run[name] = (tick, TaintResult(module_flows, frozenset(analysis.judged)))
            done.add(name)
            if progress is not None and first_run:
                progress(len(last_run), len(order))
            if new.shape() != old.shape():
                changed_any = True
                changed_at[name] = tick
                project.set_module(name, new)
                # every importer that will not run later in this round saw the old summary
                next_dirty |= {d for d in dependents.get(name, ()) if d in done or d not in dirty}
                if new.shape()[1] != old.shape()[1]:
                    next_dirty.add(name)
            else:
                project.set_module(name, new)
        if not changed_any or not next_dirty:
            break
        dirty = next_dirty
    pending = next_dirty if changed_any else set()  # what a further round would have run
    if unsettled is not None:
        unsettled |= pending
    if flows is not None:
        for name, (ran, found) in last_run.items():
            if name not in pending and all(changed_at.get(d, 0) < ran for d in imports[name]):
                flows[name] = found
    return project


def analyze(ctx: FileContext, module: str, index: SpecIndex, project: ProjectSummaries) -> TaintResult:
    """Flows reported in `ctx`'s file, sorted by line, and the sink calls judged there."""
    if not project.has_module(module):
        # A module nothing else imports is not summarised by the project phase: one run that
        # also builds its summary follows calls between its own functions (the run iterates
        # over them to a fixpoint) and reports its flows.
        analysis = ModuleAnalysis(ctx, module, index, project)
        _, flows = analysis.run(need_summary=True)
        return TaintResult(flows, frozenset(analysis.judged))
    analysis = ModuleAnalysis(ctx, module, index, project)
    _, flows = analysis.run(need_summary=False)
    return TaintResult(flows, frozenset(analysis.judged))


class ModuleNames:
    """The project's module names as a container whose membership tests are recorded questions."""

    def __init__(self, project: ProjectSummaries) -> None:
        self.project = project

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.project.has_module(name)


def imported_modules(ctx: FileContext, module: str, known: Container[str]) -> set[str]:
    """The modules of `known` that `module` imports, in any form (relative imports resolved, `from
    pkg import mod` taken as `pkg.mod` when that is a known module)."""
    is_package = ctx.path.replace("\\", "/").endswith("__init__.py")
    return resolve(ctx.imports.values(), module, is_package, known)


def _dependents(imports: Mapping[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, dependencies in imports.items():
        for dependency in dependencies:
            out.setdefault(dependency, set()).add(name)
    return out


def _order(imports: Mapping[str, set[str]]) -> list[str]:
    """Dependencies before their importers (cycles broken anywhere), so one round does most of the work.
    Only the keys of `imports` are ordered: a dependency outside them (a module whose cached summary
    stands fixed in this run) has nothing to run."""
    deps = {name: sorted(d for d in dependencies if d in imports) for name, dependencies in imports.items()}
    order: list[str] = []
    state: dict[str, int] = {}
    for root in sorted(imports):
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        state[root] = 1
        while stack:
            name, position = stack.pop()
            children = deps[name]
            if position < len(children):
                stack.append((name, position + 1))
                child = children[position]
                if child not in state:
                    state[child] = 1
                    stack.append((child, 0))
            else:
                state[name] = 2
                order.append(name)
    return order
