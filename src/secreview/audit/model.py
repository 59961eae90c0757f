"""Frozen results of an audit: what an answer says (Claim), what the code says back (Reference), the
quality flags raised, the consensus over several answers and, with a truth file, a label per answer.

Claim indexes are 0-based positions in `AnswerAudit.claims`; a flag or reference with `claim=None`
belongs to the answer as a whole (an introduction, a summary, the verdict).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How an answer part stands towards a defect.
STANCES = ("defect", "potential", "none", "advice")
VERDICTS = ("defects", "none", "unclear")
LABELS = ("Instrumental", "Helpful", "Misleading", "Uncertain")


@dataclass(frozen=True, slots=True)
class LineRef:
    """`line 60`, `lines 10-12`, `L60`: `start`..`end` as cited (0 for a number too big to be a line)."""

    start: int
    end: int
    text: str
    before: str  # the words of its sentence before and after the citation: what the answer says is there
    after: str
    fix: bool  # cited inside a proposed fix


@dataclass(frozen=True, slots=True)
class Mention:
    """Code the answer names: `value` is the name without call parentheses, or the quoted code."""

    value: str
    text: str  # as written
    form: str  # name | call | dotted | literal | snippet
    source: str  # backtick | quote | bare | fence
    fix: bool  # named inside a proposed fix: it need not exist yet
    soft: bool = False  # a bare two-hump CamelCase word (OpenStack?): reported only when the code has it


@dataclass(frozen=True, slots=True)
class CweMention:
    id: int  # 0 when the number is too big to be a CWE id
    text: str
    via: str  # "id" (CWE-79) or "name" (a catalog name or alias, e.g. "Cross-site Scripting")
    named_as: int | None = None  # for an id: the catalog entry the words right after it name, if any


@dataclass(frozen=True, slots=True)
class Construct:
    """A kind of code the answer says is present ("the code catches and logs exceptions")."""

    kind: str  # exception-handling | logging
    text: str


@dataclass(frozen=True, slots=True)
class Claim:
    index: int
    number: int | None  # the answer's own list number, if it numbered its points
    title: str
    text: str
    answer_lines: tuple[int, int]  # first and last line of the claim in the answer
    stance: str  # defect | potential | none | advice
    security: bool
    cwes: tuple[CweMention, ...]
    lines: tuple[LineRef, ...]
    mentions: tuple[Mention, ...]
    constructs: tuple[Construct, ...]
    fix: str | None

    @property
    def claims_defect(self) -> bool:
        return self.stance in ("defect", "potential")

    @property
    def cwe_ids(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(c.id for c in self.cwes if c.id))


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    text: str
    words: int
    verdict: str  # defects | none | unclear
    verdict_sentence: str | None
    verdict_conflict: bool
    assertions: tuple[str, ...]  # sentences outside the claims that say defects exist (hedged or not)
    claims: tuple[Claim, ...]
    # what the introduction, summary and verdict paragraphs cite (claim=None)
    cwes: tuple[CweMention, ...] = ()
    lines: tuple[LineRef, ...] = ()
    mentions: tuple[Mention, ...] = ()
    constructs: tuple[Construct, ...] = ()


@dataclass(frozen=True, slots=True)
class Where:
    line: int
    kind: str  # code | string | comment | docstring | blank | out-of-range | catalog
    role: str = ""  # for names: def, class, import, call, attribute, name, keyword, parameter
    text: str = ""


@dataclass(frozen=True, slots=True)
class Reference:
    claim: int | None
    kind: str  # identifier | snippet | line | cwe | construct
    value: str
    found: bool
    where: tuple[Where, ...] = ()
    in_code: bool = False
    problem: str | None = None  # why the reference is bad, a key of flags.PROBLEMS
    note: str = ""
    fix: bool = False


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    claim: int | None
    message: str


@dataclass(frozen=True, slots=True)
class AnswerAudit:
    source: str
    parsed: ParsedAnswer
    references: tuple[Reference, ...]
    flags: tuple[Flag, ...]
    pillars: tuple[int | None, ...]  # per claim: CWE-1000 pillar from its CWE, else from its words
    locations: tuple[tuple[int, ...], ...]  # per claim: code lines it points at (grounded ones only)

    @property
    def verdict(self) -> str:
        return self.parsed.verdict

    @property
    def claims(self) -> tuple[Claim, ...]:
        return self.parsed.claims

    def grounded(self, index: int) -> bool:
        """A security defect claim whose every reference checks out (a CWE off the allowed list still counts)
        and that points somewhere in the code."""
        claim = self.parsed.claims[index]
        if not claim.claims_defect or not claim.security or not self.locations[index]:
            return False
        return not any(r.claim == index and not r.fix and r.problem and r.problem != "off-list"
                       for r in self.references)


@dataclass(frozen=True, slots=True)
class Support:
    answer: int
    source: str
    claim: int


@dataclass(frozen=True, slots=True)
class Cluster:
    pillar: int | None
    pillar_name: str
    lines: tuple[int, ...]
    identifiers: tuple[str, ...]
    cwes: tuple[int, ...]
    support: tuple[Support, ...]

    @property
    def answers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.source for s in self.support))


@dataclass(frozen=True, slots=True)
class Consensus:
    answers: int
    verdicts: dict[str, int]
    majority: str  # defects | none | unclear (no strict plurality)
    conflicts: int
    clusters: tuple[Cluster, ...]
    flags: dict[str, int]


@dataclass(frozen=True, slots=True)
class TruthDefect:
    type: str | None  # a defect type key (race, sqli, ...) or None
    cwes: tuple[int, ...]
    lines: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Label:
    label: str  # Instrumental | Helpful | Misleading | Uncertain
    reason: str
    claim: int | None  # the claim that earned it, if any


@dataclass(frozen=True, slots=True)
class CodeInfo:
    path: str
    lines: int
    parsed: bool  # False: the file is not valid Python, names and lines were checked as text
    error: str | None


@dataclass(frozen=True, slots=True)
class AuditReport:
    code: CodeInfo
    allowed_cwes: tuple[int, ...]
    answers: tuple[AnswerAudit, ...]
    consensus: Consensus
    truth: tuple[TruthDefect, ...] = ()
    labels: tuple[Label, ...] = field(default=())  # one per answer when a truth was given
