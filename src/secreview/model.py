"""The one frozen result model every engine fills and every report reads.

Nothing here knows about files on disk, the CLI or output formats: a report
format is a pure function of a `Report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

SCHEMA_VERSION = "1.3"  # 1.1: optional change, llm, unverified; origin, suggestion; error kind llm
# 1.2: findings carry test_code; stats carry filtered_test_code; suppressions carry unknown
# 1.3: stats carry skipped_test_code
CLEAN_SENTENCE = "No security defects are detected in the code."


class _Ordered(str, Enum):
    """A string enum whose members compare by declaration order."""

    _value_: str  # every member's value is its string (tells the checker what `.value` is)

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.rank >= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.rank < other.rank

    def __str__(self) -> str:
        return self.value


class Severity(_Ordered):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Confidence(_Ordered):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# The 15 defect types of the security code review study (Yu et al., 2024), plus
# `other` for findings that fit none of them (path traversal, SSRF, ...).
DEFECT_TYPES: dict[str, str] = {
    "race": "race condition",
    "deadlock": "deadlock",
    "crash": "crash",
    "leak": "resource leak",
    "dos": "denial of service",
    "sqli": "SQL injection",
    "cmdi": "command injection",
    "fmt": "format string",
    "access": "improper access",
    "xss": "cross-site scripting",
    "csrf": "cross-site request forgery",
    "crypto": "encryption",
    "intovf": "integer overflow",
    "bof": "buffer overflow",
    "uaf": "use after free",
    "other": "other",
}

# The ten pillars of the CWE-1000 research view.
PILLARS: dict[int, str] = {
    284: "Improper Access Control",
    435: "Improper Interaction Between Multiple Correctly-Behaving Entities",
    664: "Improper Control of a Resource Through its Lifetime",
    682: "Incorrect Calculation",
    691: "Insufficient Control Flow Management",
    693: "Protection Mechanism Failure",
    697: "Incorrect Comparison",
    703: "Improper Check or Handling of Exceptional Conditions",
    707: "Improper Neutralization",
    710: "Improper Adherence to Coding Standards",
}


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step of a data-flow trace: where a value came from or went through."""

    path: str
    line: int
    column: int
    snippet: str
    note: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # stable code, e.g. "SR101"
    name: str  # kebab-case rule name
    title: str
    cwe: int
    cwe_name: str
    pillar: int
    pillar_name: str
    type: str  # a key of DEFECT_TYPES
    severity: Severity
    confidence: Confidence
    path: str
    line: int
    end_line: int
    column: int  # 1-based, in characters
    end_column: int
    snippet: str  # the source text of lines line..end_line
    message: str
    fix: str
    fingerprint: str  # stable across line moves
    trace: tuple[TraceStep, ...] = ()
    # Where the finding comes from: "static" (rules and taint) or "llm" (a verified LLM claim).
    origin: str = "static"
    # A drop-in rewrite of lines line..end_line when the fix is a line rewrite ("" when it is not);
    # review systems show it as a suggestion the author can apply.
    suggestion: str = ""
    # The finding is in test code (secreview.analysis.code: a test module or a test function): a fact, recorded
    # by the engine; what the run does with it (demote, drop, keep) is the `test-code` setting.
    test_code: bool = False

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)


@dataclass(frozen=True, slots=True)
class FileError:
    """A file (or part of the input) that could not be reviewed, and why."""

    path: str
    # syntax | decode | too-large | unreadable | nul-bytes | symlink-loop | not-found | internal
    # | llm (an LLM call failed, was cut off or its reply was rejected; the static review of the file stands)
    kind: str
    message: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    """A suppression comment that silenced nothing (reported so it can be removed)."""

    path: str
    line: int
    kind: str  # "nosec" | "secreview"
    codes: tuple[str, ...]
    text: str
    # codes/names of the comment that name no secreview rule at all (reported as such, not just unused)
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangedFile:
    """One file of a code change, in post-image line numbers."""

    path: str  # post-image path relative to the review root (the pre-image path for deletions)
    old_path: str | None  # pre-image path; differs from `path` on renames, None for added files
    status: str  # added | modified | renamed | deleted | copied
    changed_lines: tuple[int, ...]  # post-image lines the change added or modified
    diff_lines: tuple[int, ...]  # post-image lines inside the hunks, context included (where comments may go)
    binary: bool = False


@dataclass(frozen=True, slots=True)
class Change:
    """The code change a report is about; `Report.change` is None for a whole-tree scan."""

    description: str  # e.g. "HEAD~1..HEAD", "working tree and index against HEAD", "patch fix.diff"
    base: str | None  # base commit id when known
    head: str | None  # head commit id when known (None for the working tree or a patch)
    files: tuple[ChangedFile, ...]
    limited_context: tuple[str, ...] = ()  # paths reviewed from the patch hunks only, not whole files
    new_only: bool = False  # findings already present in the base version were dropped


@dataclass(frozen=True, slots=True)
class PillarAccount:
    pillar: int
    name: str
    rules: int  # how many enabled rules check for weaknesses under this pillar
    findings: int


