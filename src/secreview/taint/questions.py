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
from collections.abc import Callable, Iterable, Mapping
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
           own: Iterable[str] = (), anchors: Mapping[str, list[str]] | None = None) -> Recorded:
    """Each question -> a digest of its answer now: of its *meaning* (lines, paths and trace steps left
    out), so a helper whose code only moved answers the same. What `output` (the JSON-ready summary or
    result computed from the answers) copied of positions is recorded apart: a `positions` question per
    module whose trace steps it holds, answered with that module's whole summary — except the `own`
    modules, whose text is in the cache key already. A trace as long as clipping allows may have lost steps
    that still shaped it: then every answer is recorded with its positions (`w`).

    The head: `v` the versions read, `d` the questions no module fixes (name tables, `top`), `b` the
    lookups through base classes grouped by the class they start from (a class's attributes are asked
    one by one, its bases are walked once), `n` how many questions the static row holds; with `anchors`
    (module -> [text digest, summary key]), `t` the anchors of the modules whose positions `output` copied
    (what `rebase.py` needs to move those steps when only their lines change)."""
    paths, clipped = step_paths(output) if output is not None else (set(), False)
    saved, project.recorder = project.recorder, None
    try:
        # "name" and "top" questions (most of a file's) are answered a table at a time: kind -> words asked
        asked_words: dict[tuple[str, ...], list[str]] = {}
        asked: dict[tuple[str, ...], str] = {}
        for q in set(queries):
            if len(q) == _WORD_KINDS.get(q[0]):
                asked_words.setdefault(q[:-1], []).append(q[-1])
            elif q[0] != WHOLE:
                asked[q] = answer(project, q, not clipped)
        copied = {name for name in (module_at(project, p) for p in paths) if name is not None} - set(own)
        for name in sorted(copied):
            asked[("positions", name)] = answer(project, ("positions", name))
        versions: dict[str, str] = {}
        dynamic: dict[str, str] = {}
        classes: dict[str, dict[str, str]] = {}
        words: dict[str, dict[str, list[str]]] = {}  # "name" and "top" questions: kind -> answer -> words
        for table, listed in asked_words.items():
            present = project.tops() if table == ("top",) else project.positive_names(table[1])
            by_answer = words["\x1f".join(table)] = {}
            for word in sorted(listed):  # the answer `_digest_answer` gives: "1" when the table holds it
                by_answer.setdefault("1" if word in present else "0", []).append(word)
        static: dict[str, str] = {}
        for query, digest in asked.items():
            key, behind, through_bases = _shape(query)
            if through_bases:
                behind = bases_read(project, query[1], query[2])
                classes.setdefault(f"{query[1]}\x1f{query[2]}", {})[key] = digest
            elif "*" in behind:
                dynamic[key] = digest
            else:
                static[key] = digest
            for module in behind:
                if module != "*" and module not in versions:
                    versions[module] = project.versions.get(module, ABSENT)
        head = {"v": versions, "d": dynamic, "b": classes, "words": words, "n": len(static)}
        if clipped:
            head["w"] = 1
        elif anchors is not None and copied:
            head["t"] = {name: anchors[name] for name in sorted(copied) if name in anchors}
        return Recorded(head, static)
    finally:
        project.recorder = saved


def refreshed(project: ProjectSummaries, head: dict[str, Any]) -> dict[str, Any]:
    """A head `check` found VERIFIED, with today's versions (of the bases walks as they read today too).
    Stored back, the next check of the same result compares versions instead of replaying the answers: a
    module imported everywhere that changed once would otherwise make every later check replay them all."""
    now = project.versions
    versions = {m: now.get(m, ABSENT) for m in head["v"]}
    for group in head["b"]:
        module, _, cls = group.partition("\x1f")
        versions.update((m, now.get(m, ABSENT)) for m in bases_read(project, module, cls))
    return {**head, "v": versions}


@functools.lru_cache(maxsize=1 << 16)
def _shape(query: tuple[str, ...]) -> tuple[str, Iterable[str], bool]:
    """A question's stored key, the modules its answer is read from (unless it walks base classes), and
    whether it does: the same questions come back for every file of a project, so made once each."""
    through_bases = query[0] in _THROUGH_BASES and len(query) == 4
    return "\x1f".join(query), () if through_bases else tuple(modules_behind(query)), through_bases


STALE, SAME, VERIFIED = "stale", "same", "verified"  # `check`'s verdicts
# questions about one word of a project-wide table (the short names of active or source-returning
# functions, the first parts of module names), by their length: recorded as lists of words per answer and
# checked with one set operation each (a file skipping many units asks hundreds of them)
_WORD_KINDS = {"name": 3, "top": 2}


