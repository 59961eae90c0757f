"""Moving a stored summary's copied trace steps instead of recomputing it.

A summary holds the trace steps it copied from the helpers it calls, with their lines. When a helper's
lines move (a function added above the one called), every summary that copied a step from it is stale by
position only: its recorded answers are the same, but the lines it holds are not today's. Recomputing
such a summary costs a taint run of the whole module; moving its steps costs a walk over its JSON.

It is done only when it gives exactly what a recomputation would:
- every recorded answer is the same except the `positions` ones (`questions.moved_modules`), and no trace
  was clipped (then the steps a trace kept depend on positions);
- each moved module's text is known then and now (`fingerprint`, stored by text digest), and every line a
  copied step names is a line that did not change, only moved (`line_map`, from difflib's matching blocks:
  order-preserving, so steps keep their order);
- each moved module's summary, its old lines mapped, is its new summary in every entry both hold: what the
  importer read of it (semantically the same, by the recorded answers) moved and nothing else did (steps
  in files the importer copied nothing from are compared without their lines: none reaches its summary).
Anything else (an unknown old text, a step on an edited line, an entry that changed beyond its lines) and
the summary is recomputed as before. `Mover` is the project phase's side: it tries the move for a stale
component, stores what it moved, and keeps the line fingerprints later runs need.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from secreview.taint import questions
from secreview.taint.digests import canonical_json, stored_digests
from secreview.taint.stored import SummaryStore, meta_row
from secreview.taint.summaries import ProjectSummaries

LINES = "lines:"  # key prefix, in the summaries table, of a module text's line fingerprints


def fingerprint(text: str) -> list[str]:
    """A short digest of each line as the parser numbers them (\\n, \\r\\n and \\r end a line)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest() for line in lines]


