"""Read `specs/*.toml` into the dataclasses of `spec.py`, strictly, and index them.

A spec is data a user edits by hand, so a mistake must never be silently ignored:
an unknown table or key, an unknown kind, a missing or doubled target, an argument
index of the wrong type all raise `SpecError` with the file, the entry (`sink #3`,
counted from 1 in file order) and the problem. `build_index` merges the loaded
specs into the lookup tables the engine uses (see docs/taint-specs.md).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from secreview.taint.spec import (
    ALL_SINKS,
    SINK_KINDS,
    SOURCE_KINDS,
    LibrarySpec,
    Propagator,
    Sanitizer,
    Sink,
    Source,
    TypeRule,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SPECS_DIR = Path(__file__).with_name("specs")

# Every key each table may hold; anything else is a typo the user must hear about.
_TABLE_KEYS: dict[str, frozenset[str]] = {
    "library": frozenset({"name", "imports", "note"}),
    "type": frozenset({"attribute", "call", "parameter", "type", "note"}),
    "source": frozenset({"kind", "call", "attribute", "decorated", "note"}),
    "sink": frozenset({"kind", "call", "args", "keywords", "all_args", "receiver", "when", "unless", "note",
                       "returned", "positional", "unless_keywords"}),
    "sanitizer": frozenset({"call", "clears", "note"}),
    "propagator": frozenset({"call", "from", "to", "note"}),
}
_ENTRY_TABLES = ("type", "source", "sink", "sanitizer", "propagator")
_PROPAGATOR_ENDS = ("return", "receiver")
_PROPAGATOR_SPECIAL_FROM = ("args", "receiver")
# A qualified name as FileContext.qualname writes it: dotted identifiers, a call in the chain as `f()`.
_QUALNAME = re.compile(r"[A-Za-z_]\w*(\(\))?(\.[A-Za-z_]\w*(\(\))?)*")
_MODULE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


class SpecError(Exception):
    """A spec file that cannot be used; the message names the file, the entry and the problem."""


class _Entry:
    """Reads one table of a spec file, turning every mistake into a SpecError that says where."""

    def __init__(self, path: Path, table: str, number: int | None, data: Any) -> None:
        self.path, self.table = path, table
        self.where = f"{path}: [{table}]" if number is None else f"{path}: {table} #{number}"
        if not isinstance(data, dict):
            self.fail(f"must be a table, not {_type_name(data)}")
        self.data: dict[str, Any] = data
        unknown = sorted(set(data) - _TABLE_KEYS[table])
        if unknown:
            allowed = ", ".join(sorted(_TABLE_KEYS[table]))
            self.fail(f"unknown key {unknown[0]!r} (allowed: {allowed})")

    def fail(self, problem: str) -> NoReturn:
        raise SpecError(f"{self.where}: {problem}")

    def string(self, key: str, *, required: bool = False, pattern: re.Pattern[str] | None = None) -> str | None:
        if key not in self.data:
            if required:
                self.fail(f"missing key {key!r}")
            return None
        value = self.data[key]
        if not isinstance(value, str) or not value:
            self.fail(f"{key!r} must be a non-empty string, not {_type_name(value)}")
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(f"{key!r} is not a qualified name: {value!r}")
        return value

    def strings(self, key: str, *, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(f"{key!r} must be a list of non-empty strings")
        for item in value:
            if pattern is not None and not pattern.fullmatch(item):
                self.fail(f"{key!r} holds something that is not a qualified name: {item!r}")
        return tuple(value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{key!r} must be true or false, not {_type_name(value)}")
        return value

    def kind(self, known: Mapping[str, str], what: str) -> str:
        kind = self.string("kind", required=True)
        assert kind is not None
        if kind not in known:
            self.fail(f"unknown {what} kind {kind!r} (known: {', '.join(known)})")
        return kind

    def one_target(self, keys: tuple[str, ...]) -> str:
        present = [k for k in keys if k in self.data]
        if len(present) != 1:
            problem = "has no target" if not present else f"has several targets ({', '.join(present)})"
            self.fail(f"{problem}: give exactly one of {', '.join(keys)}")
        return present[0]

    def literals(self, key: str) -> tuple[tuple[str, object], ...]:
        """`{keyword = value}`; a list of values means any one of them (kept as a tuple)."""
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.fail(f"{key!r} must be a table of keyword = literal value")
        pairs: list[tuple[str, object]] = []
        for name, literal in value.items():
            options = literal if isinstance(literal, list) else [literal]
            if not options or not all(isinstance(o, (bool, int, float, str)) for o in options):
                self.fail(f"{key!r}.{name} must be a boolean, number or string (or a list of them), "
                          f"not {_type_name(literal)}")
            pairs.append((name, tuple(options) if isinstance(literal, list) else literal))
        return tuple(sorted(pairs, key=lambda pair: pair[0]))


def _type_name(value: object) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(type(value), type(value).__name__)


def _type_rule(entry: _Entry, library: str) -> TypeRule:
    target = entry.one_target(("attribute", "call", "parameter"))
    type_name = entry.string("type", required=True, pattern=_QUALNAME)
    assert type_name is not None
    pattern = re.compile(r"[A-Za-z_]\w*") if target == "parameter" else _QUALNAME
    return TypeRule(library=library, type=type_name, **{target: entry.string(target, pattern=pattern)})


def _source(entry: _Entry, library: str) -> Source:
    kind = entry.kind(SOURCE_KINDS, "source")
    target = entry.one_target(("call", "attribute", "decorated"))
    note = entry.string("note") or ""
    if target == "decorated":
        decorators = entry.strings("decorated", pattern=_QUALNAME)
        if not decorators:
            entry.fail("'decorated' must name at least one decorator")
        return Source(library=library, kind=kind, decorated=decorators, note=note)
    named = entry.string(target, pattern=_QUALNAME)
    if target == "call":
        return Source(library=library, kind=kind, call=named, note=note)
    return Source(library=library, kind=kind, attribute=named, note=note)


def _sink(entry: _Entry, library: str) -> Sink:
    kind = entry.kind(SINK_KINDS, "sink")
    call = entry.string("call", required=True, pattern=_QUALNAME)
    args = entry.data.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, int) and not isinstance(a, bool) and a >= 0 for a in args):
        entry.fail("'args' must be a list of argument indexes (integers >= 0)")
    keywords = entry.strings("keywords", pattern=re.compile(r"[A-Za-z_]\w*"))
    all_args, receiver = entry.flag("all_args"), entry.flag("receiver")
    returned = entry.flag("returned")
    positional = entry.data.get("positional", True)
    if not isinstance(positional, bool):
        entry.fail(f"'positional' must be true or false, not {_type_name(positional)}")
    unless_keywords = entry.strings("unless_keywords", pattern=re.compile(r"[A-Za-z_]\w*"))
    if returned and (args or keywords or all_args or receiver):
        entry.fail("'returned' makes the decorated function's return value the sink: drop the argument targets")
    if not returned and ("positional" in entry.data or unless_keywords):
        entry.fail("'positional' and 'unless_keywords' describe a decorator: they need 'returned = true'")
    if all_args and (args or keywords):
        entry.fail("'all_args' already covers every argument: drop 'args' and 'keywords'")
    if not (args or keywords or all_args or receiver or returned):
        entry.fail("has no target: give 'args', 'keywords', 'all_args', 'receiver' or 'returned'")
    when, unless = entry.literals("when"), entry.literals("unless")
    assert call is not None
    return Sink(library=library, kind=kind, call=call, args=tuple(args), keywords=keywords, all_args=all_args,
                receiver=receiver, when=when, unless=unless, note=entry.string("note") or "", returned=returned,
                positional=positional, unless_keywords=unless_keywords)


def _sanitizer(entry: _Entry, library: str) -> Sanitizer:
    call = entry.string("call", required=True, pattern=_QUALNAME)
    clears = entry.strings("clears")
    if not clears:
        entry.fail("'clears' must list the sink kinds it makes safe (or \"*\")")
    for kind in clears:
        if kind != ALL_SINKS and kind not in SINK_KINDS:
            entry.fail(f"unknown sink kind {kind!r} in 'clears' (known: {ALL_SINKS}, {', '.join(SINK_KINDS)})")
    assert call is not None
    return Sanitizer(library=library, call=call, clears=frozenset(clears), note=entry.string("note") or "")


def _propagator(entry: _Entry, library: str) -> Propagator:
    call = entry.string("call", required=True, pattern=_QUALNAME)
    frm = entry.data.get("from")
    if frm is None:
        entry.fail("missing key 'from'")
    if not isinstance(frm, list) or not frm:
        entry.fail("'from' must be a non-empty list of argument indexes, \"args\" or \"receiver\"")
    for item in frm:
        if isinstance(item, bool) or not (
            (isinstance(item, int) and item >= 0) or item in _PROPAGATOR_SPECIAL_FROM
        ):
            entry.fail(f"'from' holds {item!r}: use argument indexes (integers >= 0), \"args\" or \"receiver\"")
    to = entry.string("to") or "return"
    if to not in _PROPAGATOR_ENDS:
        entry.fail(f"'to' must be \"return\" or \"receiver\", not {to!r}")
    assert call is not None
    return Propagator(library=library, call=call, frm=tuple(frm), to=to, note=entry.string("note") or "")


_BUILDERS = {"type": _type_rule, "source": _source, "sink": _sink, "sanitizer": _sanitizer, "propagator": _propagator}


def load_spec(path: Path) -> LibrarySpec:
    """Parse and validate one spec file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"library", *_ENTRY_TABLES})
    if unknown:
        allowed = ", ".join(["[library]", *(f"[[{t}]]" for t in _ENTRY_TABLES)])
        raise SpecError(f"{path}: unknown table {unknown[0]!r} (allowed: {allowed})")
    if "library" not in data:
        raise SpecError(f"{path}: missing [library] table")
    header = _Entry(path, "library", None, data["library"])
    name = header.string("name", required=True)
    imports = header.strings("imports", pattern=_MODULE)
    if not imports:
        header.fail("'imports' must list the top-level modules that mean the library is in use")
    assert name is not None
    built: dict[str, list[Any]] = {}
    for table in _ENTRY_TABLES:
        items = data.get(table, [])
        if not isinstance(items, list):
            raise SpecError(f"{path}: {table!r} must be an array of tables: write [[{table}]]")
        seen: dict[Any, int] = {}
        built[table] = []
        for number, item in enumerate(items, start=1):
            entry = _Entry(path, table, number, item)
            value = _BUILDERS[table](entry, name)
            if value in seen:
                entry.fail(f"repeats {table} #{seen[value]}")
            seen[value] = number
            built[table].append(value)
    return LibrarySpec(name=name, imports=imports, sources=tuple(built["source"]), sinks=tuple(built["sink"]),
                       sanitizers=tuple(built["sanitizer"]), propagators=tuple(built["propagator"]),
                       types=tuple(built["type"]))


