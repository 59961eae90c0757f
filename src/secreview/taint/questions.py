"""Recorded questions: what a module's summary or a file's review read of the rest of the project, kept
beside it in the cache and checked before it is reused (the way Salsa verifies a memo).

While `ProjectSummaries.recorder` is set, every question asked of the project is added to it (which
function, method, class attribute, module-level type or short name was looked up). `record` turns them
into a `Recorded`: each question with a digest of its answer, and the version (whole-summary digest) of
every module an answer was read from. `still` says whether the answers are all the same today.

Two rows, because the common check should not read the long one: the *head* holds the versions and the
questions whose modules are not fixed by the question itself (a method found through base classes, a
short name looked up across the project); the *static* part holds the rest, each answer decided by the
modules its question names. When every version in the head is today's, no static question can have
changed and that row is never read: a one-file change leaves hundreds of importers reviewed as context
checking a few dozen versions each instead of replaying ~800 answers.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from secreview.taint.digests import WHOLE, canonical_json, modules_behind, step_paths, without_positions
from secreview.taint.labels import label_to_list
from secreview.taint.summaries import FunctionSummary, ProjectSummaries

ABSENT = "-"  # the version of a module without a summary
_THROUGH_BASES = ("method", "attr")  # their answers walk base classes, wherever those are defined


@dataclass
class Recorded:
    head: dict[str, Any] = field(default_factory=dict)  # {"v": versions, "d": dynamic answers, "n", "w"}
    static: dict[str, str] = field(default_factory=dict)  # question key -> digest of its answer

    def to_rows(self) -> tuple[dict[str, Any], dict[str, str]]:
        return self.head, self.static


def record(project: ProjectSummaries, queries: Iterable[tuple[str, ...]], output: Any = None,
           own: Iterable[str] = ()) -> Recorded:
    """Each question -> a digest of its answer now: of its *meaning* (lines, paths and trace steps left
    out), so a helper whose code only moved answers the same. What `output` (the JSON-ready summary or
    result computed from the answers) copied of positions is recorded apart: a `positions` question per
    module whose trace steps it holds, answered with that module's whole summary — except the `own`
    modules, whose text is in the cache key already. A trace as long as clipping allows may have lost steps
    that still shaped it: then every answer is recorded with its positions (`w`)."""
    paths, clipped = step_paths(output) if output is not None else (set(), False)
    saved, project.recorder = project.recorder, None
    try:
        asked = {q: answer(project, q, not clipped) for q in set(queries) if q[0] != WHOLE}
        copied = {name for name in (module_at(project, p) for p in paths) if name is not None} - set(own)
        for name in sorted(copied):
            asked[("positions", name)] = answer(project, ("positions", name))
        versions: dict[str, str] = {}
        dynamic: dict[str, str] = {}
        static: dict[str, str] = {}
        for query, digest in asked.items():
            key, behind, through_bases = _shape(query)
            if through_bases:
                behind = bases_read(project, query[1], query[2])
            if through_bases or "*" in behind:
                dynamic[key] = digest
            else:
                static[key] = digest
            for module in behind:
                if module != "*" and module not in versions:
                    versions[module] = project.versions.get(module, ABSENT)
        head = {"v": versions, "d": dynamic, "n": len(static)}
        if clipped:
            head["w"] = 1
        return Recorded(head, static)
    finally:
        project.recorder = saved


def refreshed(project: ProjectSummaries, head: dict[str, Any]) -> dict[str, Any] | None:
    """A head `still` just verified, with today's versions, when some differ (None: all the same). Stored
    back, the next check of the same result compares versions again instead of replaying the answers: a
    module imported everywhere that changed once would otherwise make every later check replay them all."""
    now = project.versions
    versions = {m: now.get(m, ABSENT) for m in head["v"]}
    for key in head["d"]:
        query = tuple(key.split("\x1f"))
        if query[0] in _THROUGH_BASES and len(query) == 4:  # the walk as it reads today
            versions.update((m, now.get(m, ABSENT)) for m in bases_read(project, query[1], query[2]))
    return None if versions == head["v"] else {**head, "v": versions}


@functools.lru_cache(maxsize=1 << 16)
def _shape(query: tuple[str, ...]) -> tuple[str, Iterable[str], bool]:
    """A question's stored key, the modules its answer is read from (unless it walks base classes), and
    whether it does: the same questions come back for every file of a project, so made once each."""
    through_bases = query[0] in _THROUGH_BASES and len(query) == 4
    return "\x1f".join(query), () if through_bases else tuple(modules_behind(query)), through_bases


def still(project: ProjectSummaries, head: object, static: Callable[[], object]) -> bool:
    """Whether every recorded answer is what it was. `static`: reads the static row, only when a module
    it may depend on changed."""
    if not isinstance(head, dict) or not isinstance(head.get("v"), dict) or not isinstance(head.get("d"), dict):
        return False  # missing, or stored by an earlier format
    semantic = "w" not in head
    recorded: dict[str, str] = head["v"]
    now = project.versions
    changed = {m for m, version in recorded.items() if now.get(m, ABSENT) != version}
    saved, project.recorder = project.recorder, None
    try:
        for key, digest in head["d"].items():
            query = tuple(key.split("\x1f"))
            if query[0] == "name" and len(query) == 3:  # the cheap relevance test: asked as often as that
                if ("1" if project.names(query[1]).get(query[2], 0) > 0 else "0") != digest:
                    return False
                continue
            if query[0] == "top" and len(query) == 2:
                if ("1" if query[1] in project.tops() else "0") != digest:
                    return False
                continue
            if query[0] in _THROUGH_BASES and len(query) == 4:
                read = bases_read(project, query[1], query[2])
                if read <= recorded.keys() and not read & changed:
                    continue  # the walk reads exactly the summaries it read then
            if answer(project, query, semantic) != digest:
                return False
        if not changed:
            return True
        rows = static()
        if not isinstance(rows, dict) or len(rows) != head.get("n"):
            return False
        for key, digest in rows.items():
            query = tuple(key.split("\x1f"))
            if changed.isdisjoint(modules_behind(query)):
                continue  # every summary it reads is exactly as it was: so is the answer
            if answer(project, query, semantic) != digest:
                return False
        return True
    except (ValueError, IndexError, TypeError, KeyError, AttributeError, RuntimeError):
        return False  # unreadable (RuntimeError: a stored summary the cache lost): not the same, recompute
    finally:
        project.recorder = saved


def module_at(project: ProjectSummaries, path: str) -> str | None:
    """The project module whose summary is of the file at `path` (its display path)."""
    if project._paths is None:
        project._paths = {project.modules.path_of(name): name for name in project.modules}
    return project._paths.get(path)


def answer(project: ProjectSummaries, query: tuple[str, ...], semantic: bool = True) -> str:
    """A digest of the answer, remembered on the project until a module's summary changes
    (`ProjectSummaries._forget`): a cold review asks the same questions of a fixed project for every file."""
    key = (query, semantic)
    found = project._answered.get(key)
    if found is None:
        found = project._answered[key] = _digest_answer(project, query, semantic)
        for module in modules_behind(query):
            project._answered_by.setdefault(module, []).append(key)
    return found


def _digest_answer(project: ProjectSummaries, query: tuple[str, ...], semantic: bool) -> str:
    kind, *args = query
    value: Any
    if kind == "function":
        return _function_digest(project.function(args[0]), semantic)
    if kind == "method":
        return _function_digest(project.method(args[0], args[1], args[2]), semantic)
    if kind == "has":
        return "1" if args[0] in project.modules else "0"
    if kind == "top":
        return "1" if args[0] in project.tops() else "0"
    if kind == "anysecrets":
        return "1" if project.any_secret_options() else "0"
    if kind == "secrets":
        return ",".join(sorted(project.secret_options_of(args[0])))
    if kind == "name":
        return "1" if project.has_name(args[0], args[1]) else "0"
    if kind == "positions" and args[0] in project.versions:  # the whole summary's digest, made once
        return project.versions[args[0]][:24]
    if kind in ("positions", "module") and args[0] in project._stored_digests:
        whole, meaning = project._stored_digests[args[0]]
        return meaning if semantic and kind == "module" else whole
    if kind in ("positions", "module"):
        value = project.modules.raw(args[0]) if args[0] in project.modules else None
    elif kind == "attr":
        value = label_to_list(project.class_attribute(args[0], args[1], args[2]))
    elif kind == "type":
        value = project.module_type(args[0], args[1])
    else:
        raise ValueError(f"unknown project question {kind!r}")
    if semantic and kind != "positions":
        value = without_positions(value)
    return hashlib.sha256(canonical_json(value)).hexdigest()[:24]


def _function_digest(found: FunctionSummary | None, semantic: bool) -> str:
    """A function summary's digest, kept on the object (a summary is not changed once published: a new
    run makes a new one)."""
    if found is None:
        return "-"
    attr = "_semantic_digest" if semantic else "_full_digest"
    cached = found.__dict__.get(attr)
    if cached is None:
        value = found.to_dict()
        cached = hashlib.sha256(canonical_json(without_positions(value) if semantic else value)).hexdigest()[:24]
        found.__dict__[attr] = cached
    return cached


def bases_read(project: ProjectSummaries, module: str, cls: str) -> frozenset[str]:
    """The modules a method or attribute lookup through `module.cls`'s base classes reads, present or not:
    when each is as it was, so is the walk. Remembered until a summary changes (every importer of a class
    asks it again)."""
    found = project._bases.get((module, cls))
    if found is None:
        found = project._bases[(module, cls)] = frozenset(_bases_read(project, module, cls, 0, set()))
    return found


def _bases_read(project: ProjectSummaries, module: str, cls: str, depth: int, out: set[str]) -> set[str]:
    out.add(module)
    if depth > 5 or module not in project.modules:
        return out
    value = dict.__getitem__(project.modules, module)  # a stored summary is not read, nor decoded
    if isinstance(value, dict):
        bases = value["class_bases"].get(cls, ())
    else:  # a `ModuleSummary` or a `StoredSummary`: both carry the bases
        bases = value.class_bases.get(cls, ())
    for base in bases:
        base_module, _, base_cls = base.rpartition(".")
        _bases_read(project, base_module, base_cls, depth + 1, out)
    return out
