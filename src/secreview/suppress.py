"""Suppression comments: Bandit's `# nosec [B602,...]` and our own
`# secreview: ignore[SR101,shell-command-injection] reason`.

Only real comments count (found with `tokenize`, so the text inside a string
literal never suppresses anything). A suppression on any line of a multi-line
statement covers findings anywhere in that statement.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from secreview.model import Suppression

_NOSEC = re.compile(r"#\s*nosec\b:?\s*([A-Za-z0-9_,\- ]*)", re.IGNORECASE)
_OURS = re.compile(r"#\s*secreview:\s*ignore(?:\[([^\]]*)\])?\s*(.*)$", re.IGNORECASE)
_ANY = re.compile(r"nosec|secreview", re.IGNORECASE)
_ID = re.compile(r"^(B\d{3}|SR\d{3}|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)$", re.IGNORECASE)


@dataclass
class Comment:
    line: int
    kind: str  # "nosec" | "secreview"
    codes: tuple[str, ...]  # empty: every rule
    text: str
    used: bool = field(default=False)

    def covers(self, code: str, name: str, bandit: tuple[str, ...]) -> bool:
        if not self.codes:
            return True
        wanted = {c.upper() for c in self.codes}
        return code.upper() in wanted or name.upper() in wanted or any(b.upper() in wanted for b in bandit)


def find_comments(source: str) -> dict[int, list[Comment]]:
    """Line -> suppression comments on that line."""
    found: dict[int, list[Comment]] = {}
    if not _ANY.search(source):
        return found  # tokenizing is costly; most files carry no suppression at all
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        line = tok.start[0]
        ours = _OURS.search(tok.string)
        if ours:
            codes = tuple(c.strip() for c in (ours.group(1) or "").split(",") if c.strip())
            found.setdefault(line, []).append(Comment(line, "secreview", codes, tok.string.strip()))
            continue
        nosec = _NOSEC.search(tok.string)
        if nosec:
            words = [w for w in re.split(r"[,\s]+", nosec.group(1) or "") if w]
            codes = tuple(w for w in words if _ID.match(w))
            found.setdefault(line, []).append(Comment(line, "nosec", codes, tok.string.strip()))
    return found


def match(
    comments: dict[int, list[Comment]], lines: range, code: str, name: str, bandit: tuple[str, ...]
) -> Comment | None:
    for line in lines:
        for comment in comments.get(line, ()):
            if comment.covers(code, name, bandit):
                comment.used = True
                return comment
    return None


def unused(comments: dict[int, list[Comment]], path: str, known_ids: set[str]) -> list[Suppression]:
    """Suppressions that silenced nothing. A `nosec` naming only ids we do not
    implement is Bandit's business, not ours, and is left alone."""
    result = []
    for line in sorted(comments):
        for comment in comments[line]:
            if comment.used:
                continue
            if comment.kind == "nosec" and comment.codes and not any(c.upper() in known_ids for c in comment.codes):
                continue
            result.append(Suppression(path, line, comment.kind, comment.codes, comment.text))
    return result
