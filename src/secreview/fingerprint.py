"""Line-number-free fingerprints of findings, for baselines and `diff --new-only`.

A fingerprint must survive what does not change the code: the finding moving to another line,
re-indentation, a comment added after it, spaces inside the line (`"ls "+x` vs `"ls " + x`). So it
hashes the rule, the file, the enclosing scope and the snippet's code with comments and layout taken
out — not the snippet's text. It must also be the same on every Python that runs secreview (a team
shares one baseline): the `tokenize` module is not (3.12 splits f-strings, stops at an unmatched
bracket or a stray backslash where 3.11 goes on), so the snippet is read by the small lexer below,
which only needs to know where strings and comments are.
"""

from __future__ import annotations

import hashlib
import re

# A string literal: an optional prefix (a whole word, so `bar"` is a name and a string), then a quote.
_PREFIX = re.compile(r"(?i)[rbuft]{1,2}")
_QUOTE = re.compile("'''|\"\"\"|'|\"")
_WORD = re.compile(r"\w+")


def fingerprint(code: str, path: str, scope: str, snippet: str) -> str:
    """Stable across line moves, re-indentation, comments and spacing: rule, file, scope, code."""
    digest = hashlib.sha256(f"{code}\x1f{path}\x1f{scope}\x1f{normalized_code(snippet)}".encode()).hexdigest()
    return digest[:32]


def normalized_code(snippet: str) -> str:
    """The code without comments, line continuations and layout: string literals are kept as written;
    outside them, whitespace is dropped except one space between two word characters (`not x`,
    `return x`). A snippet is whole lines and may cut a string: an unterminated one runs to the end of
    its line (or of the snippet, for a triple quote)."""
    out: list[str] = []
    i, n = 0, len(snippet)
    pending_space = False
    while i < n:
        ch = snippet[i]
        if ch == "#":
            end = snippet.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch == "\\" and snippet.startswith("\n", i + 1):
            i += 2  # a line continuation is layout
            continue
        if ch.isspace():
            pending_space = True
            i += 1
            continue
        word = _WORD.match(snippet, i)
        quote_at = word.end() if word is not None and _PREFIX.fullmatch(word.group()) else i
        quote = _QUOTE.match(snippet, quote_at)
        if quote is not None:
            end = _string_end(snippet, quote.end(), quote.group())
            token = snippet[i:end]
        elif word is not None:
            end, token = word.end(), word.group()
        else:
            end, token = i + 1, ch
        if pending_space and out and _wordy(out[-1][-1]) and _wordy(token[0]):
            out.append(" ")
        out.append(token)
        pending_space = False
        i = end
    return "".join(out)


def _string_end(text: str, start: int, quote: str) -> int:
    """Where the string whose body starts at `start` ends (just after its closing quote). A backslash always
    keeps the next character in the string (in raw strings too, for the purpose of where it ends)."""
    i, n = start, len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(quote, i):
            return i + len(quote)
        if text[i] == "\n" and len(quote) == 1:
            return i  # unterminated on its line
        i += 1
    return n


def _wordy(ch: str) -> bool:
    return ch.isalnum() or ch == "_"