def load_spec_dir(directory: Path) -> tuple[LibrarySpec, ...]:
    """Every `*.toml` in `directory`, in name order; two files may not declare the same library."""
    specs: list[LibrarySpec] = []
    origin: dict[str, Path] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        spec = load_spec(path)
        if spec.name in origin:
            raise SpecError(f"{path}: library {spec.name!r} is already declared in {origin[spec.name]}")
        origin[spec.name] = path
        specs.append(spec)
    return tuple(specs)


@lru_cache(maxsize=1)
def load_builtin_specs() -> tuple[LibrarySpec, ...]:
    """The specs shipped in `secreview/taint/specs/`, loaded once per process."""
    return load_spec_dir(SPECS_DIR)


def merge_specs(base: Iterable[LibrarySpec], extra: Iterable[LibrarySpec]) -> tuple[LibrarySpec, ...]:
    """`extra` (a project's own specs) on top of `base`: a library of the same name
    replaces the base one entirely, other libraries are added."""
    merged = {spec.name: spec for spec in base}
    for spec in extra:
        merged[spec.name] = spec
    return tuple(merged.values())


@dataclass(frozen=True)
class SpecIndex:
    """Lookup tables keyed by qualified name. Entries of every spec for one name are
    all kept (a call can be a sink of two kinds); for types, a later spec wins."""

    sources_by_call: dict[str, tuple[Source, ...]] = field(default_factory=dict)
    sources_by_attribute: dict[str, tuple[Source, ...]] = field(default_factory=dict)
    sources_by_decorator: dict[str, tuple[Source, ...]] = field(default_factory=dict)
    sinks_by_call: dict[str, tuple[Sink, ...]] = field(default_factory=dict)
    sinks_by_decorator: dict[str, tuple[Sink, ...]] = field(default_factory=dict)  # `returned` sinks
    sanitizers_by_call: dict[str, tuple[Sanitizer, ...]] = field(default_factory=dict)
    propagators_by_call: dict[str, tuple[Propagator, ...]] = field(default_factory=dict)
    types_by_call: dict[str, str] = field(default_factory=dict)
    types_by_attribute: dict[str, str] = field(default_factory=dict)
    types_by_parameter: dict[str, tuple[TypeRule, ...]] = field(default_factory=dict)
    # library name -> its `imports`: a parameter type rule applies only in modules importing one of them
    library_imports: dict[str, tuple[str, ...]] = field(default_factory=dict)