def still(project: ProjectSummaries, head: object, static: Callable[[], object]) -> bool:
    """Whether every recorded answer is what it was (`check` is not STALE)."""
    return check(project, head, static) != STALE


def check(project: ProjectSummaries, head: object, static: Callable[[], object]) -> str:
    """SAME: every module the answers were read from is as it was; VERIFIED: some changed, and every answer
    read from them is still what it was (`refreshed` gives the head to store back); STALE: an answer
    changed, or the record cannot be read. `static` reads the static row, only when a module changed."""
    if not isinstance(head, dict) or not all(isinstance(head.get(k), dict) for k in ("v", "d", "b", "words")):
        return STALE  # missing, or stored by an earlier format
    semantic = "w" not in head
    recorded: dict[str, str] = head["v"]
    now = project.versions
    changed = {m for m, version in recorded.items() if now.get(m, ABSENT) != version}
    replayed = bool(changed)
    saved, project.recorder = project.recorder, None
    try:
        if not _project_wide_same(project, head, semantic):
            return STALE
        for group, answers in head["b"].items():
            module, _, cls = group.partition("\x1f")
            read = bases_read(project, module, cls)
            if read <= recorded.keys() and not read & changed:
                continue  # the walk reads exactly the summaries it read then
            replayed = True
            for key, digest in answers.items():
                if answer(project, tuple(key.split("\x1f")), semantic) != digest:
                    return STALE
        if not changed:
            return VERIFIED if replayed else SAME
        rows = static()
        if not isinstance(rows, dict) or len(rows) != head.get("n"):
            return STALE
        for key, digest in rows.items():
            query = tuple(key.split("\x1f"))
            if changed.isdisjoint(modules_behind(query)):
                continue  # every summary it reads is exactly as it was: so is the answer
            if answer(project, query, semantic) != digest:
                return STALE
        return VERIFIED
    except (ValueError, IndexError, TypeError, KeyError, AttributeError, RuntimeError):
        return STALE  # unreadable (RuntimeError: a stored summary the cache lost): not the same, recompute
    finally:
        project.recorder = saved


def _project_wide_same(project: ProjectSummaries, head: dict[str, Any], semantic: bool) -> bool:
    """Whether the answers no module fixes are the same: the name tables' words, and the dynamic answers."""
    for table, by_answer in head["words"].items():
        present = project.tops() if table == "top" else project.positive_names(table.split("\x1f")[1])
        if not present.isdisjoint(by_answer.get("0", ())) or not present.issuperset(by_answer.get("1", ())):
            return False
    return all(answer(project, tuple(key.split("\x1f")), semantic) == digest for key, digest in head["d"].items())


def moved_modules(project: ProjectSummaries, head: object, rows: object) -> dict[str, str] | None:
    """The modules whose `positions` answers changed (-> the whole digest recorded then), when those are the
    only answers that did and no trace was clipped: a summary stale by the lines it copied alone
    (`rebase.py`). None otherwise. `check`'s replay, going on past the `positions` questions of the modules
    the record has anchors for; `rows`: the record's static row (always read here)."""
    if not isinstance(head, dict) or "w" in head or not isinstance(head.get("t"), dict) \
            or not all(isinstance(head.get(k), dict) for k in ("v", "d", "b", "words")):
        return None
    anchored: dict[str, Any] = head["t"]
    now = project.versions
    changed = {m for m, version in head["v"].items() if now.get(m, ABSENT) != version}
    out: dict[str, str] = {}
    saved, project.recorder = project.recorder, None
    try:
        if not _project_wide_same(project, head, True):
            return None
        for answers in head["b"].values():
            for key, digest in answers.items():
                if answer(project, tuple(key.split("\x1f"))) != digest:
                    return None
        if not isinstance(rows, dict) or len(rows) != head.get("n"):
            return None
        for key, digest in rows.items():
            query = tuple(key.split("\x1f"))
            if changed.isdisjoint(modules_behind(query)) or answer(project, query) == digest:
                continue
            if query[0] != "positions" or query[1] not in anchored:
                return None
            out[query[1]] = digest
        return out
    except (ValueError, IndexError, TypeError, KeyError, AttributeError, RuntimeError):
        return None
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
    value = project.modules.held(module)  # a stored summary is not read, nor decoded
    if isinstance(value, dict):
        bases = value["class_bases"].get(cls, ())
    else:  # a `ModuleSummary` or a `StoredSummary`: both carry the bases
        bases = value.class_bases.get(cls, ())
    for base in bases:
        base_module, _, base_cls = base.rpartition(".")
        _bases_read(project, base_module, base_cls, depth + 1, out)
    return out
