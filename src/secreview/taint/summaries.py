"""A project's summaries (`ProjectSummaries`): every module's summary, the name tables of the relevance
test, and the lookups the engine asks of other modules (`function`, `method`, `class_attribute`, ...), each
recorded while `recorder` is set (`questions.py` digests and checks them). The summaries' data types live
in `module_summary.py`, stored ones in `stored.py`; they are importable from here too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from secreview.taint.labels import Label
from secreview.taint.module_summary import (
    FunctionSummary,
    Json,
    ModuleSummary,
    SinkKey,
    sink_from_dict,
    sink_to_dict,
)
from secreview.taint.stored import LazyModules, StoredSummary

# the summaries' data types, importable from here as they always were
__all__ = ["FunctionSummary", "Json", "LazyModules", "ModuleSummary", "ProjectSummaries", "SinkKey",
           "StoredSummary", "sink_from_dict", "sink_to_dict"]


@dataclass
class ProjectSummaries:
    modules: LazyModules = field(default_factory=LazyModules)
    # short names of project functions that return a source ("sources") or have any
    # non-empty summary ("active"), counted per name: the cheap relevance test
    _names: dict[str, Counter[str]] | None = field(default=None, repr=False, compare=False)
    # while set, every question asked of the project is added here (`questions.record` digests their answers): what a
    # module's summary or a file's review read of other modules, so a cached one is reused exactly as
    # long as those answers stay the same (a helper module that gained a function nobody calls changes
    # nothing for its importers)
    recorder: set[tuple[str, ...]] | None = field(default=None, repr=False, compare=False)
    _paths: dict[str, str] | None = field(default=None, repr=False, compare=False)
    _answered: dict[tuple[tuple[str, ...], bool], str] = field(default_factory=dict, repr=False, compare=False)
    # module name -> the remembered answers that depend on its summary (dropped when it changes)
    _answered_by: dict[str, list[tuple[tuple[str, ...], bool]]] = field(default_factory=dict, repr=False, compare=False)
    _stored_digests: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)
    # module name -> digest of its whole summary as the project phase has it now (`build_phase` fills it
    # as components settle): recorded with the answers (`questions.py`), so a check replays only the
    # questions about modules whose summaries changed since
    versions: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _bases: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict, repr=False, compare=False)
    _tops: set[str] | None = field(default=None, repr=False, compare=False)
    _positive: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.modules, LazyModules):
            self.modules = LazyModules(self.modules)

    def to_dict(self) -> Json:
        return {"modules": {name: self.modules.raw(name) for name in self.modules}}

    @classmethod
    def from_dict(cls, d: Json) -> ProjectSummaries:
        return cls(modules=LazyModules(d["modules"]))

    def names(self, which: str) -> Counter[str]:
        if self._names is None:
            self._names = {"sources": Counter(), "active": Counter()}
            for name in self.modules:
                self._count_any(name, 1)
        return self._names[which]

    def set_module(self, name: str, summary: ModuleSummary) -> None:
        """Replace one module's summary, keeping the name tables current."""
        self._forget(name)
        self._stored_digests.pop(name, None)
        if self._paths is not None:
            self._paths[summary.path] = name
        if self._names is not None and name in self.modules:
            self._count_any(name, -1)
        self.modules[name] = summary
        if self._names is not None:
            self._count(summary, 1)

    def set_stored(self, name: str, stored: Json | StoredSummary, digests: tuple[str, str] | None = None) -> None:
        """A module's summary as read from the cache (JSON-ready data), decoded when first used.
        `digests`: its whole and semantic digests as stored (`stored_digests`), so questions about the
        whole module are answered without digesting it again."""
        self._forget(name)
        if digests is not None:
            self._stored_digests[name] = digests
        if self._names is not None and name in self.modules:
            self._count_any(name, -1)
        self.modules.hold(name, stored)
        if self._paths is not None:
            self._paths[self.modules.path_of(name)] = name
        if self._names is not None:
            self._count_any(name, 1)

    def _count_any(self, name: str, delta: int) -> None:
        value = self.modules.held(name)
        if isinstance(value, StoredSummary):
            assert self._names is not None
            for short in value.active:
                self._names["active"][short] += delta
            for short in value.sources:
                self._names["sources"][short] += delta
        elif isinstance(value, dict):
            self._count_raw(value, delta)
        else:
            self._count(value, delta)

    def _count(self, module: ModuleSummary, delta: int) -> None:
        assert self._names is not None
        for name, f in module.functions.items():
            short = name.rsplit(".", 1)[-1]
            if not f.is_empty():
                self._names["active"][short] += delta
            if any(not k[0].startswith("@") for k in f.returns):
                self._names["sources"][short] += delta

    def _count_raw(self, module: Json, delta: int) -> None:
        """`_count` read from a stored summary: the same test on the JSON form (`FunctionSummary.to_dict`)."""
        assert self._names is not None
        active, sources = StoredSummary.lists(module)
        for short in active:
            self._names["active"][short] += delta
        for short in sources:
            self._names["sources"][short] += delta

    def any_secret_options(self) -> bool:
        """Whether some project module declares oslo.config options `secret=True` (read without decoding)."""
        if self.recorder is not None:
            self.recorder.add(("anysecrets",))
        return self.modules.any_declares_secret_options()

    def secret_options_of(self, name: str) -> tuple[str, ...]:
        """The options declared secret in project module `name` or the modules it imports."""
        if self.recorder is not None:
            self.recorder.add(("secrets", name))
        summary = self.modules.get(name)
        return summary.secret_options if summary is not None else ()

    def has_module(self, name: str) -> bool:
        if self.recorder is not None:
            self.recorder.add(("has", name))
        return name in self.modules

    def own_summary(self, name: str) -> ModuleSummary | None:
        """A module's whole summary (what an analysis of that module starts from)."""
        if self.recorder is not None:
            self.recorder.add(("module", name))
        return self.modules.get(name)

    def module_type(self, owner: str, name: str) -> str | None:
        """The spec type of module-level `name` in project module `owner` (`app = Flask(...)`)."""
        if self.recorder is not None:
            self.recorder.add(("type", owner, name))
        summary = self.modules.get(owner)
        return summary.module_types.get(name) if summary is not None else None

    def positive_names(self, which: str) -> frozenset[str]:
        """The short names `has_name` says yes to (remembered until a summary changes)."""
        found = self._positive.get(which)
        if found is None:
            found = self._positive[which] = frozenset(w for w, n in self.names(which).items() if n > 0)
        return found

    def has_name(self, which: str, word: str) -> bool:
        """Whether a project function named `word` returns a source ("sources") or has a non-empty
        summary ("active"): the cheap relevance test."""
        if self.recorder is not None:
            self.recorder.add(("name", which, word))
        return self.names(which).get(word, 0) > 0

    def has_any_name(self, which: str, words: frozenset[str]) -> bool:
        """`has_name` for any of `words`, with one set operation (every word is a recorded question: the
        relevance test keeps them only when it says no, and then `any(has_name...)` asked them all too)."""
        if self.recorder is not None:
            self.recorder.update(("name", which, word) for word in words)
        return not self.positive_names(which).isdisjoint(words)

    def unless_walked(self, wanted: Callable[[], bool]) -> bool:
        """Run a relevance test (`wanted`), keeping the questions it asked only when it says no.

        Skipping a unit is sound only while its answers hold (a helper named like a word of the unit
        may start returning a source), so those are recorded. A unit that is walked records the
        questions of its walk, which decide its result whatever made it worth walking: recording the
        relevance answers too made every importer of any function named `get` stale whenever one such
        function anywhere in the project changed."""
        kept = self.recorder
        if kept is None:
            return wanted()
        asked: set[tuple[str, ...]] = set()
        self.recorder = asked
        try:
            verdict = wanted()
        finally:
            self.recorder = kept
        if not verdict:
            kept |= asked
        return verdict

    def _forget(self, module: str) -> None:
        """Drop the remembered answers a change of `module`'s summary may change: those about it, and
        every answer that looks across modules (name tables, methods and attributes through bases)."""
        for key in self._answered_by.pop(module, ()):
            self._answered.pop(key, None)
        for key in self._answered_by.pop("*", ()):
            self._answered.pop(key, None)
        self._bases.clear()
        self._positive.clear()
        if self._tops is not None:
            self._tops.add(module.split(".", 1)[0])

    def function(self, dotted: str) -> FunctionSummary | None:
        """The project function with this fully qualified name (`pkg.helpers.build`,
        `pkg.views.View.get`), or None."""
        top = dotted.split(".", 1)[0]
        if top not in self.tops():  # `self.x.y`, `q.add`: a name no project module starts with
            if self.recorder is not None:
                self.recorder.add(("top", top))  # one question per name, not one per call through it
            return None
        if self.recorder is not None:
            self.recorder.add(("function", dotted))
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.modules.get(".".join(parts[:cut]))
            if module is not None:
                return module.functions.get(".".join(parts[cut:]))
        return None

    def tops(self) -> set[str]:
        """The first parts of the project's module names (`django`, `nova`, `app`)."""
        if self._tops is None:
            self._tops = {name.split(".", 1)[0] for name in self.modules}
        return self._tops

    def method(self, module: str, cls: str, name: str, _depth: int = 0) -> FunctionSummary | None:
        """`cls.name` in `module`, looking through base classes defined in the project."""
        if self.recorder is not None and _depth == 0:
            self.recorder.add(("method", module, cls, name))
        summary = self.modules.get(module)
        if summary is None or _depth > 5:
            return None
        found = summary.functions.get(f"{cls}.{name}")
        if found is not None:
            return found
        for base in summary.class_bases.get(cls, ()):
            base_module, _, base_cls = base.rpartition(".")
            if base_module in self.modules and self.method(base_module, base_cls, name, _depth + 1):
                return self.method(base_module, base_cls, name, _depth + 1)
        return None

    def class_attribute(self, module: str, cls: str, attr: str, _depth: int = 0) -> Label:
        if self.recorder is not None and _depth == 0:
            self.recorder.add(("attr", module, cls, attr))
        summary = self.modules.get(module)
        if summary is None or _depth > 5:
            return {}
        label = summary.class_attributes.get(cls, {}).get(attr)
        if label:
            return label
        for base in summary.class_bases.get(cls, ()):
            base_module, _, base_cls = base.rpartition(".")
            found = self.class_attribute(base_module, base_cls, attr, _depth + 1)
            if found:
                return found
        return {}
