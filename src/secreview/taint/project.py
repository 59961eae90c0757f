"""The project phase of a review: summaries of every function of the project, computed
before the per-file review so a flow through a helper in another module is found.

1. Discover the project's modules (the reviewed paths, plus `project=` paths) and give
   each a dotted name relative to its root (the directory given, widened up through
   package directories, so `pkg/sub/mod.py` is `pkg.sub.mod`).
2. Read them and hash their bytes. A module's summary depends on its own text and on
   the summaries of the project modules it imports, transitively; its cache key is
   the hash of the texts of that closure, so an unchanged closure reuses the stored
   summary and a one-file change only recomputes the modules that import it.
3. Parse what must be recomputed and run the engine's fixpoint on it, the cached
   summaries of the other modules standing in for theirs.

A module that cannot be read, decoded or parsed is left out (the per-file review
reports it as a file error); the others go on.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from secreview.analysis.context import FileContext
from secreview.source import SourceFile, decode, parse, read_source
from secreview.taint import questions, rebase
from secreview.taint.digests import canonical_json
from secreview.taint.imports import modules_imported_by_text
from secreview.taint.result import TaintResult
from secreview.taint.rules import TaintSetup, spec_index
from secreview.taint.stored import SummaryReader, SummaryStore, cached_rows, meta_row, stored_summary

# The grammar the trees are parsed with: a summary made from another Python's parse is not reused.
GRAMMAR = f"python{sys.version_info[0]}.{sys.version_info[1]}"


@dataclass
class ProjectModule:
    file: SourceFile
    name: str
    digest: str = ""  # sha256 of the bytes; "" when the file could not be read
    imports: frozenset[str] = frozenset()  # project modules it imports
    ctx: FileContext | None = None


@dataclass
class ProjectPhase:
    """What the per-file review needs: each file's module and the summaries, and the hash
    of the summaries each file's result depends on (part of its cache key)."""

    project: Any  # secreview.taint.engine.ProjectSummaries
    modules: dict[str, ProjectModule] = field(default_factory=dict)  # display path -> module
    recomputed: int = 0  # modules summarised in this run (the others came from the cache)
    # display path -> the tree the phase parsed to summarise it, kept (when asked) for the file's own
    # review to use instead of parsing the same text again; each is handed out once
    contexts: dict[str, FileContext] = field(default_factory=dict)
    # display path -> the flows the phase found in that kept tree (its last run saw the final summaries)
    flows: dict[str, TaintResult] = field(default_factory=dict)
    # module name -> digest of its summary's canonical JSON (absent: no summary, or not computed yet)
    summary_digests: dict[str, str] = field(default_factory=dict)
    # module name -> the questions its last run asked of the project, when it was summarised in this run
    # (`questions.py`): a file reusing the flows kept for it depends on them as on its own
    depends: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)
    # modules whose summaries had not settled when the fixpoint's rounds ran out (flows may be missed)
    unsettled: tuple[str, ...] = ()
    # the modules asked about (`focus`) and, with `callers`, every module that imports one, transitively
    focus: frozenset[str] = frozenset()

    def release(self, display: str | None = None) -> None:
        """Drop the kept tree and flows of one file (all files: None), which hold its tree alive."""
        if display is None:
            self.contexts.clear()
            self.flows.clear()
        else:
            self.contexts.pop(display, None)
            self.flows.pop(display, None)

    def setup_for(self, display: str) -> TaintSetup | None:
        module = self.modules.get(display)
        if module is None:
            return None
        return TaintSetup(module.name, self.project, self.contexts.pop(display, None), self.flows.pop(display, None))

    def dependency_hash(self, display: str) -> str:
        """What a file's cached result is keyed by besides its text: the module name it is reviewed as
        (imports resolve from it). What the review read of other modules is checked apart: the answers
        it recorded (`questions.still`)."""
        module = self.modules.get(display)
        return f"module:{module.name}" if module is not None else ""

    def reused_depends(self, display: str) -> set[tuple[str, ...]]:
        """The questions behind the flows the phase kept for a file (its review reuses them): the file's
        result depends on them as on its own."""
        module = self.modules.get(display)
        return self.depends.get(module.name, set()) if module is not None else set()


def first_by_name(modules: Iterable[ProjectModule]) -> dict[str, ProjectModule]:
    """Modules by dotted name, the first of each name winning: `collect` lists the reviewed files first, so
    a project file that happens to share a reviewed module's name (another sample's `app.py`) does not
    replace it."""
    out: dict[str, ProjectModule] = {}
    for module in modules:
        out.setdefault(module.name, module)
    return out


