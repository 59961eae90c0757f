"""Function summaries: what a call to a project function does to taint, without
re-reading its body. All of it is JSON-serialisable (`to_dict`/`from_dict`) so the
integration can cache a module's summary by content hash.

A `FunctionSummary` records
- `returns`: origins of the return value: parameters (`@p:name`, with the steps
  inside the function from the parameter to the `return`) and source kinds the
  function itself reads (a helper returning `request.args["q"]`);
- `sinks`: parameters that reach a sink inside it (directly or through further
  helpers), with the steps down to the sink and the sink's spec entry.
A `ModuleSummary` adds per class the taint of `self` attributes written by any of
its methods (source origins only), which every method then reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from secreview.model import TraceStep
from secreview.taint.labels import Label, label_from_list, label_to_list, step_from_dict, step_to_dict
from secreview.taint.spec import Sink

Json = dict[str, Any]  # a summary's JSON-ready form (`to_dict`), as stored in the cache

SinkKey = tuple[str, frozenset[str], Sink]  # (parameter origin, cleared kinds, sink entry)


@dataclass
class FunctionSummary:
    name: str  # qualified inside its module: `build`, `View.get`
    path: str
    line: int
    params: tuple[str, ...]  # positional parameters in order (the bound `self` included for methods)
    keyword_only: tuple[str, ...] = ()
    vararg: str | None = None
    kwarg: str | None = None
    is_method: bool = False  # called through an instance: the first parameter is bound
    returns: Label = field(default_factory=dict)
    sinks: dict[SinkKey, tuple[TraceStep, ...]] = field(default_factory=dict)
    # sink kinds it validates its first argument for, as a test (`validators.py`; "*": all)
    validates: tuple[str, ...] = ()
    # `self` attributes a method stores its parameters in (`self.name = name` in `__init__`):
    # attribute -> label with parameter origins, so a call `Job(data)` taints `Job`'s `name`
    stores: dict[str, Label] = field(default_factory=dict)

    def shape(self) -> tuple[frozenset[Any], ...]:
        return (frozenset(self.returns), frozenset(self.sinks),
                frozenset((attr, key) for attr, label in self.stores.items() for key in label))

    def is_empty(self) -> bool:
        # `stores` does not make a function "active": it matters only where a call's arguments are
        # tainted, and that caller is walked for its own sources anyway
        return not self.returns and not self.sinks and not self.validates

    def to_dict(self) -> Json:
        return {
            "name": self.name, "path": self.path, "line": self.line, "params": list(self.params),
            "keyword_only": list(self.keyword_only), "vararg": self.vararg, "kwarg": self.kwarg,
            "is_method": self.is_method, "validates": list(self.validates), "returns": label_to_list(self.returns),
            "stores": {attr: label_to_list(label) for attr, label in self.stores.items()},
            "sinks": [{"param": param, "cleared": sorted(cleared), "sink": sink_to_dict(sink),
                       "steps": [step_to_dict(s) for s in steps]}
                      for (param, cleared, sink), steps in self.sinks.items()],
        }

    @classmethod
    def from_dict(cls, d: Json) -> FunctionSummary:
        return cls(
            name=d["name"], path=d["path"], line=d["line"], params=tuple(d["params"]),
            keyword_only=tuple(d["keyword_only"]), vararg=d["vararg"], kwarg=d["kwarg"], is_method=d["is_method"],
            validates=tuple(d.get("validates", ())),
            stores={attr: label_from_list(items) for attr, items in d.get("stores", {}).items()},
            returns=label_from_list(d["returns"]),
            sinks={(item["param"], frozenset(item["cleared"]), sink_from_dict(item["sink"])):
                   tuple(step_from_dict(s) for s in item["steps"]) for item in d["sinks"]},
        )


@dataclass
class ModuleSummary:
    module: str
    path: str
    is_package: bool = False
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    class_attributes: dict[str, dict[str, Label]] = field(default_factory=dict)  # class -> attr -> taint
    class_bases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # class -> qualified base names
    # module-level names of a spec type (`app = Flask(__name__)`): importers see the type too
    module_types: dict[str, str] = field(default_factory=dict)
    # oslo.config options declared `secret=True` here or in a project module this one imports (transitively)
    secret_options: tuple[str, ...] = ()

    def shape(self) -> tuple[tuple[Any, ...], ...]:
        return (
            tuple(sorted((name, f.shape()) for name, f in self.functions.items() if not f.is_empty())),
            tuple(sorted((c, a, frozenset(label)) for c, attrs in self.class_attributes.items()
                         for a, label in attrs.items())),
            tuple(sorted(self.module_types.items())),
            self.secret_options,
        )

    def to_dict(self) -> Json:
        return {
            "module": self.module, "path": self.path, "is_package": self.is_package,
            "functions": {name: f.to_dict() for name, f in self.functions.items()},
            "class_attributes": {c: {a: label_to_list(label) for a, label in attrs.items()}
                                 for c, attrs in self.class_attributes.items()},
            "class_bases": {c: list(bases) for c, bases in self.class_bases.items()},
            "module_types": dict(self.module_types),
            "secret_options": list(self.secret_options),
        }

    @classmethod
    def from_dict(cls, d: Json) -> ModuleSummary:
        return cls(
            module=d["module"], path=d["path"], is_package=d["is_package"],
            functions={name: FunctionSummary.from_dict(f) for name, f in d["functions"].items()},
            class_attributes={c: {a: label_from_list(items) for a, items in attrs.items()}
                              for c, attrs in d["class_attributes"].items()},
            class_bases={c: tuple(bases) for c, bases in d["class_bases"].items()},
            module_types=dict(d.get("module_types", {})),
            secret_options=tuple(d.get("secret_options", ())),
        )


@dataclass(frozen=True)
class StoredSummary:
    """A module summary still in the cache, with what the project's tables need of it without reading it
    (its path, the short names of its active and source-returning functions, whether it declares secret
    options); `load` reads the JSON when something looks inside. A warm review of one file or change
    touches hundreds of summaries and looks into a few: reading them all cost a fifth of it."""

    path: str
    active: tuple[str, ...]
    sources: tuple[str, ...]
    secret_options: bool
    class_bases: dict[str, list[str]]  # class -> qualified base names (lookups through bases walk them)
    load: Callable[[], object]

    def read(self) -> Json:
        found = self.load()
        if not isinstance(found, dict) or not isinstance(found.get("functions"), dict):
            # the cache lost a row it listed a moment ago: the review must not go on as if the module
            # had no summary (it would miss flows and could call the code clean)
            raise RuntimeError(f"the cached summary of {self.path} could not be read back")
        return found

    @classmethod
    def lists(cls, summary: Json) -> tuple[list[str], list[str]]:
        """The short names of a stored summary's active and source-returning functions (`_count`'s tests on
        the JSON form), one entry per function."""
        active: list[str] = []
        sources: list[str] = []
        for name, f in summary["functions"].items():
            short = name.rsplit(".", 1)[-1]
            if f["returns"] or f["sinks"] or f.get("validates"):
                active.append(short)
            if any(not item["kind"].startswith("@") for item in f["returns"]):
                sources.append(short)
        return active, sources


class LazyModules:
    """Module name -> `ModuleSummary`, where a summary read from the cache stays in the cache
    (`StoredSummary`) or the JSON it was stored as until something looks at it. A mapping of its own (not
    a `dict` subclass): what it holds is not what it hands out."""

    def __init__(self, held: Mapping[str, ModuleSummary | Json | StoredSummary] | None = None) -> None:
        self._held: dict[str, ModuleSummary | Json | StoredSummary] = dict(held or {})

    def __contains__(self, name: object) -> bool:
        return name in self._held

    def __iter__(self) -> Iterator[str]:
        return iter(self._held)

    def __len__(self) -> int:
        return len(self._held)

    def __getitem__(self, name: str) -> ModuleSummary:
        value = self._held[name]
        if isinstance(value, StoredSummary):
            value = value.read()
        if isinstance(value, dict):
            value = ModuleSummary.from_dict(value)
            self._held[name] = value
        return value

    def __setitem__(self, name: str, summary: ModuleSummary) -> None:
        self._held[name] = summary

    def hold(self, name: str, stored: Json | StoredSummary) -> None:
        """Keep a stored summary as it is, decoded when first looked into."""
        self._held[name] = stored

    def held(self, name: str) -> ModuleSummary | Json | StoredSummary:
        """What is kept for `name`, without reading or decoding it."""
        return self._held[name]

    def get(self, name: str, default: ModuleSummary | None = None) -> ModuleSummary | None:
        return self[name] if name in self._held else default

    def values(self) -> Iterator[ModuleSummary]:
        return (self[name] for name in list(self._held))

    def items(self) -> Iterator[tuple[str, ModuleSummary]]:
        return ((name, self[name]) for name in list(self._held))

    def raw(self, name: str) -> Json:
        """The module's summary as JSON-ready data (without decoding a cached one)."""
        value = self._held[name]
        if isinstance(value, StoredSummary):
            value = self._held[name] = value.read()
        return value if isinstance(value, dict) else value.to_dict()

    def path_of(self, name: str) -> str:
        value = self._held[name]
        return str(value.get("path", "")) if isinstance(value, dict) else value.path

    def declares_secret_options(self, name: str) -> bool:
        value = self._held[name]
        if isinstance(value, StoredSummary):
            return value.secret_options
        return bool(value.get("secret_options") if isinstance(value, dict) else value.secret_options)


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
        return any(self.modules.declares_secret_options(name) for name in self.modules)

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


def sink_to_dict(sink: Sink) -> Json:
    return {"library": sink.library, "kind": sink.kind, "call": sink.call, "args": list(sink.args),
            "keywords": list(sink.keywords), "all_args": sink.all_args,
            "when": [[k, v] for k, v in sink.when], "unless": [[k, v] for k, v in sink.unless], "note": sink.note,
            "receiver": sink.receiver}


def sink_from_dict(d: Json) -> Sink:
    return Sink(library=d["library"], kind=d["kind"], call=d["call"], args=tuple(d["args"]),
                keywords=tuple(d["keywords"]), all_args=d["all_args"],
                when=tuple((k, _hashable(v)) for k, v in d["when"]),
                unless=tuple((k, _hashable(v)) for k, v in d["unless"]), note=d["note"],
                receiver=d.get("receiver", False))


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value
