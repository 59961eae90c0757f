"""Public entry points: `review(paths, config) -> Report`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from secreview import __version__
from secreview.cache import ResultCache, default_dir, file_key
from secreview.config import Config
from secreview.cwe import load_catalog
from secreview.engine import FileResult, review_bytes, review_file
from secreview.model import PILLARS, FileError, Finding, PillarAccount, Report, RuleInfo, Stats
from secreview.ruleset import Rule, load_rules, select_rules
from secreview.source import SourceFile, discover, read_source

Progress = Callable[[int, int], None]  # (done, total)
PARALLEL_THRESHOLD = 24  # below this many files, process start-up costs more than it saves


def active_rules(config: Config) -> tuple[Rule, ...]:
    return select_rules(load_rules(), config.select, config.ignore)


def review(
    paths: Sequence[str], config: Config, cwd: Path | None = None, progress: Progress | None = None
) -> Report:
    started = time.perf_counter()
    rules = active_rules(config)
    files, walk_errors = discover(paths, config.exclude, config.respect_gitignore, cwd)
    results = list(_review_all(files, rules, config, progress))
    report = assemble(results, rules, config, files=len(files), seconds=time.perf_counter() - started)
    if walk_errors:
        report = _with_errors(report, walk_errors)
    return report


def _review_all(files: list[SourceFile], rules: tuple[Rule, ...], config: Config,
                progress: Progress | None) -> Iterable[FileResult]:
    total = len(files)
    codes = tuple(r.meta.code for r in rules)
    store = ResultCache(Path(config.cache_dir) if config.cache_dir else default_dir()) if config.cache else None
    results: list[FileResult | None] = [None] * total
    todo: list[tuple[int, SourceFile, bytes | None, str | None]] = []
    done = 0
    try:
        for index, file in enumerate(files):
            if store is None:
                todo.append((index, file, None, None))
                continue
            data, error = read_source(file, config.max_file_size)
            if error or data is None:
                results[index] = FileResult(file.display, errors=[error] if error else [])
            else:
                key = file_key(file.display, data, codes)
                results[index] = store.get(key)
                if results[index] is None:
                    todo.append((index, file, data, key))
                    continue
            done += 1
            if progress:
                progress(done, total)
        for (index, _, _, key), result in zip(todo, _review_pending(todo, rules, config), strict=True):
            results[index] = result
            if store is not None and key is not None:
                store.put(key, result)
            done += 1
            if progress:
                progress(done, total)
    finally:
        if store is not None:
            store.close()
    return [r for r in results if r is not None]


def _review_pending(todo: list, rules: tuple[Rule, ...], config: Config) -> Iterable[FileResult]:
    jobs = config.jobs or os.cpu_count() or 1
    if jobs <= 1 or len(todo) < PARALLEL_THRESHOLD:
        for _, file, data, _ in todo:
            yield _review_one(file, data, rules, config.max_file_size)
        return
    codes = tuple(r.meta.code for r in rules)
    chunk = max(1, min(32, len(todo) // (jobs * 8) or 1))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_review_in_worker, [t[1] for t in todo], [t[2] for t in todo], [codes] * len(todo),
                            [config.max_file_size] * len(todo), chunksize=chunk)


def _review_one(file: SourceFile, data: bytes | None, rules: tuple[Rule, ...], max_bytes: int) -> FileResult:
    return review_file(file, rules, max_bytes) if data is None else review_bytes(file.display, data, rules)


def _review_in_worker(file: SourceFile, data: bytes | None, codes: tuple[str, ...], max_bytes: int) -> FileResult:
    # Rules are modules, so workers load them by code instead of receiving them pickled.
    wanted = set(codes)
    rules = tuple(r for r in load_rules() if r.meta.code in wanted)
    return _review_one(file, data, rules, max_bytes)


def rule_info(rule: Rule) -> RuleInfo:
    catalog = load_catalog()
    entry = catalog.get(rule.meta.cwe)
    pillar = entry.pillar if entry and entry.pillar else 0
    m = rule.meta
    return RuleInfo(m.code, m.name, m.title, m.cwe, entry.name if entry else "", pillar, PILLARS.get(pillar, ""),
                    m.type, m.severity, m.confidence, m.fix, rule.doc)


def assemble(results: Iterable[FileResult], rules: tuple[Rule, ...], config: Config, files: int,
             seconds: float) -> Report:
    findings: list[Finding] = []
    errors, unused = [], []
    suppressed = filtered = reviewed = lines = 0
    for result in results:
        errors.extend(result.errors)
        unused.extend(result.unused_suppressions)
        suppressed += result.suppressed
        reviewed += result.reviewed
        lines += result.lines
        for finding in result.findings:
            if finding.severity >= config.severity and finding.confidence >= config.confidence:
                findings.append(finding)
            else:
                filtered += 1
    infos = tuple(rule_info(r) for r in rules)
    findings.sort(key=lambda f: f.sort_key)
    pillars = tuple(
        PillarAccount(p, name, sum(1 for i in infos if i.pillar == p), sum(1 for f in findings if f.pillar == p))
        for p, name in PILLARS.items()
    )
    stats = Stats(files=files, reviewed=reviewed, lines=lines, rules=len(rules), suppressed=suppressed,
                  filtered=filtered, seconds=round(seconds, 3))
    return Report(tuple(findings), tuple(errors), pillars, stats, tuple(unused), __version__, infos)


def _with_errors(report: Report, extra: list[FileError]) -> Report:
    return replace(report, errors=tuple(extra) + report.errors)


def failing(report: Report, config: Config) -> bool:
    """Exit code 1 is for findings at or above `fail_on`."""
    return any(f.severity >= config.fail_on for f in report.findings)
