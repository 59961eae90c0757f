"""One pass over a file by the lexical rules of Python 3.14 (for valid code a superset of the older
ones): where its strings and comments are, and which f- and t-strings older Pythons reject.

It never fails: an unterminated literal ends where Python would stop reading it and is noted.
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from dataclasses import dataclass, field

_PREFIXES = frozenset({"r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt", "ur"})  # "ur": Python 2
_WORD = re.compile(r"\w+")
_BLANKS = re.compile(r"[ \t]*")


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A place where the text uses a newer grammar `kind` (a key of `grammar.FEATURES`), and the edits
    that say the same in older grammar (enough for the parser; newlines are kept, so lines stay)."""

    kind: str
    line: int
    edits: tuple[tuple[int, int, str], ...]  # (start, end, replacement) in the text


def parses(text: str, mode: str = "exec") -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes: SyntaxWarning, not our question
            ast.parse(text, mode=mode)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def is_expression(text: str) -> bool:
    """Whether `text` is one expression (as in a replacement field or a type parameter's bound)."""
    return bool(text.strip()) and parses(f"({text}\n)", "eval")  # `()` parses: blank text is no expression


def placeholder(literal: str) -> str:
    """A plain string literal spanning as many lines as `literal`."""
    lines = literal.count("\n")
    return '""' if not lines else '"""' + "\n" * lines + '"""'


@dataclass
class _FString:
    quote: str
    raw: bool
    flags: list[tuple[str, int]] = field(default_factory=list)  # (feature kind, position), in text order
    expressions: list[str] = field(default_factory=list)  # each replacement field's, nested f-strings neutral
    broken: bool = False


