"""Newer statements and clauses, and Python 2 constructs, found on the masked text of `lexer.Scan`
(so never inside a string or a comment)."""

from __future__ import annotations

import keyword
import re

from secreview.grammar.lexer import Occurrence, Scan, is_expression

_TYPE_ALIAS = re.compile(r"^[ \t]*(type[ \t]+)[^\W\d]\w*[ \t]*(?=\[|=(?!=))", re.MULTILINE)
_GENERIC_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+[^\W\d]\w*[ \t]*(?=\[)", re.MULTILINE)
_GENERIC_CLASS = re.compile(r"^[ \t]*class[ \t]+[^\W\d]\w*[ \t]*(?=\[)", re.MULTILINE)
_HEADERS = ((_TYPE_ALIAS, "type-alias", re.compile(r"\s*=(?!=)")), (_GENERIC_DEF, "generic-def", re.compile(r"\s*\(")),
            (_GENERIC_CLASS, "generic-class", re.compile(r"\s*[(:]")))
_TYPE_PARAM = re.compile(r"\s*(\*{0,2})\s*[^\W\d]\w*\s*")
EXCEPT = re.compile(r"^[ \t]*except\b[ \t]*(\*?)[ \t]*", re.MULTILINE)
_STAR_ANNOTATION = re.compile(r"[(,][ \t\n]*\*[ \t]*[^\W\d]\w*[ \t]*:[ \t]*(\*)(?=[ \t]*[^\W\d])")
_STAR_AFTER = re.compile(r"[\[,][ \t\n]*\*(?!\*)")
_ASSIGN = re.compile(r"(?<![=!<>])=(?!=)")
# `except E, name:` and `except E, (a, b):` are how Python 2 names the exception: lower-case names
PY2_TARGET = re.compile(r"[ \t]*(?:[a-z_][a-z0-9_]*|"
                        r"\([ \t]*[a-z_]\w*(?:[ \t]*,[ \t]*[a-z_]\w*)*[ \t]*,?[ \t]*\))[ \t]*")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def statement_features(scan: Scan, wanted: frozenset[str]) -> list[Occurrence]:
    """The occurrences of the `wanted` kinds (the grammar newer than the running Python's)."""
    masked, found = scan.masked, []
    for pattern, kind, after in _HEADERS if {"type-alias", "typeparam-default"} & wanted else ():
        for match in pattern.finditer(masked):
            occurrence = _header(scan, match, kind, after)
            if occurrence is not None:
                found.append(occurrence)
    for match in EXCEPT.finditer(masked):
        if match.group(1):
            found.append(Occurrence("except-star", scan.line(match.start()), ((match.start(1), match.end(1), " "),)))
        colon = top_level_colon(masked, match.end())
        parts = split(masked[match.end():colon]) if colon > 0 else []
        if len(parts) < 2 or any(not p.strip() or re.search(r"\bas\b", _flat(p)) for p in parts) or \
                (len(parts) == 2 and PY2_TARGET.fullmatch(parts[1])):
            continue
        types = scan.text[match.end():colon].rstrip()
        found.append(Occurrence("except-comma", scan.line(match.start()),
                                ((match.end(), match.end() + len(types), f"({types})"),)))
    if "star-subscript" not in wanted:
        return found
    for match in _STAR_ANNOTATION.finditer(masked):
        found.append(Occurrence("star-annotation", scan.line(match.start(1)), ((match.start(1), match.end(1), " "),)))
    if _STAR_AFTER.search(masked):  # before the walk over every character
        for star in _starred_subscripts(masked):
            found.append(Occurrence("star-subscript", scan.line(star), ((star, star + 1, " "),)))
    return found


def _header(scan: Scan, match: re.Match[str], kind: str, after: re.Pattern[str]) -> Occurrence | None:
    """`type X[...] = `, `def f[...](` or `class C[...]`: without its type parameters (and `type`), once
    every parameter is well formed; a default in them makes it Python 3.13 grammar."""
    masked = scan.masked
    edits = [(match.start(1), match.end(1), "")] if kind == "type-alias" else []  # `type X = v`: `X = v`
    tail = match.end()
    if masked.startswith("[", tail):
        close = _closing(masked, tail)
        if close < 0:
            return None
        defaults = _type_params(scan.text[tail + 1:close], masked[tail + 1:close])
        if defaults is None:
            return None
        if defaults:
            kind = "typeparam-default"
        edits.append((tail, close + 1, re.sub(r"[^\n]", " ", masked[tail:close + 1])))
        tail = close + 1
    if not edits or not after.match(masked, tail):
        return None
    return Occurrence(kind, scan.line(match.start()), tuple(edits))


def _type_params(text: str, masked: str) -> bool | None:
    """Whether the type parameter list `text` (`masked`: the same, masked) gives a default; None when
    it is not a well-formed list (`T`, `T: bound`, `*Ts`, `**P`, each maybe `= default`)."""
    spans = split_spans(masked)
    if not spans:
        return None
    defaults = False
    for number, (start, end) in enumerate(spans):
        if not masked[start:end].strip():
            if number == len(spans) - 1 and number:
                break  # a trailing comma
            return None
        param = _TYPE_PARAM.match(text, start, end)
        if param is None:
            return None
        rest, flat = text[param.end():end], _flat(masked[param.end():end])
        assign = _ASSIGN.search(flat)
        bound, default = (rest[:assign.start()], rest[assign.end():]) if assign else (rest, None)
        if bound.strip():
            if param.group(1) or not bound.lstrip().startswith(":") or not is_expression(bound.lstrip()[1:]):
                return None
        if default is not None:
            defaults = True
            if not is_expression(default.lstrip().lstrip("*")):
                return None
    return defaults


def _closing(masked: str, start: int) -> int:
    """The index of the bracket closing the one at `start`, or -1."""
    stack = []
    for i in range(start, len(masked)):
        c = masked[i]
        if c in _CLOSERS:
            stack.append(_CLOSERS[c])
        elif c in ")]}":
            if not stack or stack.pop() != c:
                return -1
            if not stack:
                return i
    return -1


def top_level_colon(masked: str, start: int) -> int:
    """The `:` ending a clause header begun at `start` (brackets may span lines), or -1."""
    depth = 0
    for i in range(start, len(masked)):
        c = masked[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and c == ":":
            return i
        elif depth == 0 and c == "\n" and masked[i - 1:i] != "\\":
            return -1
    return -1


def split_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each part of `text` between its top-level commas; [] for blank text."""
    if not text.strip():
        return []
    spans, depth, begin = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            spans.append((begin, i))
            begin = i + 1
    spans.append((begin, len(text)))
    return spans


def split(text: str) -> list[str]:
    return [text[start:end] for start, end in split_spans(text)]


def _flat(text: str) -> str:
    """`text` with what its brackets hold blanked."""
    out, depth = [], 0
    for c in text:
        if c in ")]}":
            depth -= 1
        out.append(c if depth <= 0 else " ")
        if c in "([{":
            depth += 1
    return "".join(out)


def _starred_subscripts(masked: str) -> list[int]:
    """Positions of the `*` starting an item of a subscript (`x[*a]`, `x[a, *b]`); a list display
    (`[*a]`, `in [*a]`) is older grammar."""
    stars: list[int] = []
    stack: list[bool] = []  # for each open bracket: whether it is a subscript's `[`
    last = word = ""  # the last character that is not blank, and the word it ends
    for i, c in enumerate(masked):
        if c in "([{":
            stack.append(c == "[" and bool(last) and (last in ")]\"" or last.isalnum() or last == "_")
                         and not keyword.iskeyword(word))
        elif c in ")]}":
            if stack:
                stack.pop()
        elif c == "*" and last in "[," and stack and stack[-1] and masked[i + 1:i + 2] != "*":
            stars.append(i)
        if c.isalnum() or c == "_":
            word = word + c if last.isalnum() or last == "_" else c
        if not c.isspace():
            last = c
    return stars


_PY2 = (
    ("a print statement", re.compile(r"^[ \t]*print(?:[ \t]*(?:\"|>>)|[ \t]+\w)")),
    ("an exec statement", re.compile(r"^[ \t]*exec(?:[ \t]*\"|[ \t]+\w)")),
    ("backquotes", re.compile(r"`[^`]+`")),
    ("an octal literal without `0o`", re.compile(r"(?<![\w.])0[0-7]*[1-7][0-7]*[lL]?(?![\w.])")),
    ("a long integer literal", re.compile(r"(?<![\w.])(?:0[xX][0-9a-fA-F]+|\d+)[lL](?!\w)")),
    ("the `<>` operator", re.compile(r"<>")),
)


def python2_construct(scan: Scan, error: SyntaxError) -> str:
    """The Python 2 construct on the line `error` points at, or "" (always when a literal does not
    end: Python 2's literals end where Python 3's do, so that file is broken some other way)."""
    line = error.lineno
    if not line or line > len(scan.starts) or scan.unterminated:
        return ""
    if (error.msg or "").startswith("Missing parentheses in call to 'print'"):
        return "a print statement"
    if line in scan.py2_lines:
        return "a `ur` string prefix"
    end = scan.masked.find("\n", scan.starts[line - 1])
    code = scan.masked[scan.starts[line - 1]:end if end >= 0 else None]
    match = EXCEPT.match(code)
    if match and not match.group(1):
        colon = top_level_colon(code + "\n", match.end())
        parts = split(code[match.end():colon]) if colon > 0 else []
        if len(parts) == 2 and PY2_TARGET.fullmatch(parts[1]):
            return "`except X, name:`"
    match = re.search(r"\braise\b", code)
    if match and len(split(code[match.end():])) > 1:
        return "`raise E, value`"
    return next((what for what, pattern in _PY2 if pattern.search(code)), "")