def summary_digest(summary: Any) -> str:
    """The digest of a module summary (None: a module without one), independent of set order."""
    return hashlib.sha256(canonical_json(summary.to_dict() if summary is not None else None)).hexdigest()


class _NoStore:
    """The store of a phase without a cache: keeps nothing."""

    def get_json(self, table: str, key: str) -> object | None:
        return None

    def put_json(self, table: str, key: str, value: object) -> None:
        return None

    def later(self) -> SummaryReader:
        return self


def build_phase(modules: dict[str, ProjectModule], max_bytes: int, store: SummaryStore | None = None,
                code_signature: str = "", wanted: frozenset[type] = frozenset(),
                keep_contexts: bool = False, progress: Callable[[str, int, int], None] | None = None,
                focus: Iterable[str] | None = None, contents: Mapping[str, bytes] | None = None,
                callers: bool = False) -> ProjectPhase:
    """`wanted`, `keep_contexts`: the trees parsed to summarise modules are built with the rules'
    node index (`wanted`) and kept in `ProjectPhase.contexts` for the per-file review to reuse.
    `progress(stage, done, total)`: "summarising modules", as each import cycle (or module) is
    summarised or found in the cache. `focus`: module names whose review is asked for; only the modules
    they import (transitively) are summarised (None: every module another module imports); with `callers`,
    the modules that import them (transitively) are added to the focus first — a change to a helper is
    judged with the code that calls it (`ProjectPhase.focus` names them). `contents`: display path ->
    bytes of modules held in memory (git blobs, a patch's images), read instead of the file."""
    from secreview.taint.summaries import ProjectSummaries

    # Without a store nothing is kept, so nothing needs the questions a summary asked or the digests it
    # is checked by: a `--no-cache` review skips recording them (a tenth of a cold review).
    recording = store is not None
    store = store or _NoStore()
    texts: dict[str, str] = {}
    for display, module in modules.items():
        data = contents.get(display) if contents is not None else None
        if data is None:
            data, error = read_source(module.file, max_bytes)
            if error or data is None:
                continue
        elif len(data) > max_bytes:
            continue
        module.digest = hashlib.sha256(data).hexdigest()
        text, error = decode(data, display)
        if text is not None and not error:
            texts[display] = text
    names = {m.name for m in modules.values() if m.digest}
    packages = {name.rsplit(".", i)[0] for name in names for i in range(1, name.count(".") + 1)}
    # Import lists are a function of a module's text, its name and the project's module names: kept per
    # set of names, one row for the whole project (a warm review reads it instead of scanning every text).
    imports_key = hashlib.sha256("\x1f".join([code_signature, *sorted(names)]).encode()).hexdigest()
    stored = store.get_json("imports", imports_key)
    stored = stored if isinstance(stored, dict) else {}
    lists: dict[str, list[Any]] = {}
    for display, module in modules.items():
        if display in texts:
            tag = f"{module.digest}:{module.name}"
            entry = stored.get(display)
            if isinstance(entry, list) and len(entry) == 2 and entry[0] == tag and isinstance(entry[1], list):
                found = entry[1]
            else:
                is_package = display.replace("\\", "/").endswith("__init__.py")
                found = sorted(modules_imported_by_text(texts[display], module.name, is_package, names, packages))
            lists[display] = [tag, found]
            module.imports = frozenset(found)
    if lists != stored:
        store.put_json("imports", imports_key, lists)
    live = {d: m for d, m in modules.items() if m.digest and d in texts}
    by_name = first_by_name(live.values())
    # Only modules that another module imports need a summary here; the others (most test files,
    # scripts, leaf views) are summarised by the per-file review from the tree it parses anyway,
    # which saves a second parse and keeps the phase from holding every tree at once.
    imported_somewhere = {name for m in by_name.values() for name in m.imports}
    if focus is not None and callers:
        focus = _backward_closure(by_name, focus)
    needed = imported_somewhere if focus is None else imported_somewhere & _forward_closure(by_name, focus)
    project = ProjectSummaries()
    digests: dict[str, str] = {}
    project.versions = digests  # filled below as components settle; `still` compares against it
    flows_by_module: dict[str, TaintResult] = {}
    unsettled: set[str] = set()
    recomputed = 0
    cached_count = 0
    index = None
    done = 0
    depends: dict[str, set[tuple[str, ...]]] = {}  # module -> the questions its summary asked (computed here)
    anchors: dict[str, list[str]] = {}  # module -> [text digest, summary key]: what a record's `t` names
    moving = rebase.Mover(store, texts)  # summaries whose copied steps only moved
    reach: dict[str, str] = {}  # module -> digest of the whole summaries of its import closure
    # Import cycles are summarised together, those they import first (`_components` emits them so). A
    # component's summaries are a function of its members' texts and paths (summaries carry paths into
    # traces), of the summaries of every module it imports, transitively (a method is looked up through
    # base classes of modules it does not import itself), of secreview's code and of the grammar of the
    # Python parsing it. Keyed on *summaries*, not texts, an edit that leaves a module's summary as it was
    # recomputes nothing above it (the way a build system stops at an unchanged output).
    # A component's stored summaries are keyed by its members' texts and paths alone, and stored with the
    # questions their computation asked of the rest of the project (`ProjectSummaries.recorder`: which
    # functions, methods, attributes and names it looked up) and digests of the answers. They are reused
    # while every answer is the same (the way Salsa verifies a memo): a helper module that changed in a
    # way its importers never look at recomputes nothing above it, and one whose lines moved recomputes
    # only those that copied its trace steps.
    for component in _components(by_name):
        members = sorted(n for n in component if n in needed)
        below = sorted({d for n in component for d in by_name[n].imports if d not in component and d in reach})
        if not members:
            _reach(component, below, digests, reach)
            continue
        key = hashlib.sha256("\x1f".join([
            code_signature, GRAMMAR,
            *(f"{n}\x1e{by_name[n].digest}\x1e{by_name[n].file.display}" for n in members)]).encode()).hexdigest()
        keys = {n: hashlib.sha256(f"{n}\x1f{key}".encode()).hexdigest() for n in members}
        anchors.update((n, [by_name[n].digest, keys[n]]) for n in members)
        # the whole summaries below, transitively: when they are exactly what the stored summaries were
        # computed against, the recorded questions need no replay (the common case: nothing changed)
        below_digest = hashlib.sha256("\x1f".join(f"{d}\x1e{reach[d]}" for d in below).encode()).hexdigest()
        cached = cached_rows(store, keys)
        if cached is not None:
            for name, meta in cached.items():
                project.set_stored(name, stored_summary(store, keys[name], meta),
                                   (meta["digest"][:24], meta["meaning"]))
            unchanged = all(meta["below"] == below_digest for meta in cached.values())
            first = keys[members[0]]  # the component's recorded questions are stored under its first member
            head = None if unchanged else store.get_json("summaries", first + ":depends")
            static = functools.partial(store.get_json, "summaries", first + ":depends-static")
            reused = unchanged or questions.still(project, head, static)
            if reused:
                for name, meta in cached.items():
                    digests[name] = meta["digest"]
                    if meta["below"] != below_digest:  # verified against today's: no replay next time
                        store.put_json("summaries", keys[name] + ":digests", {**meta, "below": below_digest})
            # stale by the lines of the steps they copied alone: moved, and stored again, instead of recomputed
            if reused or (recording and moving.rebase(project, cached, keys, first, head, static, by_name,
                                                      anchors, below_digest, digests)):
                cached_count += len(members)
                done += len(members)
                _reach(component, below, digests, reach)
                if progress:
                    progress("summarising modules", done, len(needed))
                continue
        stale = {n: by_name[n] for n in members}
        for module in stale.values():
            if module.ctx is None:
                module.ctx = _context(module.file.display, texts[module.file.display], wanted)
        contexts_of = {n: m.ctx for n, m in stale.items() if m.ctx is not None}
        if contexts_of:
            from secreview.taint.engine import build_project  # the engine: only when a summary is computed

            index = index or spec_index()  # only here: a phase whose summaries are all cached reads no spec
            settled: set[str] = set()
            project.recorder = set() if recording else None
            asked_by: dict[str, set[tuple[str, ...]]] = {}
            try:
                build_project(contexts_of, index, project,
                              flows_by_module if keep_contexts else None, None, settled, in_place=True,
                              asked_by=asked_by)
                asked = project.recorder or set()
            finally:
                project.recorder = None
            unsettled |= settled
            recomputed += len(contexts_of)
        if not recording:
            done += len(members)
            if progress:
                progress("summarising modules", done, len(needed))
            continue
        # what the members' summaries copied of other modules' positions is part of what they depend on;
        # a member's own steps are its own text: in the key already
        answers = questions.record(project, asked, [project.modules.raw(n) for n in contexts_of
                                                    if n in project.modules], own=contexts_of, anchors=anchors)
        moving.keep_lines(answers.head.get("t", {}), by_name)
        for name in contexts_of:
            summary = project.modules.get(name)
            if summary is not None:
                as_dict = summary.to_dict()
                digests[name] = hashlib.sha256(canonical_json(as_dict)).hexdigest()  # `summary_digest`
                # the flows kept for a member's file were found by its last run: a member of an import cycle
                # does not depend on what the others asked (every importer of the cycle would be reviewed
                # again whenever one member changed)
                depends[name] = asked_by.get(name, asked)
                if not unsettled:  # summaries that did not settle are not final: never stored as if they were
                    store.put_json("summaries", keys[name], {"digest": digests[name], "summary": as_dict})
                    store.put_json("summaries", keys[name] + ":digests", meta_row(as_dict, digests[name], below_digest))
                    store.put_json("summaries", keys[name] + ":depends", answers.head)
                    store.put_json("summaries", keys[name] + ":depends-static", answers.static)
        done += len(members)
        _reach(component, below, digests, reach)
        if progress:
            progress("summarising modules", done, len(needed))
    contexts, flows = {}, {}
    for display, module in modules.items():
        if keep_contexts and module.ctx is not None:
            contexts[display] = module.ctx
            if module.name in flows_by_module:
                flows[display] = flows_by_module[module.name]
        module.ctx = None
    return ProjectPhase(project, {d: m for d, m in modules.items() if m.digest}, recomputed=recomputed,
                        contexts=contexts, flows=flows, summary_digests=digests, unsettled=tuple(sorted(unsettled)),
                        depends=depends,
                        focus=frozenset(focus) if focus is not None else frozenset(by_name))