class Scan:
    """`masked`: the text with the content of every string and comment blanked (same length, same lines;
    a string keeps a `"` at each end); `occurrences`: the f- and t-strings older Pythons reject, each
    only when every expression in it parses on its own; `py2_lines`: lines with a `ur''` literal;
    `unterminated`: some literal does not end."""

    def __init__(self, text: str):
        self.text, self.n = text, len(text)
        self.chars = list(text)
        self.occurrences: list[Occurrence] = []
        self.py2_lines: set[int] = set()
        self.unterminated = False
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        i = 0
        while i < self.n:
            c = text[i]
            if c == "#":
                end = text.find("\n", i)
                end = self.n if end < 0 else end
                self._blank(i, end)
                i = end
            elif c in "'\"":
                i = self._literal(i, i, "")
            elif c == "\\":
                i += 2
            elif c.isalnum() or c == "_":
                end = _match_end(_WORD, text, i)  # \w matches c
                prefix = text[i:end].lower()
                i = self._literal(i, end, prefix) if end < self.n and text[end] in "'\"" and prefix in _PREFIXES \
                    else end
            else:
                i += 1
        self.masked = "".join(self.chars)

    def line(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position)

    def _blank(self, start: int, end: int) -> None:
        for k in range(start, end):
            if self.chars[k] != "\n":
                self.chars[k] = " "

    def _literal(self, start: int, quote_at: int, prefix: str) -> int:
        """A top-level string literal from its prefix at `start`; the index after it."""
        quote = self._quote(quote_at)
        if "f" in prefix or "t" in prefix:
            found = _FString(quote, "r" in prefix)
            end = self._fstring(quote_at + len(quote), found)
            self.unterminated |= found.broken
            kind = "template-string" if "t" in prefix else (found.flags[0][0] if found.flags else "")
            if kind and not found.broken and all(map(is_expression, found.expressions)):
                where = found.flags[0][1] if kind != "template-string" else start
                self.occurrences.append(Occurrence(kind, self.line(where),
                                                   ((start, end, placeholder(self.text[start:end])),)))
        else:
            end, broken = self._plain(quote_at + len(quote), quote)
            self.unterminated |= broken
            if prefix == "ur":
                self.py2_lines.add(self.line(start))
        self._blank(start, end)
        self.chars[start] = '"'
        if end - 1 > start:
            self.chars[end - 1] = '"'
        return end

    def _quote(self, i: int) -> str:
        return self.text[i] * 3 if self.text.startswith(self.text[i] * 3, i) else self.text[i]

    def _plain(self, i: int, quote: str) -> tuple[int, bool]:
        """(index after the closing quote, whether the literal is unterminated) from the body at `i`."""
        text = self.text
        while i < self.n:
            if text.startswith(quote, i):
                return i + len(quote), False
            c = text[i]
            if c == "\\":
                i += 2
            elif c == "\n" and len(quote) == 1:
                return i, True
            else:
                i += 1
        return self.n, True

    def _fstring(self, i: int, found: _FString) -> int:
        """The body of an f- or t-string from `i` (after its opening quote); the index after it."""
        text, quote = self.text, found.quote
        while i < self.n:
            if text.startswith(quote, i):
                return i + len(quote)
            c = text[i]
            if c == "\\":
                if found.raw:
                    i += 2 if text[i + 1:i + 2] in ("\\", quote[0]) else 1
                elif text.startswith("N{", i + 1):  # a named character: its braces are no field
                    close = text.find("}", i)
                    i = self.n if close < 0 else close + 1
                else:
                    i += 1 if text[i + 1:i + 2] in ("{", "}") else 2
            elif c == "\n" and len(quote) == 1:
                break
            elif c == "{" and text[i + 1:i + 2] != "{":
                i = self._field(i + 1, found)
            elif c in "{}":
                found.broken |= c == "}" and text[i + 1:i + 2] != "}"
                i += 2 if text[i + 1:i + 2] == c else 1
            else:
                i += 1
        found.broken = True
        return min(i, self.n)

    def _field(self, i: int, found: _FString, level: int = 0) -> int:
        """A replacement field from `i` (after its `{`), `level` format specifications deep (3.11 allows
        one, 3.12 two); the index after its `}`. Python 3.12 reads the expression as code: a quote
        starts a nested string, `#` a comment, and a newline is allowed."""
        text, single = self.text, len(found.quote) == 1
        if level == 2:
            found.flags.append(("fstring-nesting", i - 1))
        found.broken |= level > 2
        pieces: list[str] = []
        copied, depth = i, 0
        while i < self.n:
            c = text[i]
            if c in "'\"" or c.isalnum() or c == "_":
                end = i if c in "'\"" else _match_end(_WORD, text, i)
                prefix = text[i:end].lower()
                if end < self.n and text[end] in "'\"" and (prefix in _PREFIXES or end == i):
                    pieces.append(text[copied:i])
                    i = copied = self._nested(i, end, prefix, found, pieces)
                else:
                    i = end
            elif c == "#":
                found.flags.append(("fstring-comment", i))
                pieces.append(text[copied:i])  # left out: `{x = # note` is the `{x=}` debug form
                newline = text.find("\n", i)
                i = copied = self.n if newline < 0 else newline
            elif c == "\\":
                found.flags.append(("fstring-backslash", i))
                i += 2
            elif c == "\n":
                if single:
                    found.flags.append(("fstring-newline", i))
                i += 1
            elif c in "([{":
                depth += 1
                i += 1
            elif c in ")]" or (c == "}" and depth):
                depth -= 1
                i += 1
            elif depth == 0 and (c == "}" or c == ":" or (c == "!" and text[i + 1:i + 2] != "=")):
                break
            else:
                i += 1
        if i >= self.n:
            found.broken = True
            return i
        pieces.append(text[copied:i])
        expression = "".join(pieces).rstrip()
        if expression.endswith("=") and not expression.endswith(("==", "!=", "<=", ">=")):
            expression = expression[:-1]  # the `{name=}` debug form
        found.expressions.append(expression)
        if text[i] == "!":
            word = _WORD.match(text, i + 1)
            i = word.end() if word else i + 1
            blanks = _match_end(_BLANKS, text, i)  # matches ""
            if blanks > i:
                found.flags.append(("fstring-conversion", i))
                i = blanks
        if i < self.n and text[i] == ":":
            return self._format_spec(i + 1, found, level)
        if i < self.n and text[i] == "}":
            return i + 1
        found.broken = True
        return i

    def _format_spec(self, i: int, found: _FString, level: int) -> int:
        text = self.text
        while i < self.n and not text.startswith(found.quote, i):
            c = text[i]
            if c == "{":
                i = self._field(i + 1, found, level + 1)
            elif c == "}":
                return i + 1
            elif c == "\n" and len(found.quote) == 1:
                break
            else:
                i += 2 if c == "\\" and not found.raw else 1
        found.broken = True
        return i

    def _nested(self, start: int, quote_at: int, prefix: str, outer: _FString, pieces: list[str]) -> int:
        """A string literal inside a replacement field of `outer`, and what it makes of `outer` on older
        Pythons: they ended `outer` at its own quote, and allowed no backslash in its fields."""
        quote = self._quote(quote_at)
        literal_end: int
        if "f" in prefix or "t" in prefix:
            inner = _FString(quote, "r" in prefix)
            literal_end = self._fstring(quote_at + len(quote), inner)
            outer.flags.extend(inner.flags)
            outer.broken |= inner.broken
            literal = self.text[start:literal_end]
            pieces.append(placeholder(literal) if inner.flags or "t" in prefix else literal)
        else:
            literal_end, broken = self._plain(quote_at + len(quote), quote)
            outer.broken |= broken
            literal = self.text[start:literal_end]
            pieces.append(literal)
        if outer.quote in literal:
            outer.flags.append(("fstring-quotes", start + literal.index(outer.quote)))
        if "\\" in literal:
            outer.flags.append(("fstring-backslash", start + literal.index("\\")))
        outer.flags.sort(key=lambda flag: flag[1])
        return literal_end


def _match_end(pattern: re.Pattern[str], text: str, i: int) -> int:
    """Where `pattern` stops matching at `i`: for patterns the caller knows match there."""
    found = pattern.match(text, i)
    assert found is not None, pattern.pattern
    return found.end()
