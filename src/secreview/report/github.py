"""GitHub pull-request review: the JSON body of `POST /repos/{owner}/{repo}/pulls/{number}/reviews`.

Fields: `commit_id` (the option, else the change's head commit; omitted when neither is known, and
GitHub then uses the pull request's latest commit), `body` (Markdown summary), `event` ("COMMENT", or
"REQUEST_CHANGES" when asked and something was found; a clean review never requests changes) and
`comments`: {path, line, side: "RIGHT", start_line/start_side for multi-line findings, body}.

GitHub accepts review comments only on lines inside the pull request's diff, so:
- with `report.change`, a finding becomes a comment when its lines are in the file's `diff_lines`
  (all of them: a multi-line comment with a ```suggestion block replacing exactly line..end_line;
  only some: a single-line comment on the first such line, without a suggestion, which would replace
  the wrong lines); every other finding is summarised in the review body;
- without a change (a plain scan), no line is known to be in the diff: every finding goes in the body.
Comments are capped (`max_comments`, default 50: large reviews are slow to post and to read); the
findings over the cap go in the body with a note saying how many.
"""

from __future__ import annotations

import json
from dataclasses import replace

from secreview.model import Finding, Report
from secreview.report.markdown import finding_block, findings_section, summary

EVENTS = ("COMMENT", "REQUEST_CHANGES")
DEFAULT_MAX_COMMENTS = 50
BODY_LIMIT = 60_000  # GitHub's limit is 65,536 characters per body


def normalize(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./")


def anchor(f: Finding, diff_lines: frozenset[int] | None) -> tuple[int, int, bool] | None:
    """(start_line, line, whole) for a comment on this finding, or None when no line is in the diff.
    `whole` says the comment covers exactly line..end_line (the only case a suggestion may replace)."""
    if not diff_lines:
        return None
    span = range(f.line, f.end_line + 1)
    if all(n in diff_lines for n in span):
        return f.line, f.end_line, True
    first = next((n for n in span if n in diff_lines), None)
    return None if first is None else (first, first, False)


def comment(f: Finding, start: int, line: int, whole: bool) -> dict:
    shown = f if whole else _without_suggestion(f)
    body = finding_block(shown, with_location=not whole, with_code=not whole, suggestion_lang="suggestion")
    if not whole:
        body = f"(The finding spans lines {f.line}-{f.end_line}; only line {line} is in the diff.)\n\n{body}"
    item: dict = {"path": normalize(f.path), "line": line, "side": "RIGHT", "body": body}
    if start != line:
        item["start_line"] = start
        item["start_side"] = "RIGHT"
    return item


def _without_suggestion(f: Finding) -> Finding:
    return replace(f, suggestion="")


def render(report: Report, commit_id: str | None = None, event: str = "COMMENT",
           max_comments: int = DEFAULT_MAX_COMMENTS) -> str:
    return json.dumps(review(report, commit_id, event, max_comments), indent=2, ensure_ascii=False) + "\n"


def review(report: Report, commit_id: str | None = None, event: str = "COMMENT",
           max_comments: int = DEFAULT_MAX_COMMENTS) -> dict:
    if event not in EVENTS:
        raise ValueError(f"unknown review event {event!r}; choose one of {', '.join(EVENTS)}")
    change = report.change
    diff = {normalize(cf.path): frozenset(cf.diff_lines) for cf in change.files
            if cf.status != "deleted"} if change else {}
    comments: list[dict] = []
    outside: list[Finding] = []
    over_cap: list[Finding] = []
    for f in sorted(report.findings, key=lambda f: (-f.severity.rank, -f.confidence.rank, f.sort_key)):
        place = anchor(f, diff.get(normalize(f.path)))
        if place is None:
            outside.append(f)
        elif len(comments) >= max_comments:
            over_cap.append(f)
        else:
            comments.append(comment(f, *place))
    comments.sort(key=lambda c: (c["path"], c["line"]))
    payload: dict = {}
    head = commit_id or (change.head if change else None)
    if head:
        payload["commit_id"] = head
    payload["body"] = body(report, len(comments), outside, over_cap, max_comments)
    payload["event"] = event if report.findings else "COMMENT"
    payload["comments"] = comments
    return payload


def body(report: Report, commented: int, outside: list[Finding], over_cap: list[Finding], cap: int) -> str:
    parts = summary(report)
    if commented:
        parts.append(f"{commented} finding{'s are' if commented != 1 else ' is'} commented on the changed lines.")
    if report.change is None and outside:
        parts.append("This review was not made on a diff (a plain scan), and GitHub accepts review comments "
                     "only on lines of the pull request's diff, so every finding is listed here.")
    elif outside:
        n = len(outside)
        parts.append(f"{n} finding{'s lie' if n != 1 else ' lies'} outside the lines of this diff.")
    if over_cap:
        n = len(over_cap)
        parts.append(f"{n} more finding{'s' if n != 1 else ''} on changed lines "
                     f"{'are' if n != 1 else 'is'} not posted as comments (limit {cap} comments per review).")
    text = "\n\n".join(parts)
    listed = outside + over_cap
    if listed:
        text += "\n\n#### Findings not commented on a line\n\n"
        text += findings_section(listed, max(0, BODY_LIMIT - len(text)))
    return text
