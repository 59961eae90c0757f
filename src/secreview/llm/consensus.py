"""Combine the verified claims of several answers (samples × models) about one file part.

Two verified claims support the same defect when they fall under the same CWE-1000 pillar and their
matched lines are within `NEAR` lines of each other. A group is kept when at least `k` distinct answers
support it; the rest become unverified claims saying how much support they had. The default k is a
majority of the answers (⌊n/2⌋ + 1): one answer alone decides when only one was asked for, and with
three samples two must agree. `--consensus K` sets k explicitly (1 keeps any verified claim).
"""

from __future__ import annotations

from dataclasses import dataclass

from secreview.llm.verify import Checked

NEAR = 2
_RANK = {"high": 3, "medium": 2, "low": 1}


def majority(answers: int) -> int:
    return answers // 2 + 1


@dataclass(frozen=True, slots=True)
class Group:
    members: tuple[Checked, ...]

    @property
    def answers(self) -> frozenset[tuple[str, int]]:
        return frozenset((c.claim.model, c.claim.sample) for c in self.members)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.claim.model for c in self.members))

    @property
    def best(self) -> Checked:
        """The representative: the most confident claim, then the earliest line (stable across runs)."""
        return min(self.members, key=lambda c: (-_RANK.get(c.claim.confidence, 0), c.start, c.claim.cwe or 0,
                                                c.claim.model, c.claim.sample))


def combine(verified: list[Checked], k: int) -> tuple[list[Group], list[Group]]:
    """(kept groups, groups below k). Claims are grouped greedily in line order."""
    groups: list[list[Checked]] = []
    for item in sorted(verified, key=lambda c: (c.pillar, c.start, c.claim.model, c.claim.sample)):
        for group in groups:
            if group[0].pillar == item.pillar and any(abs(m.start - item.start) <= NEAR for m in group):
                group.append(item)
                break
        else:
            groups.append([item])
    made = [Group(tuple(g)) for g in groups]
    kept = [g for g in made if len(g.answers) >= k]
    weak = [g for g in made if len(g.answers) < k]
    return kept, weak
