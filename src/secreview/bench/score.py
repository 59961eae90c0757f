"""Match one tool's findings against a dataset's labels and compute the figures (a JSON-ready dict).

A finding matches a label when it is in the same file, within `tolerance` lines of one of the label's lines,
and in the same CWE-1000 pillar (the same CWE when either has no pillar; any CWE when the finding has none).

Each finding is assigned to the nearest label it matches (vulnerable first on a tie). Line level: TP =
vulnerable labels with a finding, FN = the others, FP = findings not assigned to a vulnerable label (several
findings on one label count once); a safe label with a finding is flagged (a false alarm on a safe twin).
File level: a file with vulnerable labels is a TP when one of them has a finding, else a FN; a file without
vulnerable labels is a FP when it has any finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from secreview.bench.datasets import Dataset, Label

TOP_K = (1, 3, 10)
DIMENSIONS = ("rule", "cwe", "pillar", "type")


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding of any tool, reduced to what scoring needs."""

    rule: str
    cwe: int  # 0: the tool gave none
    pillar: int | None
    type: str
    path: str  # dataset file key
    line: int
    severity: int = 2  # 1 low .. 4 critical
    confidence: int = 2  # 1 low .. 3 high


def secreview_hits(dataset: Dataset, jobs: int = 0) -> tuple[list[Hit], list[str]]:
    """Review the dataset's files with secreview in one call."""
    from secreview import api
    from secreview.config import Config
    from secreview.model import Confidence

    # Labeled data is scored as the engine sees it, wherever the dataset lives (a dataset kept in a project's
    # tests/ directory is test code by location) and at every confidence.
    # The dataset is its own project (not the repository it may sit in).
    root = Path(dataset.root).resolve()
    config = Config(jobs=jobs, test_code="keep", confidence=Confidence.LOW, project=str(root))
    report = api.review(list(dataset.files), config, cwd=root)
    hits = [Hit(f.name, f.cwe, f.pillar or None, f.type, f.path, f.line, f.severity.rank + 1, f.confidence.rank + 1)
            for f in report.findings]
    notes = [f"secreview could not review {e.path}: {e.message}" for e in report.errors]
    return hits, notes


def matches(hit: Hit, label: Label, tolerance: int) -> bool:
    if hit.path != label.file or not any(abs(hit.line - line) <= tolerance for line in label.lines):
        return False
    if not hit.cwe:
        return True
    if hit.pillar is not None and label.pillar is not None:
        return hit.pillar == label.pillar
    return hit.cwe == label.cwe


def _assign(hits: list[Hit], vuln: list[Label], safe: list[Label], tolerance: int) -> dict[int, tuple[str, int]]:
    """Each finding goes to the nearest label it matches (a vulnerable one on a tie), so a finding on a safe
    line next to a vulnerable one is not counted twice."""
    by_file: dict[str, list[tuple[str, int, Label]]] = defaultdict(list)
    for side, labels in (("vuln", vuln), ("safe", safe)):
        for i, lab in enumerate(labels):
            by_file[lab.file].append((side, i, lab))
    out = {}
    for hit in hits:
        candidates = [(min(abs(hit.line - n) for n in lab.lines), side != "vuln", side, i)
                      for side, i, lab in by_file.get(hit.path, ()) if matches(hit, lab, tolerance)]
        if candidates:
            _, _, side, i = min(candidates)
            out[id(hit)] = (side, i)
    return out


def ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def prf(tp: int, fp: int, fn: int) -> dict:
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = ratio(2 * tp, 2 * tp + fp + fn)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def score(dataset: Dataset, hits: Iterable[Hit], tolerance: int = 2) -> dict:
    hits = list(hits)
    by_file: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_file[hit.path].append(hit)
    vuln = [lab for lab in dataset.labels if lab.vuln]
    safe = [lab for lab in dataset.labels if not lab.vuln]
    assigned = _assign(hits, vuln, safe, tolerance)  # id(hit) -> ("vuln" | "safe", label index)
    hit_by: dict[int, list[Hit]] = {i: [] for i in range(len(vuln))}
    flagged = [False] * len(safe)
    for hit in hits:
        side, index = assigned.get(id(hit), ("", -1))
        if side == "vuln":
            hit_by[index].append(hit)
        elif side == "safe":
            flagged[index] = True
    false_hits = [h for h in hits if assigned.get(id(h), ("",))[0] != "vuln"]
    tp = sum(1 for found in hit_by.values() if found)
    result = {
        "findings": len(hits),
        "line": {**prf(tp, len(false_hits), len(vuln) - tp), "safe_labels": len(safe),
                 "safe_flagged": sum(flagged)},
        "file": _file_level(dataset, by_file, vuln, hit_by),
        "by": {dim: _breakdown(dim, vuln, hit_by, false_hits) for dim in DIMENSIONS},
    }
    if vuln and safe:
        result["paired"] = _paired(vuln, hit_by, safe, flagged)
    samples = [(i, lab) for i, lab in enumerate(vuln) if lab.sample]
    if samples:
        result["top_k"] = _top_k(samples, by_file, tolerance)
    return result


def _file_level(dataset: Dataset, by_file: dict[str, list[Hit]], vuln: list[Label],
                hit_by: dict[int, list[Hit]]) -> dict:
    detected: dict[str, bool] = {}
    for i, lab in enumerate(vuln):
        detected[lab.file] = detected.get(lab.file, False) or bool(hit_by[i])
    tp = sum(detected.values())
    fp = sum(1 for f in dataset.files if f not in detected and by_file.get(f))
    return {**prf(tp, fp, len(detected) - tp), "files": len(dataset.files)}


def _paired(vuln: list[Label], hit_by: dict[int, list[Hit]], safe: list[Label], flagged: list[bool]) -> dict:
    tpr = sum(1 for found in hit_by.values() if found) / len(vuln)
    fpr = sum(flagged) / len(safe)
    out = {"vuln": len(vuln), "safe": len(safe), "tpr": round(tpr, 4), "fpr": round(fpr, 4),
           "youden": round(tpr - fpr, 4)}
    pairs: dict[str, list[bool]] = {}  # pair id -> [vulnerable side hit, safe side flagged]
    for i, lab in enumerate(vuln):
        if lab.pair:
            pairs.setdefault(lab.pair, [False, False])[0] |= bool(hit_by[i])
    for lab, was_flagged in zip(safe, flagged, strict=True):
        if lab.pair:
            pairs.setdefault(lab.pair, [False, False])[1] |= was_flagged
    if pairs:
        out["pairs"] = len(pairs)
        out["pairs_told_apart"] = sum(1 for hit, fl in pairs.values() if hit and not fl)
    return out


def rank_key(hit: Hit) -> tuple[int, int, int]:
    return (-hit.severity, -hit.confidence, hit.line)


def _top_k(samples: list[tuple[int, Label]], by_file: dict[str, list[Hit]], tolerance: int) -> dict:
    ranked = {path: sorted(found, key=rank_key) for path, found in by_file.items()}
    out: dict = {"samples": len(samples)}
    for k in (*TOP_K, None):
        detected = sum(1 for _, lab in samples
                       if any(matches(h, lab, tolerance) for h in ranked.get(lab.file, [])[:k]))
        out[f"top_{k}" if k else "all"] = {"detected": detected, "rate": ratio(detected, len(samples))}
    return out


def group_key(dim: str, item: Label | Hit, fallback_rule: str = "(none)") -> str:
    if dim == "rule":
        return (item.rule if isinstance(item, Hit) else item.rule or fallback_rule) or "-"
    if dim == "cwe":
        return f"CWE-{item.cwe}" if item.cwe else "-"
    if dim == "pillar":
        return f"CWE-{item.pillar}" if item.pillar else "-"
    return item.type or "-"


def _breakdown(dim: str, vuln: list[Label], hit_by: dict[int, list[Hit]], false_hits: list[Hit]) -> dict:
    """TP/FN grouped by the label's key (for `rule`: its marker rule, else the first matching finding's rule;
    `(none)` when missed), FP by the unmatched finding's key."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for i, lab in enumerate(vuln):
        found = hit_by[i]
        key = group_key(dim, lab, found[0].rule if found else "(none)")
        counts[key][0 if found else 2] += 1
    for hit in false_hits:
        counts[group_key(dim, hit)][1] += 1
    return {key: prf(*counts[key]) for key in sorted(counts)}
