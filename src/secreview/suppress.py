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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from secreview.model import Suppression
from secreview.ruleset import Rule, load_rules

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


# The LLM layer's findings carry this code and name (secreview.llm.review, not imported here: it is
# heavy, and a static review never needs it): a suppression naming them names a real rule.
LLM_RULE_IDS = frozenset({"SR900", "LLM-REVIEW"})
_BANDIT = re.compile(r"^B\d{3}$", re.IGNORECASE)


def rule_ids(rules: Iterable[Rule]) -> frozenset[str]:
    """The ids a suppression may name for these rules, upper-cased: codes, names and Bandit ids."""
    return frozenset(i.upper() for r in rules for i in (r.meta.code, r.meta.name, *r.meta.bandit))


@cache
def _every_rule_id() -> frozenset[str]:
    return rule_ids(load_rules()) | LLM_RULE_IDS


def unused(comments: dict[int, list[Comment]], path: str, selected: Iterable[Rule],
           every: frozenset[str] | None = None) -> list[Suppression]:
    """Suppressions that silenced nothing, with the ids in them that name no secreview rule
    (`Suppression.unknown`). `selected`: the rules this review ran; `every`: the ids of all
    secreview rules (`rule_ids`; default: every registered rule and the LLM layer's SR900).

    An unused comment is reported when it names an unknown id (a typo that never silences anything),
    or when every rule it names ran and found nothing there. It is not reported when it names a rule
    this review did not run, nor, naming no rule, when some rule did not run: that rule may need it.
    A `nosec` naming only Bandit ids we do not implement is Bandit's business, not ours, and is left alone."""
    waiting = [c for line in sorted(comments) for c in comments[line] if not c.used]
    if not waiting:
        return []
    ran = rule_ids(selected)
    known = _every_rule_id() if every is None else every
    result = []
    for comment in waiting:
        unknown = tuple(c for c in comment.codes
                        if c.upper() not in known and not (comment.kind == "nosec" and _BANDIT.match(c)))
        if not unknown and not _surely_unused(comment, ran, known):
            continue
        result.append(Suppression(path, comment.line, comment.kind, comment.codes, comment.text, unknown))
    return result


def _surely_unused(comment: Comment, ran: frozenset[str], known: frozenset[str]) -> bool:
    """Every rule the comment names (every rule, for a comment without ids) ran and silenced nothing."""
    if not comment.codes:
        return known - LLM_RULE_IDS <= ran
    ours = [c.upper() for c in comment.codes if c.upper() in known]
    return bool(ours) and all(c in ran for c in ours)
