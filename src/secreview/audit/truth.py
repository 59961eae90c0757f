"""Label answers against the real defect (`--truth FILE`) with the four labels of security-code-review
studies: Instrumental, Helpful, Misleading, Uncertain. The rules (docs/audit.md):

A defect claim *locates* a truth defect when one of its good line references is within `NEAR` lines of
the defect's lines, or code it names (found in code) is on those lines. It *names* the defect when one of
its CWEs is the truth's CWE or an ancestor or descendant of it in CWE-1000 (a pillar names every
weakness under it), or, for a truth given by type, one of the type's CWEs that way or the type's words.
A truth without lines is located by any claim; one without type and CWE is named by any claim.

- Instrumental: a claim locates and names the defect, proposes a fix, and none of its references is bad
  (an off-list CWE is not bad here).
- Helpful: a claim locates it, or names it without pointing anywhere wrong (no bad line, no unknown name).
- Uncertain: nothing matches and the answer contradicts its own verdict or has none (`unclear`).
- Misleading: nothing matches and the answer says the code is clean, or claims defects elsewhere.
For a truth of "no defect" (`{"type": "none"}` or `[]`): Instrumental for a clean verdict without
conflict, Misleading for a `defects` verdict, else Uncertain.
"""

from __future__ import annotations

import json
import re

from secreview.audit.model import AnswerAudit, Claim, Label, TruthDefect
from secreview.cwe import Catalog, parse_cwe_id
from secreview.model import DEFECT_TYPES

NEAR = 2
TYPE_CWES: dict[str, tuple[int, ...]] = {
    "race": (362, 367), "deadlock": (833, 667), "crash": (703, 248, 476), "leak": (772, 404, 775),
    "dos": (400, 1333, 409, 776), "sqli": (89,), "cmdi": (78, 77), "fmt": (134, 117),
    "access": (284, 862, 798, 200, 532), "xss": (79,), "csrf": (352,), "crypto": (327, 328, 295, 330),
    "intovf": (190,), "bof": (119,), "uaf": (416,), "other": (),
}
TYPE_WORDS: dict[str, str] = {
    "race": r"race|concurren|toctou|time[- ]of[- ]check|synchroni", "deadlock": r"deadlock|lock\s+order",
    "crash": r"crash|unhandled|uncaught|none\s+dereference|null\s+(?:pointer|dereference)",
    "leak": r"leak|not\s+closed|never\s+closed|not\s+released", "dos": r"denial[- ]of[- ]service|\bdos\b|exhaust|"
    r"unbounded|redos|infinite\s+loop", "sqli": r"\bsql\b", "cmdi": r"command\s+injection|shell\s+injection|os\.system",
    "fmt": r"format\s+string|log\s+injection", "access": r"access\s+control|authori[sz]|authenticat|privilege|"
    r"permission|credential|hard[- ]?coded\s+(?:password|secret|key)|information\s+exposure", "xss": r"\bxss\b|"
    r"cross[- ]site\s+scripting", "csrf": r"\bcsrf\b|cross[- ]site\s+request", "crypto": r"crypt|\bhash|\bmd5\b|"
    r"\bsha1\b|cipher|\btls\b|\bssl\b|certificate|weak\s+random", "intovf": r"integer\s+overflow",
    "bof": r"buffer\s+overflow|out[- ]of[- ]bounds", "uaf": r"use[- ]after[- ]free|dangling",
}


class TruthError(ValueError):
    pass


def load_truth(text: str) -> tuple[TruthDefect, ...]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TruthError(f"not JSON: {exc}") from None
    if isinstance(data, dict) and "defects" in data:
        data = data["defects"]
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise TruthError("each defect must be an object with type/cwe and lines")
        kind = item.get("type")
        if kind in (None, "", "none", "clean") and not item.get("cwe") and not item.get("lines"):
            if kind in ("none", "clean"):
                continue
            raise TruthError("a defect needs a type, a cwe or lines")
        if kind is not None and kind not in DEFECT_TYPES:
            raise TruthError(f"unknown type {kind!r}; one of: {', '.join(DEFECT_TYPES)}")
        out.append(TruthDefect(kind, _cwes(item.get("cwe")), _lines(item.get("lines"))))
    return tuple(out)


