"""Line-number-free fingerprints of findings, for baselines and `diff --new-only`.

A fingerprint must survive what does not change the code: the finding moving to another line,
re-indentation, a comment added after it, spaces inside the line (`"ls "+x` vs `"ls " + x`). So it
hashes the rule, the file, the enclosing scope and the snippet's *tokens* — comments, line breaks
and indentation dropped — not the snippet's text. It must also read the same on every Python that
runs secreview (a team shares one baseline): Python 3.12 splits f-strings into several tokens, so
an f-string counts as its source text, as earlier tokenizers give it.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
import tokenize

_PREFIX = re.compile(r"[rRbBfFuUtT]{1,2}")
_LAYOUT = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                     tokenize.ENDMARKER})


def fingerprint(code: str, path: str, scope: str, snippet: str) -> str:
    """Stable across line moves, re-indentation, comments and spacing: rule, file, scope, code tokens."""
    digest = hashlib.sha256(f"{code}\x1f{path}\x1f{scope}\x1f{normalized_code(snippet)}".encode()).hexdigest()
    return digest[:32]


def normalized_code(snippet: str) -> str:
    """The snippet's tokens joined by single spaces, without comments or layout. A snippet is whole
    lines of a file and may cut a statement (an unclosed bracket, a string that goes on): what the
    tokenizer read up to there is kept, and the rest, with its spaces collapsed."""
    text = textwrap.dedent(snippet)
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    nested = 0  # depth of f-/t-strings (3.12+ tokens), kept whole as their source text
    start = (1, 0)
    end = (1, 0)  # where the last token read ended
    previous: tokenize.TokenInfo | None = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = tokenize.tok_name.get(tok.type, "")
            if tok.type == tokenize.ERRORTOKEN and tok.string.startswith(("'", '"')):
                # An unterminated string before 3.12 (3.12 raises instead): from here on, raw text, its
                # prefix (`f`, `rb`, read as a name just before it) included, as 3.12 gives it.
                prefixed = previous is not None and previous.end == tok.start and _PREFIX.fullmatch(previous.string)
                if prefixed and out and previous is not None:
                    out.pop()
                    end = previous.start
                raise tokenize.TokenError("unterminated string", tok.start)
            if kind.endswith("STRING_START"):
                if nested == 0:
                    start = tok.start
                nested += 1
            elif kind.endswith("STRING_END"):
                nested -= 1
                if nested == 0:
                    out.append(_segment(lines, start, tok.end))
            elif nested == 0 and tok.type not in _LAYOUT and tok.string.strip():
                out.append(tok.string)
            end = tok.end
            previous = tok
    except (tokenize.TokenError, SyntaxError):  # IndentationError is a SyntaxError
        rest = _segment(lines, start if nested else end, (len(lines) + 1, 0))
        out.append(re.sub(r"\s+", " ", rest).strip())
    return " ".join(part for part in out if part)


def _segment(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    """The source text between two (row, column) positions of the tokenizer (rows from 1)."""
    (row0, col0), (row1, col1) = start, end
    if row0 > len(lines):
        return ""
    if row0 == row1:
        return lines[row0 - 1][col0:col1]
    middle = lines[row0:row1 - 1]
    last = lines[row1 - 1][:col1] if row1 <= len(lines) else ""
    return "".join([lines[row0 - 1][col0:], *middle, last])
