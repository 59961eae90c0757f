"""Answer text -> blocks: headings, list items (numbered, bulleted, "Issue 2:"), paragraphs, fenced code.

Sub-items and indented or wrapped lines continue their item; a paragraph between two items of the same
numbered list belongs to the item before it (loose Markdown lists); a paragraph ending with ":" is a
lead-in and starts a new list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?P<t>[^*_\n][^\n]{0,200}?)\1\s*:?\s*$")
_ITEM = re.compile(r"^(?P<ind>[ \t]*)(?:(?P<num>[0-9]{1,4})[.)]|\((?P<pnum>[0-9]{1,4})\)|(?P<bul>[-*+•▪◦‣●]))"
                   r"[ \t]+(?P<rest>\S.*)$")
_LABELLED = re.compile(r"^(?P<ind>[ \t]*)(?:\*\*|__)?(?:defect|issue|vulnerability|finding|weakness|problem|bug)"
                       r"\s*#?\s*(?P<num>[0-9]{1,4})\s*(?:\*\*|__)?\s*[:.)\-–—]\s*(?P<rest>.*)$", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_CHARS = 200_000  # answers are read up to here; LLM answers are a few thousand characters


@dataclass
class Block:
    kind: str  # heading | item | para | code
    start: int  # 1-based answer line
    end: int
    lines: list[str] = field(default_factory=list)
    level: int = 0  # heading level (bold-only line: 7); item indent
    number: int | None = None
    bullet: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def normalize(text: str) -> str:
    text = text[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    return text.replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n")


def blocks(text: str) -> list[Block]:
    out: list[Block] = []
    cur: Block | None = None
    blank = False
    fence: Block | None = None
    for no, line in enumerate(text.split("\n"), 1):
        if fence is not None:
            fence.lines.append(line)
            fence.end = no
            if _FENCE.match(line):
                fence = None
            continue
        if _FENCE.match(line):
            if cur is not None and cur.kind in ("item", "para") and (not blank or line[:1] in " \t"):
                cur.lines.append(line)
                cur.end = no
                fence = cur
            else:
                fence = cur = Block("code", no, no, [line])
                out.append(cur)
            blank = False
            continue
        if not line.strip():
            blank = True
            continue
        heading = _HEADING.match(line) or _BOLD_LINE.match(line)
        item = _ITEM.match(line) or _LABELLED.match(line)
        if heading and not (item and item.group("ind")):
            level = len(heading.group(1)) if heading.re is _HEADING else 7
            title = heading.group(2) if heading.re is _HEADING else heading.group("t")
            cur = Block("heading", no, no, [title.strip()], level=level)
            out.append(cur)
        elif item and not (cur is not None and cur.kind == "item" and len(item.group("ind")) > cur.level):
            groups = item.groupdict()
            number = groups.get("num") or groups.get("pnum")
            cur = Block("item", no, no, [groups["rest"]], level=len(groups["ind"].expandtabs(4)),
                        number=int(number) if number else None, bullet=groups.get("bul") or "")
            out.append(cur)
        elif cur is not None and cur.kind in ("item", "para") and (not blank or line[:1] in " \t"):
            cur.lines.append(line)
            cur.end = no
        else:
            cur = Block("para", no, no, [line])
            out.append(cur)
        blank = False
    return _absorb(out)


def _absorb(out: list[Block]) -> list[Block]:
    """Fold paragraphs and code that sit between item N and item N+1 into item N."""
    result: list[Block] = []
    i = 0
    while i < len(out):
        block = out[i]
        result.append(block)
        i += 1
        if block.kind != "item":
            continue
        j = i
        while j < len(out) and out[j].kind in ("para", "code") and not out[j].text.endswith(":"):
            j += 1
        follows = j < len(out) and out[j].kind == "item" and _continues(block, out[j])
        if j > i and (follows or all(b.kind == "code" for b in out[i:j])):
            for extra in out[i:j]:
                block.lines.append("")
                block.lines.extend(extra.lines)
                block.end = extra.end
            i = j
    return result


def _continues(item: Block, nxt: Block) -> bool:
    if item.number is not None and nxt.number is not None:
        return nxt.number == item.number + 1
    return item.bullet == nxt.bullet and bool(item.bullet)
