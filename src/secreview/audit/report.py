"""Render an AuditReport as text or JSON (docs/audit.md describes the JSON). Pure functions of the report.

Text shows claims 1-based ("claim 1" is JSON index 0).
"""

from __future__ import annotations

import json
from collections import Counter

from secreview import __version__
from secreview.audit.model import AnswerAudit, AuditReport, Claim, Reference, Where
from secreview.model import PILLARS

SCHEMA_VERSION = "1.0"


def render(report: AuditReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return text(report)
    raise ValueError(f"unknown format {fmt!r}")


# -- JSON -----------------------------------------------------------------------------------------

def to_dict(report: AuditReport) -> dict:
    labels = report.labels or (None,) * len(report.answers)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "secreview", "version": __version__},
        "code": {"path": report.code.path, "lines": report.code.lines, "parsed": report.code.parsed,
                 "error": report.code.error},
        "allowed_cwes": list(report.allowed_cwes),
        "answers": [_answer(a, label) for a, label in zip(report.answers, labels, strict=True)],
        "consensus": _consensus(report),
        "truth": [{"type": t.type, "cwe": list(t.cwes), "lines": list(t.lines)} for t in report.truth]
        if report.labels else None,
    }


def _answer(a: AnswerAudit, label) -> dict:
    p = a.parsed
    out = {
        "source": a.source,
        "verdict": p.verdict,
        "verdict_conflict": p.verdict_conflict,
        "verdict_sentence": p.verdict_sentence,
        "assertions": list(p.assertions),
        "words": p.words,
        "claims": [_claim(a, c) for c in p.claims],
        "references": [_reference(r) for r in a.references],
        "flags": [{"code": f.code, "claim": f.claim, "message": f.message} for f in a.flags],
    }
    if label is not None:
        out["label"] = {"label": label.label, "reason": label.reason, "claim": label.claim}
    return out


def _claim(a: AnswerAudit, c: Claim) -> dict:
    pillar = a.pillars[c.index]
    return {
        "index": c.index, "number": c.number, "title": c.title, "stance": c.stance, "security": c.security,
        "cwes": list(c.cwe_ids), "pillar": pillar, "pillar_name": PILLARS.get(pillar, "") if pillar else None,
        "lines": [ref.text.removeprefix("line ").removeprefix("s ") for ref in c.lines if not ref.fix],
        "identifiers": list(dict.fromkeys(m.value for m in c.mentions if not m.fix and m.form != "snippet")),
        "quoted_code": list(dict.fromkeys(m.value for m in c.mentions if not m.fix and m.form == "snippet")),
        "fix": c.fix, "grounded": a.grounded(c.index), "location": list(a.locations[c.index]),
        "answer_lines": list(c.answer_lines), "text": c.text,
    }


def _reference(r: Reference) -> dict:
    return {"claim": r.claim, "kind": r.kind, "value": r.value, "found": r.found, "in_code": r.in_code,
            "where": [_where(r, w) for w in r.where], "problem": r.problem, "note": r.note, "fix": r.fix}


def _where(r: Reference, w: Where) -> dict:
    if r.kind == "cwe":
        return {"kind": "catalog", "name": w.text, "pillar": int(w.role) if w.role else None}
    out: dict = {"line": w.line, "kind": w.kind}
    if w.role:
        out["role"] = w.role
    if w.text:
        out["text"] = w.text
    return out


def _consensus(report: AuditReport) -> dict:
    c = report.consensus
    return {
        "answers": c.answers, "verdicts": c.verdicts, "majority_verdict": c.majority, "conflicts": c.conflicts,
        "clusters": [{"pillar": k.pillar, "pillar_name": k.pillar_name or None, "lines": list(k.lines),
                      "identifiers": list(k.identifiers), "cwes": list(k.cwes), "answers": list(k.answers),
                      "support": [{"answer": s.answer, "source": s.source, "claim": s.claim} for s in k.support]}
                     for k in c.clusters],
        "flags": c.flags,
        "labels": dict(Counter(label.label for label in report.labels)) if report.labels else None,
    }


# -- text -----------------------------------------------------------------------------------------