def _cwes(value: object) -> tuple[int, ...]:
    values = value if isinstance(value, list) else ([] if value is None else [value])
    out: list[int] = []
    for item in values:
        try:
            if not isinstance(item, (int, str)):  # a float, a table, a list: not an id either
                raise ValueError(f"not a CWE id: {item!r}")
            out.append(parse_cwe_id(item))
        except ValueError as exc:
            raise TruthError(str(exc)) from None
    return tuple(out)


def _lines(value: object) -> tuple[int, ...]:
    values = value if isinstance(value, list) else ([] if value is None else [value])
    out: list[int] = []
    for v in values:
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            out.append(v)
        elif isinstance(v, str) and re.fullmatch(r"\s*[0-9]{1,9}\s*(?:-\s*[0-9]{1,9}\s*)?", v):
            a, _, b = v.partition("-")
            out.extend(range(int(a), int(b or a) + 1) if int(b or a) - int(a) < 10_000 else [int(a)])
        else:
            raise TruthError(f"bad line {v!r}: use numbers or \"10-12\"")
    return tuple(sorted(set(out)))


def label(audit: AnswerAudit, truth: tuple[TruthDefect, ...], catalog: Catalog) -> Label:
    parsed = audit.parsed
    if not truth:
        if parsed.verdict == "none" and not parsed.verdict_conflict:
            return Label("Instrumental", "the code has no defect and the answer says so", None)
        if parsed.verdict == "defects":
            return Label("Misleading", "the code has no defect but the answer claims some", None)
        return Label("Uncertain", "the code has no defect; the answer is unclear or contradicts itself", None)
    best: tuple[int, str, int] | None = None  # rank, reason, claim
    for claim in parsed.claims:
        if not claim.claims_defect:
            continue
        bad = [r for r in audit.references  # being off the allowed list is not a grounding error
               if r.claim == claim.index and r.problem and r.problem != "off-list" and not r.fix]
        for defect in truth:
            located = _locates(audit, claim, defect)
            named = _names(claim, defect, catalog)
            if located and named and claim.fix and not bad:
                rank, reason = 3, "locates and names the defect and proposes a fix"
            elif located or named and not any(r.kind in ("line", "identifier") for r in bad):
                rank, reason = 2, "locates the defect" if located else "names the defect but not where it is"
            else:
                continue
            if best is None or rank > best[0]:
                best = (rank, reason, claim.index)
    if best is not None:
        return Label("Instrumental" if best[0] == 3 else "Helpful", best[1], best[2])
    if parsed.verdict_conflict or parsed.verdict == "unclear":
        return Label("Uncertain", "misses the defect; the answer contradicts itself or gives no verdict", None)
    if parsed.verdict == "none":
        return Label("Misleading", "says the code is clean; it has a defect", None)
    return Label("Misleading", "claims defects elsewhere and misses the real one", None)


def _locates(audit: AnswerAudit, claim: Claim, defect: TruthDefect) -> bool:
    if not defect.lines:
        return True
    low, high = min(defect.lines) - NEAR, max(defect.lines) + NEAR
    own = [r for r in audit.references if r.claim == claim.index and not r.fix and not r.problem]
    for ref in own:
        if ref.kind == "line" and any(low <= w.line <= high for w in ref.where):
            return True
        if ref.kind in ("identifier", "snippet") and ref.in_code and any(
                w.line in defect.lines and w.kind in ("code", "string") for w in ref.where):
            return True
    return False


def _names(claim: Claim, defect: TruthDefect, catalog: Catalog) -> bool:
    if defect.type is None and not defect.cwes:
        return True
    wanted = set(defect.cwes) | set(TYPE_CWES.get(defect.type or "", ()))
    for cwe in claim.cwe_ids:
        entry = catalog.get(cwe)
        if cwe in wanted or any(cwe in _chain(w, catalog) or w in (entry.chain if entry else ()) for w in wanted):
            return True
    words = TYPE_WORDS.get(defect.type or "")
    return bool(words and re.search(words, claim.title + " " + claim.text, re.I))


def _chain(cwe: int, catalog: Catalog) -> tuple[int, ...]:
    entry = catalog.get(cwe)
    return entry.chain if entry else ()