def _reach(component: list[str], below: list[str], digests: Mapping[str, str], reach: dict[str, str]) -> None:
    """The digest of the whole summaries a component's members can reach: their own and, through
    `reach`, those of the components they import."""
    h = hashlib.sha256()
    for name in sorted(component):
        h.update(f"{name}\x1e{digests.get(name, '-')}\x1f".encode())
    for name in below:
        h.update(f"{name}\x1e{reach[name]}\x1f".encode())
    digest = h.hexdigest()
    for name in component:
        reach[name] = digest


def _forward_closure(by_name: Mapping[str, ProjectModule], start: Iterable[str]) -> set[str]:
    """`start` and every project module it imports, transitively."""
    return _closure({n: by_name[n].imports for n in by_name}, start, by_name.keys())


def _backward_closure(by_name: Mapping[str, ProjectModule], start: Iterable[str]) -> set[str]:
    """`start` and every project module that imports one of them, transitively."""
    importers: dict[str, set[str]] = {}
    for name, module in by_name.items():
        for imported in module.imports:
            importers.setdefault(imported, set()).add(name)
    return _closure(importers, start, by_name.keys())


def _closure(edges: Mapping[str, Iterable[str]], start: Iterable[str], known: Container[str]) -> set[str]:
    """`start` (what of it is `known`) and every known module reached along `edges`, transitively."""
    seen: set[str] = set()
    stack = [n for n in start if n in known]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(n for n in edges.get(name, ()) if n in known and n not in seen)
    return seen


