"""Inline expectations in fixture files (the ground truth for tests and bench).

`# ruleid: NAME` must fire, `# ok: NAME` must not, `# todoruleid: NAME` is a
known miss, `# todook: NAME` a known false positive. A marker at the end of a
code line applies to that line; a marker alone on a comment line applies to the
next line that holds code. Several names may be given, separated by commas.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

KINDS = ("ruleid", "ok", "todoruleid", "todook")
_MARKER = re.compile(r"#\s*(ruleid|ok|todoruleid|todook)\s*:\s*([a-z0-9, \-]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Marker:
    line: int
    kind: str
    rule: str


def parse_markers(source: str) -> list[Marker]:
    code_lines: set[int] = set()
    pending: list[tuple[str, str, int]] = []
    markers: list[Marker] = []
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for tok in tokens:
        if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        if tok.type == tokenize.COMMENT:
            for match in _MARKER.finditer(tok.string):
                kind = match.group(1).lower()
                for name in (n.strip() for n in match.group(2).split(",")):
                    if not name:
                        continue
                    if tok.start[0] in code_lines:
                        markers.append(Marker(tok.start[0], kind, name))
                    else:
                        pending.append((kind, name, tok.start[0]))
            continue
        line = tok.start[0]
        if line not in code_lines:
            code_lines.add(line)
            for kind, name, _ in pending:
                markers.append(Marker(line, kind, name))
            pending.clear()
    return markers


def expected_lines(markers: list[Marker], rule: str) -> set[int]:
    """Lines where the rule fires today: `ruleid` plus known false positives (`todook`)."""
    return {m.line for m in markers if m.rule == rule and m.kind in ("ruleid", "todook")}