def build_index(specs: Iterable[LibrarySpec]) -> SpecIndex:
    tables: dict[str, dict[str, list[Any]]] = {
        name: {} for name in ("sources_by_call", "sources_by_attribute", "sources_by_decorator", "sinks_by_call",
                              "sinks_by_decorator", "sanitizers_by_call", "propagators_by_call",
                              "types_by_parameter")}

    def add(table: str, key: str, value: Any) -> None:
        tables[table].setdefault(key, []).append(value)

    types_by_call: dict[str, str] = {}
    types_by_attribute: dict[str, str] = {}
    library_imports: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        library_imports[spec.name] = spec.imports
        for source in spec.sources:
            if source.call:
                add("sources_by_call", source.call, source)
            elif source.attribute:
                add("sources_by_attribute", source.attribute, source)
            for decorator in source.decorated:
                add("sources_by_decorator", decorator, source)
        for sink in spec.sinks:
            add("sinks_by_decorator" if sink.returned else "sinks_by_call", sink.call, sink)
        for sanitizer in spec.sanitizers:
            add("sanitizers_by_call", sanitizer.call, sanitizer)
        for propagator in spec.propagators:
            add("propagators_by_call", propagator.call, propagator)
        for rule in spec.types:
            if rule.call:
                types_by_call[rule.call] = rule.type
            elif rule.attribute:
                types_by_attribute[rule.attribute] = rule.type
            elif rule.parameter:
                add("types_by_parameter", rule.parameter, rule)
    frozen = {name: {key: tuple(values) for key, values in table.items()} for name, table in tables.items()}
    return SpecIndex(types_by_call=types_by_call, types_by_attribute=types_by_attribute,
                     library_imports=library_imports, **frozen)


def sanitizer_clears(sanitizer: Sanitizer, sink_kind: str) -> bool:
    """Whether `sanitizer` makes a value safe for `sink_kind`."""
    return ALL_SINKS in sanitizer.clears or sink_kind in sanitizer.clears
