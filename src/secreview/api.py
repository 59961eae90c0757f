"""Public entry points: `review(paths, config) -> Report`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from secreview import __version__
from secreview.config import Config
from secreview.cwe import load_catalog
from secreview.engine import FileResult, review_file
from secreview.model import PILLARS, FileError, Finding, PillarAccount, Report, RuleInfo, Stats
from secreview.ruleset import Rule, load_rules, select_rules
from secreview.source import SourceFile, discover

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
    jobs = config.jobs or os.cpu_count() or 1
    if jobs <= 1 or total < PARALLEL_THRESHOLD:
        for done, file in enumerate(files, 1):
            yield review_file(file, rules, config.max_file_size)
            if progress:
                progress(done, total)
        return
    codes = tuple(r.meta.code for r in rules)
    chunk = max(1, min(32, total // (jobs * 8) or 1))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for done, result in enumerate(
            pool.map(_review_in_worker, files, [codes] * total, [config.max_file_size] * total, chunksize=chunk), 1
        ):
            yield result
            if progress:
                progress(done, total)


def _review_in_worker(file: SourceFile, codes: tuple[str, ...], max_bytes: int) -> FileResult:
    # Rules are modules, so workers load them by code instead of receiving them pickled.
    wanted = set(codes)
    rules = tuple(r for r in load_rules() if r.meta.code in wanted)
    return review_file(file, rules, max_bytes)


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
