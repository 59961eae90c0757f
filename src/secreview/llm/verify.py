"""Turn what a model claims into findings only where the code confirms it.

A claim (from a `grounded` JSON reply, or from a free-text reply read by the audit parser) is verified
when all of these hold; otherwise it is an unverified claim that keeps every reason it failed:
- it does not contradict the reply's own verdict (a reply that says "none" and lists defects has all of
  its claims refused with "contradicts verdict");
- its line exists and lies in the part of the file the model was shown;
- its quote matches the code at that line ±2 (whitespace normalised; a multi-line quote must match
  consecutive lines) and the matched lines are code, not comments or docstrings;
- its CWE is a weakness in the catalog (not a category, not deprecated; for a JSON reply, not one of the
  ten pillars either: a pillar names a class too broad to check a claim against);
- every identifier it names occurs in the file's code, and something it names or quotes is code at the
  matched lines (text in a comment or string cannot anchor a claim).
Free-text claims rarely quote code; they are checked by line and names through the audit grounder.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from secreview.audit.code_index import CodeIndex
from secreview.audit.consensus import pillar_of
from secreview.audit.ground import Grounder
from secreview.audit.model import ParsedAnswer
from secreview.cwe import Catalog
from secreview.model import PILLARS

NEAR = 2  # a quote may sit this many lines from the cited line
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LISTING_PREFIX = re.compile(r"^\s*\d+\s\|\s?")  # `12 | code`: the numbering of our own listing


@dataclass(frozen=True, slots=True)
class LLMClaim:
    """One defect claim of one answer, as the model stated it."""

    model: str
    sample: int
    cwe: int | None
    line: int | None
    end_line: int | None
    quote: str
    description: str
    fix: str
    confidence: str  # high | medium | low
    names: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # free text: what the audit grounder found wrong with its citations
    free_text: bool = False


@dataclass(frozen=True, slots=True)
class Checked:
    claim: LLMClaim
    reasons: tuple[str, ...]  # empty: verified
    start: int = 0  # the code lines the claim was matched to
    end: int = 0
    pillar: int = 0

    @property
    def verified(self) -> bool:
        return not self.reasons


def normalise(text: str) -> str:
    return " ".join(text.split())


class Verifier:
    def __init__(self, index: CodeIndex, catalog: Catalog) -> None:
        self.index = index
        self.catalog = catalog

    def check(self, claim: LLMClaim, verdict: str, shown: range) -> Checked:
        reasons: list[str] = []
        if verdict == "none":
            reasons.append("contradicts verdict")
        reasons.extend(claim.problems)
        start, end = self._lines(claim, shown, reasons)
        if not claim.free_text and not claim.quote.strip():
            reasons.append("no quote given")
        if start and claim.quote.strip() and not claim.free_text:  # free-text quotes: checked by the grounder
            start, end = self._quote(claim, start, reasons)
        elif start and not any(self.index.line_class(n) == "code" for n in range(start, end + 1)):
            reasons.append(f"line {start} is {self._kind(start)}, not code")
        pillar = self._cwe(claim, reasons)
        self._names(claim, start, end, reasons)
        return Checked(claim, tuple(dict.fromkeys(reasons)), start, end, pillar)

    # -- the checks -----------------------------------------------------------------------------

    def _lines(self, claim: LLMClaim, shown: range, reasons: list[str]) -> tuple[int, int]:
        total = len(self.index.lines)
        if claim.line is None:
            reasons.append("no line given")
            return 0, 0
        if not 1 <= claim.line <= total:
            reasons.append(f"line {claim.line} does not exist (the file has {total} lines)")
            return 0, 0
        if claim.line not in shown:
            reasons.append(f"line {claim.line} is outside the reviewed part (lines {shown.start}-{shown.stop - 1})")
            return 0, 0
        end = claim.end_line or claim.line
        if end < claim.line or end > total:
            reasons.append(f"end line {end} does not fit line {claim.line} (the file has {total} lines)")
            end = claim.line
        return claim.line, end

    def _quote(self, claim: LLMClaim, line: int, reasons: list[str]) -> tuple[int, int]:
        wanted = [normalise(_LISTING_PREFIX.sub("", q)) for q in claim.quote.splitlines()]
        wanted = [q for q in wanted if q and q not in ("...", "…")]
        if not wanted or not any(_IDENT.search(q) for q in wanted):
            reasons.append("the quote holds no code")
            return 0, 0
        total = len(self.index.lines)
        near = range(max(1, line - NEAR), min(total, line + NEAR) + 1)
        for first in near:
            if self._matches(first, wanted):
                last = first + len(wanted) - 1
                if not any(self.index.line_class(n) == "code" for n in range(first, last + 1)):
                    reasons.append(f"the quote at line {first} is {self._kind(first)}, not code")
                return first, last
        elsewhere = [n for n in range(1, total + 1) if n not in near and self._matches(n, wanted)]
        note = f"; it is at line {elsewhere[0]}" if elsewhere else "; it is nowhere in the file"
        reasons.append(f"quote not found at lines {near.start}-{near.stop - 1}{note}")
        return 0, 0

    def _matches(self, first: int, wanted: list[str]) -> bool:
        lines = self.index.lines
        if first + len(wanted) - 1 > len(lines):
            return False
        for offset, piece in enumerate(wanted):
            code = normalise(lines[first + offset - 1])
            # a whole line must match in the middle of a multi-line quote; the ends may be partial
            inner = 0 < offset < len(wanted) - 1
            if (code != piece) if inner else (piece not in code):
                return False
        return True

    def _cwe(self, claim: LLMClaim, reasons: list[str]) -> int:
        if claim.cwe is None:
            reasons.append("no CWE given")
            return 0
        entry = self.catalog.get(claim.cwe)
        if entry is None:
            reasons.append(f"CWE-{claim.cwe} is not in the CWE {self.catalog.version} catalog")
            return 0
        if entry.kind != "weakness":
            reasons.append(f"CWE-{claim.cwe} is a {entry.kind}, not a weakness")
        elif claim.cwe in PILLARS and not claim.free_text:  # free text under the pillars prompt names only these
            reasons.append(f"CWE-{claim.cwe} is a CWE-1000 pillar, too general for a finding")
        elif entry.status == "Deprecated":
            reasons.append(f"CWE-{claim.cwe} is deprecated")
        return entry.pillar or 0

    def _names(self, claim: LLMClaim, start: int, end: int, reasons: list[str]) -> None:
        if claim.free_text:
            return  # the grounder checked its names, and its lines against its sentences
        for name in claim.names:
            if not self._exists(name):
                reasons.append(f"name `{name}` is not in the file's code")
        if not start:
            return
        words = {w for name in claim.names for w in name.split(".")}
        words |= {w for w in _IDENT.findall(claim.quote) if not keyword.iskeyword(w)}
        on_lines = set().union(*(self.index.line_facts(n).names for n in range(start, end + 1)))
        if self.index.parsed and words and not words & on_lines:
            reasons.append(f"nothing the claim names or quotes is code at line{'s' if end > start else ''} "
                           f"{start}{f'-{end}' if end > start else ''}")

    def _exists(self, name: str) -> bool:
        parts = tuple(p for p in name.strip().strip("`").removesuffix("()").split(".") if p)
        if not parts:
            return False
        if self.index.find_name(parts):
            return True
        return len(parts) > 1 and parts[0] in ("self", "cls") and bool(self.index.find_name(parts[1:]))

    def _kind(self, line: int) -> str:
        kind = self.index.line_class(line)
        return "blank" if kind == "blank" else f"a {kind}"


def free_text_claims(parsed: ParsedAnswer, index: CodeIndex, catalog: Catalog, model: str,
                     sample: int) -> list[LLMClaim]:
    """The security defect claims of a free-text answer, with what the audit grounder found wrong in them."""
    refs, locations = Grounder(index, catalog, ()).answer(parsed)
    claims = []
    for claim in parsed.claims:
        if not claim.claims_defect or not claim.security:
            continue  # advice, style remarks and denials are not defect claims
        own = [r for r in refs if r.claim == claim.index and not r.fix]
        problems = tuple(f"{r.kind} `{r.value}`: {r.note or r.problem}" for r in own if r.problem)
        cited = [r for r in claim.lines if not r.fix and r.start]
        line = cited[0].start if cited else (locations[claim.index][0] if locations[claim.index] else None)
        end = cited[0].end if cited else line
        known = [c for c in claim.cwe_ids if catalog.get(c) is not None]
        cwe = known[0] if known else (claim.cwe_ids[0] if claim.cwe_ids else pillar_of(claim, catalog))
        quotes = [m.value for m in claim.mentions if m.form == "snippet" and not m.fix]
        names = tuple(m.value for m in claim.mentions if m.form in ("name", "call", "dotted") and not m.fix
                      and not m.soft)
        claims.append(LLMClaim(model, sample, cwe, line, end, quotes[0] if quotes else "", claim.text,
                               claim.fix or "", "low", names, problems, free_text=True))
    return claims
