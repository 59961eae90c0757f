"""Audit free-text security review answers against the code they review: parse each answer's verdict and
claims, ground every name, line and CWE it cites in the code, raise quality flags, find the consensus of
several answers and, given the real defect, label each answer. See docs/audit.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from secreview.audit import code_index, consensus, truth
from secreview.audit.flags import FLAGS, raise_flags
from secreview.audit.ground import Grounder
from secreview.audit.model import AnswerAudit, AuditReport, CodeInfo, ParsedAnswer, TruthDefect
from secreview.audit.parse import parse_answer
from secreview.cwe import load_catalog
from secreview.model import PILLARS

__all__ = ["DEFAULT_ALLOWED_CWES", "FLAGS", "audit", "parse_answer"]

# What the seed request allowed: the ten CWE-1000 pillars.
DEFAULT_ALLOWED_CWES: tuple[int, ...] = tuple(PILLARS)


def audit(code: str, code_path: str, answers: Sequence[tuple[str, str]],
          allowed_cwes: Sequence[int] = DEFAULT_ALLOWED_CWES,
          truth_defects: tuple[TruthDefect, ...] | None = None) -> AuditReport:
    """Audit `answers` ((source, text) pairs) against the decoded source `code`.

    An empty `allowed_cwes` turns the off-list check off. `truth_defects` (None: no truth given; an
    empty tuple: the code has no defect) adds one label per answer.
    """
    catalog = load_catalog()
    index = code_index.build(code, code_path)
    grounder = Grounder(index, catalog, tuple(allowed_cwes))
    audits = tuple(_one(source, parse_answer(text), grounder, catalog) for source, text in answers)
    labels = () if truth_defects is None else tuple(truth.label(a, truth_defects, catalog) for a in audits)
    return AuditReport(
        code=CodeInfo(code_path, len(index.lines), index.parsed, index.error),
        allowed_cwes=tuple(allowed_cwes), answers=audits, consensus=consensus.build(audits),
        truth=truth_defects or (), labels=labels)


def _one(source: str, parsed: ParsedAnswer, grounder: Grounder, catalog) -> AnswerAudit:
    refs, locations = grounder.answer(parsed)
    return AnswerAudit(source=source, parsed=parsed, references=tuple(refs), flags=tuple(raise_flags(parsed, refs)),
                       pillars=tuple(consensus.pillar_of(c, catalog) for c in parsed.claims),
                       locations=tuple(locations))