def line_map(old: list[str], new: list[str]) -> dict[int, int]:
    """Old line -> new line (1-based) for the lines that are unchanged, only moved."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return {a + i + 1: b + i + 1 for a, b, size in matcher.get_matching_blocks() for i in range(size)}


class Unmapped(Exception):
    """A step names a line that changed (or a file whose lines are not known)."""


Maps = Mapping[str, "Mapping[int, int] | None"]  # path -> old line -> new line (None: the lines did not move)


def moved(value: Any, maps: Maps, others: str = "raise") -> Any:
    """`value` (summary JSON) with the line of every step or definition in a file of `maps` mapped. A line in
    another file: `others` "raise" (`Unmapped`), or "blank" (set to None: compared without its line)."""
    if isinstance(value, dict):
        out = {k: moved(v, maps, others) for k, v in value.items()}
        path, line = value.get("path"), value.get("line")
        if isinstance(path, str) and isinstance(line, int):
            if path in maps:
                lines = maps[path]
                found = line if lines is None else lines.get(line)
                if found is None:
                    raise Unmapped(f"{path}:{line}")
                out["line"] = found
            elif others == "blank":
                out["line"] = None
            else:
                raise Unmapped(f"{path}:{line}")
        return out
    if isinstance(value, list):
        return [moved(v, maps, others) for v in value]
    return value


def only_moved(old: dict[str, Any], new: dict[str, Any], maps: Maps) -> bool:
    """Whether every entry `old` and `new` (a module's summaries) both hold is the same once old lines are
    mapped: entries added or removed are judged by the recorded answers (a question about them changed).
    Steps in files outside `maps` are compared without their lines: the members copied none of them (those
    they copied are all in `maps`), so where those lines are does not reach their summaries."""
    same = {path: None for path in maps}
    for section, entries in old.items():
        theirs = new.get(section)
        if isinstance(entries, dict):
            if not isinstance(theirs, dict):
                return False
            for key in entries.keys() & theirs.keys():
                if canonical_json(moved(entries[key], maps, "blank")) != \
                        canonical_json(moved(theirs[key], same, "blank")):
                    return False
        elif canonical_json(moved(entries, maps, "blank")) != canonical_json(moved(theirs, same, "blank")):
            return False
    return True


def step_paths_in(value: Any, out: set[str] | None = None) -> set[str]:
    """The files named by the steps and definitions in `value` (summary JSON)."""
    out = set() if out is None else out
    if isinstance(value, dict):
        if isinstance(value.get("path"), str) and isinstance(value.get("line"), int):
            out.add(value["path"])
        for item in value.values():
            step_paths_in(item, out)
    elif isinstance(value, list):
        for item in value:
            step_paths_in(item, out)
    return out


def rebased(old_summaries: Mapping[str, dict[str, Any]], moved_modules: Mapping[str, tuple[str, str, str]],
            fixed: Iterable[str], now: Callable[[str], tuple[str, str, str, dict[str, Any]] | None],
            before: Callable[[str, str], tuple[list[str] | None, dict[str, Any] | None, str]],
            memo: dict[tuple[str, ...], Any] | None = None) -> dict[str, Any] | None:
    """The members' summaries (`old_summaries`: name -> stored JSON) with their copied steps moved, or None
    when that would not be exactly a recomputation. `moved_modules`: module -> (its text digest, its summary's
    cache key, its summary's whole digest) when the members' summaries were made; `fixed`: the paths of the
    members and of the other modules they copied steps from (their lines did not move); `now(module)`: (path,
    text digest, text, summary JSON) today; `before(digest, key)`: the line fingerprints of that text, and the
    summary stored under that key with its whole digest (it must be the one the members read). `memo`: kept
    across the components of one run (a helper imported everywhere is compared once, not per importer)."""
    memo = {} if memo is None else memo
    maps: dict[str, Mapping[int, int] | None] = dict.fromkeys(fixed)
    pairs: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for module, (old_digest, old_key, old_whole) in moved_modules.items():
        today = now(module)
        if today is None:
            return None
        path, digest, text, summary = today
        old_lines, old_summary, whole = before(old_digest, old_key)
        if old_summary is None or not whole.startswith(old_whole):
            return None  # not the summary the members copied from (since replaced, or lost)
        if digest == old_digest:  # its own text is as it was (what it copied from further down moved)
            maps[path] = None
        elif old_lines is None:
            return None
        else:
            if ("map", old_digest, digest) not in memo:
                memo[("map", old_digest, digest)] = line_map(old_lines, fingerprint(text))
            maps[path] = memo[("map", old_digest, digest)]
        pairs.append((old_key, old_summary, summary))
    try:
        for key, old, new in pairs:
            # the verdict depends on the maps of the files its entries name only: the same for most importers
            if ("paths", key) not in memo:
                memo[("paths", key)] = sorted(step_paths_in(old) | step_paths_in(new))
            verdict = ("same", key, *(f"{p}\x1e{id(maps[p]) if p in maps else '-'}" for p in memo[("paths", key)]))
            if verdict not in memo:
                memo[verdict] = only_moved(old, new, maps)
            if not memo[verdict]:
                return None
        return {name: moved(summary, maps) for name, summary in old_summaries.items()}
    except Unmapped:
        return None


class Mover:
    """What the project phase (`project.build_phase`) does with the above: summaries stale only by the lines
    of the steps they copied are moved (`rebase`) instead of recomputed, and the line fingerprints of the
    texts they copied from are stored (`keep_lines`) so a later run can map those lines. `by_name` arguments
    map module names to `project.ProjectModule`s (typed loosely: that module imports this one)."""

    def __init__(self, store: SummaryStore, texts: Mapping[str, str]) -> None:
        self.store, self.texts = store, texts
        self.kept: set[str] = set()  # text digests whose fingerprints this run stored
        self.replaced: dict[str, tuple[dict[str, Any], str]] = {}  # summary key -> (its old JSON, whole digest)
        self.memo: dict[tuple[str, ...], Any] = {}  # `rebased`'s line maps and verdicts in this run

    def keep_lines(self, anchored: Mapping[str, list[str]], by_name: Mapping[str, Any]) -> None:
        for name, (digest, _) in anchored.items():
            module = by_name.get(name)
            if digest not in self.kept and module is not None and module.file.display in self.texts:
                self.kept.add(digest)
                self.store.put_json("summaries", LINES + digest,
                                    fingerprint(self.texts[module.file.display]))

    def rebase(self, project: ProjectSummaries, cached: Mapping[str, dict[str, Any]], keys: Mapping[str, str],
               first: str, head: object, static: Callable[[], object], by_name: Mapping[str, Any],
               anchors: Mapping[str, list[str]], below: str, digests: dict[str, str]) -> bool:
        """Whether the component's stored summaries were moved into today's lines (then stored, with their
        record brought up to date); False: it must be recomputed."""
        rows = static()
        moved = questions.moved_modules(project, head, rows)
        if not moved or not isinstance(head, dict) or not isinstance(rows, dict):
            return False
        anchored = head["t"]

        def now(name: str) -> tuple[str, str, str, dict[str, Any]] | None:
            module = by_name.get(name)
            if module is None or module.file.display not in self.texts or name not in project.modules:
                return None
            return (project.modules.path_of(name), module.digest, self.texts[module.file.display],
                    project.modules.raw(name))

        def before(digest: str, key: str) -> tuple[list[str] | None, dict[str, Any] | None, str]:
            lines = self.store.get_json("summaries", LINES + digest)
            summary: object
            if key in self.replaced:
                summary, whole = self.replaced[key]
            else:
                row = self.store.get_json("summaries", key)
                summary = row.get("summary") if isinstance(row, dict) else None
                whole = str(row.get("digest", "")) if isinstance(row, dict) else ""
            return (lines if isinstance(lines, list) else None,
                    summary if isinstance(summary, dict) else None, whole)

        try:
            olds = {name: project.modules.raw(name) for name in cached}
            then = {name: (str(anchored[name][0]), str(anchored[name][1]), whole) for name, whole in moved.items()}
        except (RuntimeError, KeyError, IndexError, TypeError):
            return False
        fixed = [project.modules.path_of(name) for name in [*cached, *anchored]
                 if name not in moved and name in project.modules]
        new = rebased(olds, then, fixed, now, before, self.memo)
        if new is None:
            return False
        for name, summary in new.items():
            digest = hashlib.sha256(canonical_json(summary)).hexdigest()
            self.replaced[keys[name]] = (olds[name], cached[name]["digest"])
            project.set_stored(name, summary, stored_digests(summary, digest))
            digests[name] = digest
            self.store.put_json("summaries", keys[name], {"digest": digest, "summary": summary})
            self.store.put_json("summaries", keys[name] + ":digests", meta_row(summary, digest, below))
        # the record, with today's answers to the questions that moved and today's versions
        rows = {**rows, **{f"positions\x1f{name}": questions.answer(project, ("positions", name)) for name in moved}}
        updated = questions.refreshed(project, {**head, "t": {**anchored, **{n: anchors[n] for n in moved
                                                                             if n in anchors}}})
        self.store.put_json("summaries", first + ":depends", updated)
        self.store.put_json("summaries", first + ":depends-static", rows)
        self.keep_lines({n: anchors[n] for n in moved if n in anchors}, by_name)
        return True
