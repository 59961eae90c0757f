"""Lines for people: styled spans, wrapping and cropping to a width, and painting them plain or in colour.

A line is a list of spans `(text, style)`; the style is a rich style name ("" for none). The layout
(what goes on which line) never depends on colour: plain output joins the texts, colour output hands
the same spans to rich. rich is imported only when colour is on, so plain runs do not pay for it.

Also here: how the CLI chooses colour and width (`wants_color`, `width_for`), so the renderers stay
pure functions of the report and their options.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TextIO

Span = tuple[str, str]
Line = list[Span]

PIPE_WIDTH = 100  # width when the output is not a terminal (a pipe or a file) and COLUMNS is not set
MIN_WIDTH = 40  # below this the layout would be unreadable; narrower terminals wrap what we print
ELLIPSIS = "…"

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}

# Control characters would let the reviewed code drive the reader's terminal (escape sequences) and
# bidirectional controls can make code read differently than it runs: both are shown escaped.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with tabs expanded and unsafe control characters shown as escapes (`\\x1b`, `\\u202e`)."""
    text = text.expandtabs(8) if "\t" in text else text
    return _UNSAFE.sub(lambda m: repr(m.group())[1:-1] if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                       text)


@lru_cache(maxsize=8192)  # words repeat from finding to finding
def cells(text: str) -> int:
    """Terminal columns `text` takes: wide East Asian characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def line_cells(line: Line) -> int:
    return sum(cells(text) for text, _ in line)


def plain(line: Line) -> str:
    return "".join(text for text, _ in line)


def crop(line: Line, width: int) -> Line:
    """The line cut to `width` columns, its last column an ellipsis when anything was cut."""
    if line_cells(line) <= width:
        return line
    out: Line = []
    room = width - 1
    for text, style in line:
        if cells(text) <= room:
            out.append((text, style))
            room -= cells(text)
            continue
        kept = _take(text, room)
        if kept:
            out.append((kept, style))
        room -= cells(kept)
        break
    out.append((" " * room + ELLIPSIS, "dim"))  # a wide character that did not fit leaves one column
    return out


def wrap(text: str, width: int, indent: str = "", hanging: str | None = None, style: str = "") -> list[Line]:
    """Prose wrapped at spaces to `width` columns: the first line after `indent`, the rest after `hanging`
    (default: `indent`). A word longer than a line is split; nothing is wider than `width`."""
    return flow([(text, style)], width, indent, indent if hanging is None else hanging)


def flow(line: Line, width: int, indent: str = "", hanging: str = "  ") -> list[Line]:
    """Styled prose wrapped at spaces like `wrap`; runs of white space (newlines too) become one space.
    A no-break space (NBSP) keeps its neighbours on one line and is printed as a plain space."""
    out: list[Line] = [[(indent, "")]]
    used, fresh = len(indent), True
    space = ""  # a space that ended the previous span: it goes before the next word, never at a line end
    for text, style in line:
        for token in _WORDS.findall(_SPACES.sub(" ", printable(text))):
            if token == " ":
                space = " "
                continue
            token, space = (token if token.startswith(" ") else space + token), ""
            if not fresh and used + cells(token) > width:
                out.append([(hanging, "")])
                used, fresh = len(hanging), True
            word = token.lstrip() if fresh else token
            while cells(word) > width - used:  # only a word longer than a whole line gets here
                head = _take(word, width - used) or word[0]
                out[-1].append((head.replace(NBSP, " "), style))
                word = word[len(head):]
                out.append([(hanging, "")])
                used, fresh = len(hanging), True
            if word:
                out[-1].append((word.replace(NBSP, " "), style))
                used, fresh = used + cells(word), False
    return out


NBSP = "\u00a0"
_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # not \s, which matches NBSP too
_WORDS = re.compile(r" ?[^ ]+| $")


def fit(parts: Iterable[Line], width: int, indent: str = "", hanging: str = "    ", gap: str = "  ") -> list[Line]:
    """Parts (each kept whole when it fits) placed left to right, `gap` apart, starting a new line after
    `hanging` when the next part does not fit; a part wider than a whole line is split by characters."""
    lines: list[Line] = [[(indent, "")]]
    used, empty = len(indent), True

    def new_line() -> None:
        nonlocal used, empty
        lines.append([(hanging, "")])
        used, empty = len(hanging), True

    for part in parts:
        if not empty and used + len(gap) + line_cells(part) > width:
            new_line()
        if not empty:
            lines[-1].append((gap, ""))
            used += len(gap)
        for text, style in part:
            text = printable(text)
            while text:
                head = _take(text, width - used) or (text[0] if empty else "")
                if not head:
                    new_line()
                    continue
                lines[-1].append((head, style))
                used, empty = used + cells(head), False
                text = text[len(head):]
                if text:
                    new_line()
    return lines


def _take(text: str, room: int) -> str:
    """The longest start of `text` that fits in `room` columns."""
    if text.isascii():
        return text[:max(room, 0)]
    kept, used = 0, 0
    for char in text:
        used += cells(char)
        if used > room:
            break
        kept += 1
    return text[:kept]


def paint(lines: Iterable[Line], color: bool) -> str:
    """The lines as text: plain, or with each span's style as ANSI codes (by rich, in the 16 standard
    colours every terminal has) when `color` is on. Ends with a newline."""
    if not color:
        return "".join(_safe(plain(line)) + "\n" for line in lines)
    from rich.color import ColorSystem
    from rich.style import Style

    styles: dict[str, Style] = {}
    out = []
    for line in lines:
        for text, style in _merged(line):
            text = _safe(text)
            if style and text.strip():
                known = styles.get(style) or styles.setdefault(style, Style.parse(style))
                text = known.render(text, color_system=ColorSystem.STANDARD)
            out.append(text)
        out.append("\n")
    return "".join(out)


def _safe(text: str) -> str:
    """The last guard: a control character that reached painting unescaped is escaped here."""
    return printable(text) if _UNSAFE.search(text) else text


def _merged(line: Line) -> Line:
    """Neighbouring spans of one style as one span (fewer escape codes)."""
    out: Line = []
    for text, style in line:
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + text, style)
        elif text:
            out.append((text, style))
    return out


def code_lines(code: str, color: bool) -> list[Line]:
    """Source lines as spans: highlighted as Python (by pygments, rich's own dependency) with colour on,
    one plain span per line without."""
    rows = [printable(row) for row in code.splitlines()]
    if not color:
        return [[(row, "")] for row in rows]
    from pygments.lexers.python import PythonLexer
    from pygments.token import Comment, Keyword, Name, Number, String

    styles = ((Comment, "dim"), (String, "green"), (Number, "cyan"), (Keyword, "magenta"),
              (Name.Builtin, "cyan"), (Name.Function, "blue"), (Name.Class, "blue"), (Name.Decorator, "blue"))
    lines: list[Line] = [[]]
    for token, value in PythonLexer(stripnl=False, ensurenl=False).get_tokens("\n".join(rows)):
        style = next((s for kind, s in styles if token in kind), "")
        for i, piece in enumerate(value.split("\n")):
            if i:
                lines.append([])
            if piece:
                lines[-1].append((piece, style))
    return lines[: len(rows)] if rows else []


def wants_color(choice: str, stream: TextIO, to_file: bool, env: Mapping[str, str] = os.environ) -> bool:
    """`--color always|never|auto`. auto: never into a file (-o); NO_COLOR (set, not empty) says no,
    then FORCE_COLOR (set, not empty or 0) says yes; else only a terminal (not TERM=dumb) gets colour."""
    if choice in ("always", "never"):
        return choice == "always"
    if to_file or env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return _isatty(stream) and env.get("TERM") != "dumb"


def width_for(stream: TextIO, to_file: bool, env: Mapping[str, str] = os.environ) -> int:
    """COLUMNS when set; else the terminal's width on a terminal; else (a pipe or a file) PIPE_WIDTH."""
    columns = env.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    if not to_file and _isatty(stream):
        return max(shutil.get_terminal_size((PIPE_WIDTH, 24)).columns, MIN_WIDTH)
    return PIPE_WIDTH


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False