def text(report: AuditReport) -> str:
    code = report.code
    allowed = ", ".join(map(str, report.allowed_cwes)) or "any"
    out = [f"secreview audit: {code.path} ({code.lines} lines) · {len(report.answers)} answer(s) · "
           f"allowed CWEs: {allowed}"]
    if not code.parsed:
        out.append(f"note: the code is not valid Python ({code.error}); names and lines were checked as text")
    labels = report.labels or (None,) * len(report.answers)
    for a, label in zip(report.answers, labels, strict=True):
        out.append("")
        out.extend(_answer_text(a, label))
    out.append("")
    out.extend(_consensus_text(report))
    return "\n".join(out) + "\n"


def _answer_text(a: AnswerAudit, label) -> list[str]:
    p = a.parsed
    head = f"== {a.source}: verdict {p.verdict}"
    if p.verdict_conflict:
        head += " (CONFLICT)"
    out = [head]
    if p.verdict_sentence:
        out.append(f"   verdict sentence: {p.verdict_sentence[:120]!r}")
    if label is not None:
        out.append(f"   label: {label.label} — {label.reason}")
    stances = Counter(c.stance for c in p.claims)
    out.append(f"   {len(p.claims)} claim(s)" + (": " + ", ".join(f"{n} {s}" for s, n in stances.items())
                                                  if stances else "") + f"; {p.words} words")
    for c in p.claims:
        pillar = a.pillars[c.index]
        cwes = ", ".join(f"CWE-{i}" for i in c.cwe_ids)
        tags = " · ".join(x for x in (cwes, f"pillar {pillar}" if pillar else "",
                                      "grounded" if a.grounded(c.index) else "") if x)
        out.append(f"   claim {c.index + 1} [{c.stance}] {c.title[:70]}" + (f" ({tags})" if tags else ""))
        for r in a.references:
            if r.claim == c.index and r.kind != "cwe" or r.claim == c.index and r.problem:
                out.append("      " + _ref_text(r))
    loose = [r for r in a.references if r.claim is None]
    if loose:
        out.append("   outside the claims:")
        out.extend("      " + _ref_text(r) for r in loose)
    if a.flags:
        counts = Counter(f.code for f in a.flags)
        out.append(f"   flags ({len(a.flags)}): " + ", ".join(f"{k} ×{n}" for k, n in counts.items()))
        for f in a.flags:
            where = "answer" if f.claim is None else f"claim {f.claim + 1}"
            out.append(f"    - [{where}] {f.code}: {f.message}")
    else:
        out.append("   flags: none")
    return out


def _ref_text(r: Reference) -> str:
    mark = "ok " if r.found and not r.problem else ("-- " if r.fix else "NO ")
    value = r.value if len(r.value) <= 60 else r.value[:57] + "..."
    if r.kind == "line":
        body = f"line {value}"
    elif r.kind == "cwe":
        body = value + (f" {r.where[0].text}" if r.where else "")
    else:
        body = f"{r.kind} `{value}`"
    lines = sorted({w.line for w in r.where if w.line})[:6]
    at = f" at {', '.join(map(str, lines))}" if lines and r.kind != "line" else ""
    note = f" — {r.note}" if r.note else ""
    return f"{mark}{body}{at}{' (in a fix)' if r.fix else ''}{note}"


def _consensus_text(report: AuditReport) -> list[str]:
    c = report.consensus
    counts = ", ".join(f"{k} {v}" for k, v in c.verdicts.items() if v)
    out = [f"== consensus over {c.answers} answer(s): majority verdict {c.majority} ({counts}); "
           f"{c.conflicts} answer(s) contradict their own verdict"]
    if report.labels:
        out.append("   labels: " + ", ".join(f"{k} {v}" for k, v in Counter(x.label for x in report.labels).items()))
    if not c.clusters:
        out.append("   no grounded defect claim")
    for k in c.clusters:
        pillar = f"pillar {k.pillar} {k.pillar_name}" if k.pillar else "no pillar"
        lines = f"lines {', '.join(map(str, k.lines[:8]))}" if k.lines else "no line"
        names = f" · {', '.join(k.identifiers[:4])}" if k.identifiers else ""
        who = ", ".join(f"{s.source} claim {s.claim + 1}" for s in k.support)
        out.append(f"   {len(k.answers)} answer(s): {pillar} · {lines}{names} — {who}")
    return out
