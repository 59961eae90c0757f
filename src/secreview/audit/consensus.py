"""Several answers about the same code: the majority verdict, and the grounded defect claims clustered by
CWE-1000 pillar and location, with the answers that support each cluster.

A claim is *grounded* when it states a security defect, every reference it makes checks out (no unknown
name, bad line, misquoted code, bad CWE) and it points at code (a good line, or a name found in code).
Two grounded claims fall in one cluster when they have the same pillar (or both none) and their lines
are within `NEAR` lines of each other, or they name the same code.
"""

from __future__ import annotations

from collections import Counter

from secreview.audit.concepts import PILLAR_WORDS
from secreview.audit.model import AnswerAudit, Claim, Cluster, Consensus, Support
from secreview.cwe import Catalog
from secreview.model import PILLARS

NEAR = 2


def pillar_of(claim: Claim, catalog: Catalog) -> int | None:
    """The pillar of the claim's first CWE that has one; else from its words (PILLAR_WORDS); else None."""
    for cwe in claim.cwes:
        entry = catalog.get(cwe.id) if cwe.id else None
        if entry is not None and entry.pillar is not None:
            return entry.pillar
        if cwe.id in PILLARS:
            return cwe.id
    if not claim.security:
        return None
    text = claim.title + " " + claim.text
    for pattern, cwe_id in PILLAR_WORDS:
        if pattern.search(text):
            entry = catalog.get(cwe_id)
            return entry.pillar if entry else None
    return None


def majority(verdicts: list[str]) -> str:
    counts = Counter(verdicts).most_common()
    if not counts or len(counts) > 1 and counts[0][1] == counts[1][1]:
        return "unclear"
    return counts[0][0]


def build(audits: tuple[AnswerAudit, ...]) -> Consensus:
    verdicts = {v: 0 for v in ("defects", "none", "unclear")}
    for a in audits:
        verdicts[a.verdict] += 1
    items = []
    for ai, audit in enumerate(audits):
        for claim in audit.claims:
            if audit.grounded(claim.index):
                names = {r.value for r in audit.references if r.claim == claim.index and r.kind == "identifier"
                         and r.in_code and not r.fix}
                items.append((ai, claim, audit.pillars[claim.index], set(audit.locations[claim.index]), names))
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            one, other = items[i], items[j]
            if one[2] == other[2] and (one[4] & other[4] or
                                       any(abs(x - y) <= NEAR for x in one[3] for y in other[3])):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    clusters = []
    for members in groups.values():
        pillar = items[members[0]][2]
        clusters.append(Cluster(
            pillar=pillar, pillar_name=PILLARS.get(pillar, "") if pillar else "",
            lines=tuple(sorted(set().union(*(items[m][3] for m in members)))),
            identifiers=tuple(sorted(set().union(*(items[m][4] for m in members)))),
            cwes=tuple(sorted({c for m in members for c in items[m][1].cwe_ids})),
            support=tuple(Support(items[m][0], audits[items[m][0]].source, items[m][1].index) for m in members)))
    clusters.sort(key=lambda c: (-len(c.answers), c.lines[:1] or (0,), c.pillar or 0))
    flags = Counter(f.code for a in audits for f in a.flags)
    return Consensus(answers=len(audits), verdicts=verdicts, majority=majority([a.verdict for a in audits]),
                     conflicts=sum(a.parsed.verdict_conflict for a in audits), clusters=tuple(clusters),
                     flags=dict(sorted(flags.items())))
