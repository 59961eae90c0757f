"""GitLab Code Quality: a JSON array of issues (the Code Climate subset GitLab reads from a
`codequality` report artifact): description, check_name, fingerprint, severity, location {path,
lines {begin, end}}, plus categories and a Markdown `content.body` with the fix.

Severity: low -> minor, medium -> major, high -> critical, critical -> blocker. GitLab keys issues by
`fingerprint`, so two findings with the same secreview fingerprint (the same code twice in one
scope) get a fingerprint derived from it and the occurrence number. A file that could not be
reviewed becomes a `major` issue `secreview/not-reviewed`, so an incomplete review never looks
clean in the merge request widget.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from secreview.model import FileError, Finding, Report, Severity

SEVERITY = {Severity.LOW: "minor", Severity.MEDIUM: "major", Severity.HIGH: "critical",
            Severity.CRITICAL: "blocker"}


def _path(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./")


def issue(f: Finding, fingerprint: str) -> dict:
    body = [f.message, f"CWE-{f.cwe} {f.cwe_name}; pillar CWE-{f.pillar} {f.pillar_name}.", f"**Fix:** {f.fix}"]
    if f.suggestion:
        body.append(f"Suggested rewrite:\n\n```python\n{f.suggestion}\n```")
    return {
        "type": "issue",
        "description": f"{f.rule} {f.title}: {f.message}",
        "check_name": f"{f.rule} {f.name}",
        "fingerprint": fingerprint,
        "severity": SEVERITY[f.severity],
        "categories": ["Security"],
        "location": {"path": _path(f.path), "lines": {"begin": f.line, "end": f.end_line}},
        "content": {"body": "\n\n".join(body)},
    }


def not_reviewed(e: FileError) -> dict:
    digest = hashlib.sha256(f"secreview/not-reviewed\x1f{e.path}\x1f{e.kind}".encode()).hexdigest()[:32]
    return {
        "type": "issue",
        "description": f"Not reviewed by secreview ({e.kind}): {e.message}",
        "check_name": "secreview/not-reviewed",
        "fingerprint": digest,
        "severity": "major",
        "categories": ["Bug Risk"],
        "location": {"path": _path(e.path), "lines": {"begin": e.line or 1, "end": e.line or 1}},
    }


def issues(report: Report) -> list[dict]:
    seen: Counter[str] = Counter()
    out = []
    for f in report.findings:
        seen[f.fingerprint] += 1
        n = seen[f.fingerprint]
        repeat = f.fingerprint if n == 1 else hashlib.sha256(f"{f.fingerprint}\x1f{n}".encode()).hexdigest()[:32]
        out.append(issue(f, repeat))
    out.extend(not_reviewed(e) for e in report.errors)
    return out


def render(report: Report) -> str:
    return json.dumps(issues(report), indent=2, ensure_ascii=False) + "\n"
