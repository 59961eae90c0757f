"""Public entry points: `review(paths, config) -> Report`."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from secreview import __version__, memory
from secreview.analysis.code import is_test_path
from secreview.cache import ResultCache, code_signature, default_dir, file_key
from secreview.config import Config
from secreview.engine import FileResult, review_bytes, review_file
from secreview.model import PILLARS, FileError, Finding, PillarAccount, Report, Stats
from secreview.overlap import Overlaps, resolve
from secreview.policy import RunPolicy, TestDirectories, hides_test_code
from secreview.ruleindex import indexed_rules
from secreview.ruleset import Rule, load_rules, rule_info, select_rules, taint_rules, wanted_nodes, with_code
from secreview.source import SourceFile, discover, excluded, read_source
from secreview.taint.layout import collect, module_roots, names_from_listing
from secreview.taint.project import ProjectModule, ProjectPhase, build_phase
from secreview.taint.rules import TaintSetup

if TYPE_CHECKING:
    from secreview.llm.settings import LLMSettings
    from secreview.taint.summaries import ProjectSummaries

# (stage, done, total): the project phase's "parsing modules" and "summarising modules", then REVIEWING
Progress = Callable[[str, int, int], None]
REVIEWING = "reviewing"
PARALLEL_THRESHOLD = 24  # below this many files, process start-up costs more than it saves
# a file to review: (its index in the run, the file, its contents or None to read it, its result cache key)
Pending = tuple[int, SourceFile, bytes | None, str | None]


def active_rules(config: Config) -> tuple[Rule, ...]:
    return select_rules(all_rules(config), config.select, config.ignore)


def all_rules(config: Config) -> tuple[Rule, ...]:
    """Every rule; with the cache on, read from the rule index, so that a review answered from the
    result cache imports no rule module (secreview/ruleindex.py)."""
    if config.cache:
        return indexed_rules(Path(config.cache_dir) if config.cache_dir else default_dir(), code_signature())
    return load_rules()


def review(
    paths: Sequence[str], config: Config, cwd: Path | None = None, progress: Progress | None = None,
    llm: LLMSettings | None = None, project: Sequence[str] | None = None,
) -> Report:
    """The static review of `paths`; with `llm` settings, the LLM layer is added after it (secreview.llm).
    `project`: the paths whose modules taint summaries may come from (a flow through a helper
    there is followed); default: the project around the reviewed paths (`Config.project`)."""
    started = time.perf_counter()
    rules = active_rules(config)
    found, walk_errors = discover(paths, config.excludes, config.respect_gitignore, cwd)
    files = _not_hidden_tests(found, config, cwd or Path.cwd())
    if project is None:
        project = project_scope(paths, config, cwd or Path.cwd())
    with memory.collector_paused():
        phase, phase_errors = _project_phase(files, paths, project, rules, config, cwd, progress)
        walk_errors = walk_errors + phase_errors
        with memory.frozen():
            results = _review_all([(f, None) for f in files], rules, config, progress, phase)
    report = assemble(results, rules, config, files=len(found), seconds=time.perf_counter() - started,
                      base=cwd or Path.cwd(), skipped_test_code=len(found) - len(files))
    if walk_errors:
        report = _with_errors(report, walk_errors)
    if llm is not None:
        from secreview.llm.review import review_sources as llm_review  # httpx is loaded only when asked for

        report = llm_review(report, files, llm, config, cwd=cwd)
    return report


def _not_hidden_tests(files: list[SourceFile], config: Config, base: Path) -> list[SourceFile]:
    """The files to review: when the run hides every finding in test code (`policy.hides_test_code`), those
    in a test directory are left out (they are still part of the project a review learns from)."""
    if not hides_test_code(config):
        return files
    tests = TestDirectories(base)
    # `is_test_path` first: a path that names no test directory is not in one below its project's root
    # either (what `holds` asks of the file system, for hundreds of callers of a changed helper)
    return [f for f in files if not (is_test_path(f.display) and tests.holds(f.display))]


def project_scope(paths: Sequence[str], config: Config, cwd: Path) -> list[str] | None:
    """The directories a review of `paths` learns from: `Config.project` when it names one, none when it is
    False, else the project root of each reviewed path (the nearest directory holding `.git`,
    `pyproject.toml`, `setup.cfg` or `setup.py`; a path in no project is its own scope)."""
    if config.project is False:
        return None
    if isinstance(config.project, str):
        return [config.project]
    from secreview.paths import project_root

    roots: list[str] = []
    for raw in paths:
        given = Path(raw) if Path(raw).is_absolute() else cwd / raw
        start = given if given.is_dir() else given.parent
        root = project_root(str(start)) or str(start.resolve())
        if root not in roots:
            roots.append(root)
    return roots


def _project_phase(files: list[SourceFile], paths: Sequence[str], project: Sequence[str] | None,
                   rules: tuple[Rule, ...], config: Config, cwd: Path | None,
                   progress: Progress | None = None) -> tuple[ProjectPhase | None, list[FileError]]:
    """Summaries of the project's functions for the taint rules (none selected: no phase). When
    the phase fails, each file's taint rules still run on that file alone, and the report says so.
    `project`: other paths whose modules belong to the project (None: the reviewed paths, already walked)."""
    if not taint_rules(rules) or not files:
        return None, []
    cwd = cwd or Path.cwd()
    extra, _ = discover(project, config.excludes, config.respect_gitignore, cwd) if project else ([], [])
    shown = {f.display for f in files}
    everything = files + [f for f in extra if f.display not in shown]
    # every project file's package root counts (src/ layouts), not only the reviewed files'
    modules = collect(everything, module_roots([*(paths if project is None else project),
                                                *(f.display for f in everything)], cwd))
    # only the modules the reviewed files reach need summaries (the project around them may be much larger)
    focus = {modules[f.display].name for f in files if f.display in modules} if extra else None
    store = _open_cache(config)
    # One process reviews the files: the trees parsed to summarise modules are kept for their own review.
    serial = (config.jobs or os.cpu_count() or 1) <= 1 or len(files) < PARALLEL_THRESHOLD
    try:
        phase = build_phase(modules, config.max_file_size, store, code_signature() if store is not None else "",
                            wanted_nodes(rules) if serial else frozenset(), serial, progress, focus)
        return phase, _unsettled_error(phase.unsettled)
    except (RecursionError, MemoryError) as exc:
        return None, [FileError(".", "internal", f"taint project phase stopped (flows across modules not followed): "
                                               f"{exc!r}")]
    except Exception as exc:  # an engine bug: per-file taint analysis still runs
        return None, [FileError(".", "internal", f"taint project phase failed (flows across modules not followed): "
                                               f"{type(exc).__name__}: {exc}")]
    finally:
        if store is not None:
            store.close()


def _unsettled_error(unsettled: tuple[str, ...]) -> list[FileError]:
    """Summaries still changing when the fixpoint's rounds ran out: the flows through them may be missed,
    so the review did not finish (it never happened on the projects measured; the bound keeps a pathological
    project from running for ever)."""
    if not unsettled:
        return []
    from secreview.taint.engine import MAX_ROUNDS

    shown = ", ".join(unsettled[:5]) + (f" and {len(unsettled) - 5} more" if len(unsettled) > 5 else "")
    return [FileError(".", "internal", f"taint project phase stopped after {MAX_ROUNDS} rounds with the summaries "
                                       f"of {len(unsettled)} module{'s' if len(unsettled) != 1 else ''} still "
                                       f"changing ({shown}): flows across modules through them may be missed")]


def _open_cache(config: Config) -> ResultCache | None:
    return ResultCache(Path(config.cache_dir) if config.cache_dir else default_dir()) if config.cache else None


def _review_all(entries: Sequence[tuple[SourceFile, bytes | None]], rules: tuple[Rule, ...], config: Config,
                progress: Progress | None, phase: ProjectPhase | None = None) -> list[FileResult]:
    """Each (file, contents) reviewed, or taken from the result cache when unchanged. Contents None:
    read from disk (by the worker when there is no cache); given: reviewed as they are (git blobs)."""
    total = len(entries)
    codes = tuple(r.meta.code for r in rules)
    store = _open_cache(config)
    results: list[FileResult | None] = [None] * total
    todo: list[Pending] = []
    done = 0
    try:
        for index, (file, data) in enumerate(entries):
            error = None
            if data is not None and len(data) > config.max_file_size:
                message = f"{file.display}: {len(data)} bytes is over the {config.max_file_size}-byte limit"
                error = FileError(file.display, "too-large", message)
            elif store is None:
                todo.append((index, file, data, None))
                continue
            elif data is None:
                data, error = read_source(file, config.max_file_size)
            if error or data is None or store is None:  # store None: only with an error, see above
                results[index] = FileResult(file.display, errors=[error] if error else [])
            else:
                key = file_key(file.display, data, codes, phase.dependency_hash(file.display) if phase else "")
                # what it read of the project's summaries is checked first: a stale result is not decoded
                if phase is None or _still(phase.project, store, key):
                    results[index] = store.get(key)
                if results[index] is None:
                    todo.append((index, file, data, key))
                    continue
                if phase is not None:
                    phase.release(file.display)  # a kept tree this file no longer needs
            done += 1
            if progress:
                progress(REVIEWING, done, total)
        recording = store is not None  # what a result read of the project is kept with it, so only with a cache
        for (index, _, _, stored), result in zip(todo, _review_pending(todo, rules, config, phase, recording),
                                                 strict=True):
            results[index] = result
            if store is not None and stored is not None:
                store.put(stored, result)
                if phase is not None and result.depends is not None:
                    store.put_json("depends", stored, result.depends.head)
                    store.put_json("depends", stored + ":static", result.depends.static)
            done += 1
            if progress:
                progress(REVIEWING, done, total)
    finally:
        if store is not None:
            store.close()
    return [r for r in results if r is not None]


@dataclass(frozen=True)
class ProjectTree:
    """The project around contents reviewed from memory (a change's new images): its Python files as
    POSIX paths relative to `root` (a git tree's listing, or the files on disk), and `read`, which gives
    the bytes of some of them at once (git blobs in one batch, or the files; None: unreadable)."""

    root: Path
    files: tuple[str, ...]
    read: Callable[[list[str]], dict[str, bytes | None]]


def review_sources(items: Sequence[tuple[str, bytes]], config: Config, base: Path | None = None,
                   project: ProjectTree | None = None) -> Report:
    """Review contents held in memory (git blobs, images rebuilt from a patch) under their display
    paths (relative to `base`, default the current directory), reusing the result cache exactly as
    `review` does for files on disk. With `project`, the taint phase learns from the project around them
    (the items replace its files of the same path) and the project's modules that import a reviewed one,
    transitively, are reviewed too: a changed helper is judged with its callers. Those callers' own
    errors are not the change's (an unchanged file that does not parse is context, not under review)."""
    started = time.perf_counter()
    rules = active_rules(config)
    shown = {f.display for f in _not_hidden_tests([SourceFile(d, Path(d)) for d, _ in items], config,
                                                  base or Path.cwd())}
    skipped = len(items) - len(shown)
    items = [(display, data) for display, data in items if display in shown]
    entries = [(SourceFile(display, Path(display)), data) for display, data in items]
    phase: ProjectPhase | None = None
    phase_errors: list[FileError] = []
    callers: list[tuple[SourceFile, bytes]] = []
    if project is not None and taint_rules(rules) and entries:
        phase, phase_errors, callers = _tree_phase(items, project, rules, config)
        kept = {f.display for f in _not_hidden_tests([f for f, _ in callers], config, base or Path.cwd())}
        callers = [(f, data) for f, data in callers if f.display in kept]
    with memory.collector_paused():
        results = _review_all(entries + callers, rules, config, None, phase)
    context = {file.display for file, _ in callers}
    results = [r if r.path not in context else replace(r, errors=[]) for r in results]
    report = assemble(results, rules, config, files=len(items) + skipped, seconds=time.perf_counter() - started,
                      base=base or Path.cwd(), skipped_test_code=skipped)
    return _with_errors(report, phase_errors) if phase_errors else report


def _tree_phase(items: Sequence[tuple[str, bytes]], project: ProjectTree, rules: tuple[Rule, ...],
                config: Config) -> tuple[ProjectPhase | None, list[FileError], list[tuple[SourceFile, bytes]]]:
    """The project phase over `project` with `items` in place of its files, and the project files that
    import a reviewed module (transitively), with their bytes, to review as context."""
    contents = dict(items)
    listed = [d for d in project.files if d not in contents and not excluded(d, config.excludes, project.root)]
    read = project.read(listed)
    contents.update((d, data) for d, data in read.items() if data is not None)
    names = names_from_listing(contents)
    # the reviewed items first: they win a module-name clash
    order = [d for d, _ in items] + sorted(d for d in contents if d not in dict(items))
    modules = {d: ProjectModule(SourceFile(d, project.root / d), names[d]) for d in order}
    store = _open_cache(config)
    try:
        phase = build_phase(modules, config.max_file_size, store, code_signature() if store is not None else "",
                            focus={names[d] for d, _ in items}, contents=contents, callers=True)
    except (RecursionError, MemoryError) as exc:
        return None, [FileError(".", "internal", f"taint project phase stopped (flows across modules not followed): "
                                               f"{exc!r}")], []
    except Exception as exc:  # an engine bug: per-file taint analysis still runs
        return None, [FileError(".", "internal", f"taint project phase failed (flows across modules not followed): "
                                               f"{type(exc).__name__}: {exc}")], []
    finally:
        if store is not None:
            store.close()
    reviewed = {d for d, _ in items}
    callers = [(SourceFile(d, Path(d)), contents[d]) for d, m in phase.modules.items()
               if m.name in phase.focus and d not in reviewed and d in contents]
    return phase, _unsettled_error(phase.unsettled), callers


def _review_pending(todo: list[Pending], rules: tuple[Rule, ...], config: Config,
                    phase: ProjectPhase | None = None, recording: bool = True) -> Iterable[FileResult]:
    """`recording`: each result says which questions it asked of the project (`FileResult.depends`)."""
    if not todo:
        return
    rules = with_code(rules)  # rules read from the index import their modules now, once
    jobs = config.jobs or os.cpu_count() or 1
    if jobs <= 1 or len(todo) < PARALLEL_THRESHOLD:
        for _, file, data, _ in todo:
            setup = phase.setup_for(file.display) if phase else None
            reused = phase.reused_depends(file.display) if phase and setup and setup.flows is not None else None
            yield _review_one(file, data, rules, config.max_file_size, setup, reused, recording)
        return
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing costs start-up time; load it when used

    codes = tuple(r.meta.code for r in rules)
    if phase is not None:
        phase.release()  # workers parse for themselves; trees alive at fork time only cost copies
    chunk = max(1, min(32, len(todo) // (jobs * 8) or 1))
    modules = [_module_of(phase, t[1].display) for t in todo]
    # The summaries go to each worker once, as JSON-ready data, not with every file.
    summaries = phase.project.to_dict() if phase is not None else None
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(summaries, recording)) as pool:
        yield from pool.map(_review_in_worker, [t[1] for t in todo], [t[2] for t in todo], [codes] * len(todo),
                            [config.max_file_size] * len(todo), modules, chunksize=chunk)


def _module_of(phase: ProjectPhase | None, display: str) -> str | None:
    setup = phase.setup_for(display) if phase is not None else None
    return setup.module if setup is not None else None


def _still(project: ProjectSummaries, store: ResultCache, key: str) -> bool:
    """Whether what a cached result read of the project's summaries is still what it was; verified by
    replaying its answers, the record is stored back with today's versions (no replay next time)."""
    from secreview.taint import questions  # only with a project phase (start-up stays light)

    head = store.get_json("depends", key)
    if not isinstance(head, dict):  # missing, or stored by an earlier format (`check` says STALE to it too)
        return False
    verdict = questions.check(project, head, lambda: store.get_json("depends", key + ":static"))
    if verdict == questions.VERIFIED:
        store.put_json("depends", key, questions.refreshed(project, head))
    return verdict != questions.STALE


def _review_one(file: SourceFile, data: bytes | None, rules: tuple[Rule, ...], max_bytes: int,
                taint: TaintSetup | None = None, reused: set[tuple[str, ...]] | None = None,
                recording: bool = True) -> FileResult:
    """`reused`: the questions behind flows the project phase kept for this file (its review uses them).
    `recording`: what the review asks of the project is recorded (`FileResult.depends`; for the cache)."""
    project = taint.project if taint is not None and recording else None
    if project is not None:
        project.recorder = set()  # what the review asks of the project: stored with its result
    try:
        result = review_file(file, rules, max_bytes, taint) if data is None else \
            review_bytes(file.display, data, rules, taint)
        if project is not None and project.recorder is not None:
            traces = [{"trace": [{"path": s.path} for s in f.trace]} for f in result.findings]
            # its own module's steps are its own text: in the key already
            from secreview.taint import questions  # only with a project phase (start-up stays light)

            try:
                result.depends = questions.record(project, project.recorder | (reused or set()), traces,
                                                  own=(taint.module,) if taint is not None else ())
            except RuntimeError as exc:  # a summary it read is gone from the cache: not stored, not clean
                result.errors.append(FileError(file.display, "internal", f"{file.display}: {exc}"))
        return result
    finally:
        if project is not None:
            project.recorder = None
        memory.file_done()


# A worker process's copy of the project summaries, set once by its initializer (a worker
# reviews many files of one project; sending the summaries with each file would cost more).
_worker_project: list[ProjectSummaries] = []
_worker_records: list[bool] = [True]  # whether results record the questions they asked (only with a cache)


def _start_worker(summaries: dict[str, object] | None, recording: bool = True) -> None:
    from secreview.taint.summaries import ProjectSummaries

    _worker_records[0] = recording
    gc.disable()  # the worker's whole life is reviewing files (secreview/memory.py)
    _worker_project[:] = [ProjectSummaries.from_dict(summaries)] if summaries is not None else []
    gc.freeze()


def _review_in_worker(file: SourceFile, data: bytes | None, codes: tuple[str, ...], max_bytes: int,
                      module: str | None = None) -> FileResult:
    # Rules are modules, so workers load them by code instead of receiving them pickled.
    wanted = set(codes)
    rules = tuple(r for r in load_rules() if r.meta.code in wanted)
    taint = TaintSetup(module, _worker_project[0]) if module is not None and _worker_project else None
    return _review_one(file, data, rules, max_bytes, taint, recording=_worker_records[0])


def assemble(results: Iterable[FileResult], rules: tuple[Rule, ...], config: Config, files: int,
             seconds: float, base: Path | None = None, skipped_test_code: int = 0) -> Report:
    """One report from the files' results: the run's policy (per-file ignores, test code, thresholds;
    `secreview.policy`) applied to what the engine found. `base`: what display paths are relative to."""
    infos = tuple(rule_info(r) for r in rules)
    # per-file-ignores may name any rule, selected in this run or not
    known = [(r.meta.code, r.meta.name, r.meta.type) for r in all_rules(config)] if config.per_file_ignores else []
    policy = RunPolicy(config, base or Path.cwd(), known)
    overlaps = Overlaps.of(rules)
    findings: list[Finding] = []
    errors, unused = [], []
    suppressed = filtered = filtered_test = reviewed = lines = 0
    for result in results:
        errors.extend(result.errors)
        unused.extend(result.unused_suppressions)
        suppressed += result.suppressed
        reviewed += result.reviewed
        lines += result.lines if result.reviewed else 0  # "N files reviewed (M lines)"
        outcome = policy.apply(result.findings)
        findings.extend(resolve(outcome.reported, overlaps).kept)  # after the policy: see secreview.overlap
        suppressed += outcome.ignored
        filtered += outcome.filtered
        filtered_test += outcome.filtered_test_code
    findings.sort(key=lambda f: f.sort_key)
    pillars = tuple(
        PillarAccount(p, name, sum(1 for i in infos if i.pillar == p), sum(1 for f in findings if f.pillar == p))
        for p, name in PILLARS.items()
    )
    stats = Stats(files=files, reviewed=reviewed, lines=lines, rules=len(rules), suppressed=suppressed,
                  filtered=filtered, seconds=round(seconds, 3), filtered_test_code=filtered_test,
                  skipped_test_code=skipped_test_code)
    return Report(tuple(findings), tuple(errors), pillars, stats, tuple(unused), __version__, infos)


def _with_errors(report: Report, extra: list[FileError]) -> Report:
    return replace(report, errors=tuple(extra) + report.errors)


def failing(report: Report, config: Config) -> bool:
    """Exit code 1 is for findings at or above `fail_on`."""
    return any(f.severity >= config.fail_on for f in report.findings)
