"""The LLM layer on top of a finished static review: `review_with_llm(report, files, settings, config)`.

For every file the static review could read, each part (chunks.py) is sent to every model `samples`
times, with the file's static findings listed as candidates the model may confirm or dispute. Each
answer's claims are verified against the code (verify.py), verified claims are combined by consensus
(consensus.py), and the report gains:
- findings with origin "llm" (rule SR900 `llm-review`) for kept claims; a kept claim at the place and
  pillar of a static finding is recorded as the model confirming that finding instead of a duplicate;
- `unverified`: every claim the code did not confirm, with its reasons (never a finding);
- `llm`: the run (models, prompt, calls, tokens, cost, each answer's own verdict, the candidate reviews);
- an error of kind "llm" for every part whose call failed, was cut off or whose reply was rejected, and
  for every part over the token budget, so such a review is never reported clean;
- when the layer stopped (the server cannot be reached, refuses us, or failed too often: breaker.py), one
  error of kind "llm" at path "." instead of one per part: why it stopped, how many calls were not made,
  for how many files the LLM review finished. The per-part errors of calls that failed before are kept.
The static findings are never removed or changed: the model's view is kept next to them.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from secreview.analysis.code import is_test_source
from secreview.audit import code_index
from secreview.audit.code_index import CodeIndex
from secreview.config import Config
from secreview.cwe import load_catalog
from secreview.cwe.defect_types import type_for_cwe
from secreview.fingerprint import fingerprint
from secreview.llm import answers as answer_mod
from secreview.llm import chunks, consensus, prompts
from secreview.llm.answers import Answer, Job
from secreview.llm.client import ChatClient
from secreview.llm.context import PromptContext, commit_message, project_info
from secreview.llm.errors import Stop
from secreview.llm.redact import is_loopback, redact
from secreview.llm.settings import LLMSettings
from secreview.llm.verify import Checked, Verifier
from secreview.model import (
    PILLARS,
    CandidateReview,
    Confidence,
    FileError,
    Finding,
    LLMAnswer,
    LLMRun,
    PillarAccount,
    Report,
    Severity,
    UnverifiedClaim,
)
from secreview.policy import RunPolicy
from secreview.source import SourceFile, decode, read_source

RULE_CODE, RULE_NAME = "SR900", "llm-review"
TITLE = "Weakness reported by an LLM and confirmed against the code"


def review_sources(report: Report, files: Sequence[SourceFile], settings: LLMSettings, config: Config, *,
                   context: PromptContext | None = None, cwd: Path | None = None,
                   client: ChatClient | None = None) -> Report:
    """The API's entry: read the discovered files again (the static review keeps no text) and review those
    the static review could read; a file it could not read already carries its own error."""
    failed = {e.path for e in report.errors}
    texts = []
    for file in files:
        if file.display in failed:
            continue
        data, error = read_source(file, config.max_file_size)
        text, error = decode(data, file.display) if data is not None else (None, error)
        if text is None:
            report = replace(report, errors=report.errors + ((error,) if error else ()))
            continue
        texts.append((file.display, text))
    return review_with_llm(report, texts, settings, config, context=context, cwd=cwd, client=client)


def review_with_llm(report: Report, files: Sequence[tuple[str, str]], settings: LLMSettings, config: Config, *,
                    context: PromptContext | None = None, cwd: Path | None = None,
                    client: ChatClient | None = None) -> Report:
    """`files`: (display path, decoded text) of the files to send; the static `report` is extended."""
    cwd = cwd or Path.cwd()
    context = context or PromptContext()
    template = prompts.load(settings.prompt)
    own_client = client is None
    client = client or ChatClient(settings)
    catalog = load_catalog()
    state = _State(report, settings)
    try:
        with ThreadPoolExecutor(max_workers=settings.concurrency) as pool:
            # every file's calls are queued first, so that the concurrency limit, not file order, paces the run
            pending = [_send_file(path, text, template, client, pool, catalog, context, cwd, state)
                       for path, text in files]
            for path, index, fits, jobs in pending:
                results = [(future.result(), candidates) for future, candidates in jobs]
                if all(answer.stopped for answer, _ in results):
                    _count_stopped(path, [answer for answer, _ in results], state)  # no claim: no index needed
                    continue
                verifier = Verifier(index.get(), catalog)
                for chunk in fits:
                    mine = [(a, c) for a, c in results if a.job.chunk == chunk]
                    _judge(path, chunk, mine, verifier, catalog, state, lines=index.get().lines)
        stop = client.breaker.stop
        if stop is not None and state.stopped:
            state.errors.insert(0, FileError(".", "llm", _stop_message(stop, state)))
    finally:
        usage, cost = client.usage_total(), client.cost()
        if own_client:
            client.close()
    # the same run policy as static findings (per-file ignores, test code, thresholds)
    tests = {path for path, text in files if is_test_source(path, text)}
    marked = [replace(f, test_code=True) if f.path in tests else f for f in state.findings]
    outcome = RunPolicy(config, cwd).apply(marked)
    findings = outcome.reported
    all_findings = tuple(sorted(report.findings + tuple(findings), key=lambda f: f.sort_key))
    pillars = tuple(PillarAccount(p.pillar, p.name, p.rules, sum(1 for f in all_findings if f.pillar == p.pillar))
                    for p in report.pillars)
    run = LLMRun(settings.endpoint, settings.models, template.name, settings.samples, settings.consensus,
                 state.calls, state.cached, state.failed, usage.prompt_tokens, usage.completion_tokens, cost,
                 state.redacted, tuple(state.answers), tuple(state.reviews))
    stats = replace(report.stats, filtered=report.stats.filtered + outcome.filtered,
                    filtered_test_code=report.stats.filtered_test_code + outcome.filtered_test_code,
                    suppressed=report.stats.suppressed + outcome.ignored)
    return replace(report, findings=all_findings, errors=report.errors + tuple(state.errors), pillars=pillars,
                   stats=stats, unverified=report.unverified + tuple(state.unverified), llm=run)


class _State:
    """What the run collects, file after file (filled by the main thread only)."""

    def __init__(self, report: Report, settings: LLMSettings) -> None:
        self.static = report.findings
        self.settings = settings
        self.findings: list[Finding] = []
        self.unverified: list[UnverifiedClaim] = []
        self.errors: list[FileError] = []
        self.answers: list[LLMAnswer] = []
        self.reviews: list[CandidateReview] = []
        self.calls = self.cached = self.failed = self.redacted = 0
        self.with_code: set[str] = set()  # files with a part to review (an empty file has none)
        self.unfinished: set[str] = set()  # files with a part the LLM review did not finish
        self.stopped: Counter[str] = Counter()  # answers the stop took, by Answer.stopped


class _LazyIndex:
    """A file's code index, built on first use: by a worker reading a free-text reply, or by the main thread
    verifying claims. A file whose calls the stop took never needs it (for Django that saves most of the
    layer's CPU time when the server is down)."""

    def __init__(self, text: str, path: str) -> None:
        self._source = (text, path)
        self._index: CodeIndex | None = None
        self._lock = threading.Lock()

    def get(self) -> CodeIndex:
        with self._lock:
            if self._index is None:
                self._index = code_index.build(*self._source)
            return self._index


def _stop_message(stop: Stop, state: _State) -> str:
    """The one error that stands for every call the stop took (path ".": it is about the run, no one file)."""
    parts = [f"LLM layer stopped {stop.reason}"]
    not_made, in_flight = state.stopped["not made"], state.stopped["in flight"]
    if not_made:
        parts.append(f"{not_made} other call{'s were' if not_made != 1 else ' was'} not made")
    if in_flight:
        parts.append(f"{in_flight} call{'s' if in_flight != 1 else ''} in flight failed as well")
    files = len(state.with_code)
    parts.append(f"the static review stands, and the LLM review finished for {files - len(state.unfinished)} "
                 f"of {files} file{'s' if files != 1 else ''} with code")
    return "; ".join(parts)


def _send_file(path: str, text: str, template: prompts.PromptTemplate, client: ChatClient,
               pool: ThreadPoolExecutor, catalog, context: PromptContext, cwd: Path, state: _State):
    """Queue the calls for one file: (path, code index, parts sent, [(future answer, candidates)])."""
    settings = state.settings
    index = _LazyIndex(text, path)
    fits, over = chunks.split(text, path, settings.token_budget)
    if fits or over:
        state.with_code.add(path)
    for chunk in over:
        state.unfinished.add(path)
        state.errors.append(FileError(path, "llm", f"{path} ({chunk.label}): over the LLM token budget of "
                                      f"{settings.token_budget} tokens; not reviewed by the LLM", chunk.start))
    shown_text = text
    if settings.redact and not is_loopback(settings.base_url):
        shown_text, redactions = redact(text)
        state.redacted += len(redactions)
    lines = chunks.file_lines(shown_text)
    static = [f for f in state.static if f.path == path]
    values = {"path": path, "project": "", "commit_message": ""}
    if "$project" in template.system + "".join(template.steps):
        values["project"] = context.project or project_info(cwd)
    if "$commit_message" in template.system + "".join(template.steps):
        values["commit_message"] = context.commit_message or commit_message(cwd / path)
    code_hash = hashlib.sha256(shown_text.encode("utf-8", "surrogatepass")).hexdigest()
    seeded = settings.samples > 1  # a seed per sample keeps samples apart (and apart in the cache)
    jobs = []
    for chunk in fits:
        candidates = {f"S{n}": f for n, f in enumerate((f for f in static if f.line in chunk.lines), 1)}
        part = "" if chunk.whole else f", {chunk.label}"
        system, steps = prompts.render(template, {**values, "part": part, "code": chunks.numbered(lines, chunk),
                                                  "candidates": _candidates(candidates, lines)})
        for model in settings.models:
            for sample in range(1, settings.samples + 1):
                job = Job(chunk, model, sample, (system, {"role": "user", "content": steps[0]}), tuple(steps[1:]),
                          code_hash)
                future = pool.submit(answer_mod.run, job, client, template, index.get, catalog,
                                     sample if seeded else None)
                jobs.append((future, candidates))
    return path, index, fits, jobs


def _count_stopped(path: str, answers: list[Answer], state: _State) -> None:
    for answer in answers:
        state.calls += answer.calls  # a multi-step answer may have had replies before the stop
        state.cached += answer.cached
        state.stopped[answer.stopped] += 1
        state.failed += answer.stopped != "not made"
        state.unfinished.add(path)


def _candidates(candidates: dict[str, Finding], lines: list[str]) -> str:
    """The static findings of a part, as the model sees them; the code comes from the (redacted) listing."""
    if not candidates:
        return "(none)"
    return "\n".join(f"{key}: {f.rule} {f.name}, CWE-{f.cwe}, line {f.line}: {lines[f.line - 1].strip()}"
                     for key, f in candidates.items() if 1 <= f.line <= len(lines))


def _judge(path: str, chunk: chunks.Chunk, results: list[tuple[Answer, dict[str, Finding]]], verifier: Verifier,
           catalog, state: _State, lines: list[str]) -> None:
    checked: list[Checked] = []
    for answer, candidates in results:
        if answer.stopped:  # reported once, by the stop (see _stop_message); there is no answer to list
            _count_stopped(path, [answer], state)
            continue
        state.calls += answer.calls
        state.cached += answer.cached
        if answer.error:
            state.unfinished.add(path)
            state.failed += 1
            state.errors.append(FileError(path, "llm", f"{path} ({chunk.label}), model {answer.job.model}, sample "
                                          f"{answer.job.sample}: {answer.error}", chunk.start))
        mine = [verifier.check(claim, answer.verdict, chunk.lines) for claim in answer.claims]
        checked.extend(mine)
        state.answers.append(LLMAnswer(path, chunk.label, answer.job.model, answer.job.sample, answer.verdict,
                                       len(mine), sum(c.verified for c in mine), answer.cached > 0))
        for key, stance, reason in answer.stances:
            if key in candidates:
                f = candidates[key]
                state.reviews.append(CandidateReview(path, f.line, f.rule, answer.job.model, stance, reason))
    for item in (c for c in checked if not c.verified):
        _unverified(path, [item], item.reasons, state)
    kept, weak = consensus.combine([c for c in checked if c.verified], state.settings.consensus)
    asked = len(results)
    for group in weak:
        reason = (f"supported by {len(group.answers)} of {asked} answers; consensus needs "
                  f"{state.settings.consensus}")
        _unverified(path, list(group.members), (reason,), state)
    for group in kept:
        _keep(path, group, catalog, state, lines)


def _unverified(path: str, items: list[Checked], reasons: tuple[str, ...], state: _State) -> None:
    claim = items[0].claim
    models = tuple(dict.fromkeys(i.claim.model for i in items))
    for i, known in enumerate(state.unverified):  # the same claim from several samples is listed once
        if (known.path, known.line, known.cwe, known.quote, known.reasons) == (path, claim.line, claim.cwe,
                                                                                 claim.quote, reasons):
            state.unverified[i] = replace(known, models=tuple(dict.fromkeys(known.models + models)))
            return
    state.unverified.append(UnverifiedClaim(path, claim.line, claim.end_line, claim.cwe, claim.quote,
                                            claim.description, claim.fix, models, reasons))


def _keep(path: str, group: consensus.Group, catalog, state: _State, lines: list[str]) -> None:
    best = group.best
    claim = best.claim
    near_static = [f for f in state.static if f.path == path and f.pillar == best.pillar
                   and abs(f.line - best.start) <= consensus.NEAR]
    if near_static:  # the model found what the rules found: a confirmation, not a second finding
        for f in near_static:
            for model in group.models:
                state.reviews.append(CandidateReview(path, f.line, f.rule, model, "confirmed",
                                                     f"reported independently as CWE-{claim.cwe}: {claim.description}"))
        return
    entry = catalog.get(claim.cwe)
    snippet = "\n".join(lines[best.start - 1:best.end])
    confidence = max(Confidence(c.claim.confidence) for c in group.members)
    supported = f" (supported by {len(group.answers)} answers)" if len(group.answers) > 1 else ""
    state.findings.append(Finding(
        rule=RULE_CODE, name=RULE_NAME, title=TITLE, cwe=claim.cwe or 0, cwe_name=entry.name if entry else "",
        pillar=best.pillar, pillar_name=PILLARS.get(best.pillar, ""), type=type_for_cwe(claim.cwe or 0),
        severity=Severity.MEDIUM, confidence=confidence, path=path, line=best.start, end_line=best.end, column=1,
        end_column=len(lines[best.end - 1]) + 1, snippet=snippet,
        message=f"{claim.description} [{', '.join(group.models)}{supported}]", fix=claim.fix or "-",
        fingerprint=fingerprint(f"{RULE_CODE}:CWE-{claim.cwe}", path, "", snippet), origin="llm"))