@dataclass(frozen=True, slots=True)
class Stats:
    files: int = 0
    reviewed: int = 0
    lines: int = 0
    rules: int = 0
    suppressed: int = 0
    filtered: int = 0  # findings below the severity/confidence thresholds (not reported)
    seconds: float = 0.0
    filtered_test_code: int = 0  # of `filtered`, those in test code (or dropped by `test-code = "drop"`)
    # of `files`, those in a test directory not reviewed: the run hides findings in test code (policy.py)
    skipped_test_code: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]
    errors: tuple[FileError, ...]
    pillars: tuple[PillarAccount, ...]
    stats: Stats
    unused_suppressions: tuple[Suppression, ...] = ()
    tool_version: str = ""
    rules: tuple[RuleInfo, ...] = field(default=())
    change: Change | None = None
    # LLM layer (secreview.llm): claims the code did not confirm (never findings), and how the run went.
    unverified: tuple[UnverifiedClaim, ...] = ()
    llm: LLMRun | None = None

    @property
    def complete(self) -> bool:
        return not self.errors

    @property
    def verdict(self) -> str:
        """`defects` when anything was found, else `incomplete` when anything was
        not reviewed, else `clean`. A review that did not finish is never clean."""
        if self.findings:
            return "defects"
        if self.errors:
            return "incomplete"
        return "clean"

    @property
    def verdict_sentence(self) -> str:
        if self.verdict == "clean":
            if not self.stats.files:  # nothing to review is not the same as nothing found
                return NOTHING_CHANGED if self.change is not None else NOTHING_FOUND
            return CLEAN_SENTENCE
        not_reviewed = "; ".join(self.unfinished_parts())
        if self.verdict == "defects":
            n = len(self.findings)
            found = f"{n} security defect{'s' if n != 1 else ''} detected."
            return f"{found} The review is incomplete: {not_reviewed}." if not_reviewed else found
        return f"The review is incomplete: {not_reviewed}; no defects were found in the rest."

    def unfinished_parts(self) -> list[str]:
        """What did not get reviewed, each part counted in its own unit: files that were found but
        could not be reviewed, given paths that could not be read, analyses of the whole project."""
        files = {e.path for e in self.errors if e.kind not in _INPUT_KINDS and e.kind != "llm" and e.path != "."}
        inputs = {e.path for e in self.errors if e.kind in _INPUT_KINDS}
        project = [e for e in self.errors if e.path == "." and e.kind != "llm"]
        llm_files = {e.path for e in self.errors if e.kind == "llm" and e.path != "."}
        llm_stopped = any(e.kind == "llm" and e.path == "." for e in self.errors)
        parts = []
        if files:
            parts.append(f"{_count(len(files), 'file')} could not be reviewed (see errors)")
        if inputs:
            parts.append(f"{_count(len(inputs), 'given path')} could not be read (see errors)")
        if project:
            parts.append("the cross-module analysis did not finish (see errors)")
        if llm_stopped:
            parts.append("the LLM review stopped (see errors)")
        elif llm_files:
            parts.append(f"the LLM review of {_count(len(llm_files), 'file')} did not finish (see errors)")
        return parts


# Errors about the input given (a path that does not exist, a directory that cannot be walked), as
# opposed to a file that was found and could not be reviewed.
_INPUT_KINDS = frozenset({"not-found"})
NOTHING_CHANGED = "No Python file was changed; nothing was reviewed."
NOTHING_FOUND = "No Python file was found; nothing was reviewed."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a report needs to know about a rule (for SARIF rule metadata and the
    pillar account), independent of the rule's Python module."""

    code: str
    name: str
    title: str
    cwe: int
    cwe_name: str
    pillar: int
    pillar_name: str
    type: str
    severity: Severity
    confidence: Confidence
    fix: str
    help: str  # markdown: the rule's documentation


@dataclass(frozen=True, slots=True)
class UnverifiedClaim:
    """An LLM claim the code did not confirm: reported apart from findings, never failing the build."""

    path: str
    line: int | None
    end_line: int | None
    cwe: int | None
    quote: str
    description: str
    fix: str
    models: tuple[str, ...]  # the model(s) whose answers made the claim
    reasons: tuple[str, ...]  # why it was not verified (one per failed check)


@dataclass(frozen=True, slots=True)
class CandidateReview:
    """What a model said about a static finding it was shown as a candidate (both views are kept)."""

    path: str
    line: int
    rule: str
    model: str
    stance: str  # confirmed | disputed
    reason: str


@dataclass(frozen=True, slots=True)
class LLMAnswer:
    """One answer: one model, one sample, one file part. `verdict` is the model's own view."""

    path: str
    part: str  # "whole file" or "lines A-B"
    model: str
    sample: int
    verdict: str  # defects | none | unclear | failed
    claims: int
    verified: int
    cached: bool = False


@dataclass(frozen=True, slots=True)
class LLMRun:
    """How the LLM layer ran: where, with what, at what cost."""

    endpoint: str
    models: tuple[str, ...]
    prompt: str
    samples: int
    consensus: int  # answers that had to agree for a claim to be kept
    calls: int  # replies received (cached ones included)
    cached_calls: int
    failed_calls: int
    prompt_tokens: int
    completion_tokens: int
    cost: float | None  # None when prices are not configured
    redacted: int  # secrets replaced before sending
    answers: tuple[LLMAnswer, ...] = ()
    reviews: tuple[CandidateReview, ...] = ()