def _context(display: str, text: str, wanted: frozenset[type] = frozenset()) -> FileContext | None:
    parsed, error = parse(text, display)
    if error or parsed is None:
        return None
    return FileContext(display, parsed.source, parsed.tree, wanted)


def closure_digests(by_name: Mapping[str, ProjectModule], own: Mapping[str, str]) -> dict[str, str]:
    """For each module, a digest of `own` over its import closure, in linear time: a Merkle hash
    over the strongly connected components of the import graph (a cycle is one node), each
    component's digest covering its members and the components it imports. It changes exactly
    when something in the closure changes."""
    digests: dict[str, str] = {}
    component_of: dict[str, int] = {}
    component_digest: list[str] = []
    for component in _components(by_name):  # imported components come first
        index = len(component_digest)
        digest = hashlib.sha256()
        for name in sorted(component):
            digest.update(f"{name}\x1e{own.get(name, '')}\x1f".encode())
        below = {component_of[d] for name in component for d in by_name[name].imports
                 if d in component_of and component_of[d] != index}
        for child in sorted(component_digest[c] for c in below):
            digest.update(child.encode())
        component_digest.append(digest.hexdigest())
        for name in component:
            component_of[name] = index
            digests[name] = component_digest[index]
    return digests


def _components(by_name: Mapping[str, ProjectModule]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (import chains can be deep), each
    emitted after every component it reaches."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(by_name):
        if root in index_of:
            continue
        work: list[tuple[str, list[str]]] = []
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work.append((root, sorted(d for d in by_name[root].imports if d in by_name)))
        while work:
            node, children = work[-1]
            if children:
                child = children.pop()
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(d for d in by_name[child].imports if d in by_name)))
                elif child in on_stack:
                    low[node] = min(low[node], index_of[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(component)
    return out
