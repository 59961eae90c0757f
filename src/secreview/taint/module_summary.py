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

Data only: `summaries.ProjectSummaries` holds a project's summaries and answers the engine's lookups;
`stored.py` keeps stored ones unread until used.
"""

from __future__ import annotations

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
