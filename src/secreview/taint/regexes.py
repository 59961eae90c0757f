"""What a regular-expression check leaves of a value: the sink kinds a match clears.

A test `re.fullmatch(r"[a-z0-9_.]+", name)` proves that `name` holds only the characters the
pattern admits. Which sink kinds that clears depends on those characters: a quote left in
is enough to leave an XPath or SQL literal, a `.` or `/` lets a path climb out, a space or
`;` splits a shell line. The pattern is read with Python's own regex parser (never run) and
the punctuation, whitespace and control characters it can match are compared with the
characters each sink kind needs neutralised. A pattern the parser rejects, or a node it
cannot read, admits everything.

Only a check of the whole value counts: `fullmatch`, or `match` with a pattern that ends in
`$`/`\\Z`, or `search` with a pattern anchored at both ends.
"""

from __future__ import annotations

import importlib
import string
import sys
from functools import lru_cache
from types import ModuleType
from typing import Any

# The standard library's private regex parser (untyped: its attributes are Any). Python 3.11+ keeps it
# in re._parser; sre_parse there is a shim that warns on import.
_sre_parse: ModuleType = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
Sre = Any  # what that parser gives: (op, argument) items, ops and their arguments

_WHITESPACE = frozenset(" \t\n\r\x0b\x0c")
# the characters that matter to some sink kind: letters and digits never do
_SPECIAL = frozenset(string.punctuation) | _WHITESPACE | {"\x00"}
_EVERYTHING = _SPECIAL

# what each sink kind needs kept out; a kind absent here is never cleared by a pattern
_FORBIDDEN: dict[str, frozenset[str]] = {
    "sql": frozenset("'\"`;\\()\x00") | _WHITESPACE,
    "xpath": frozenset("'\"[]()|=<>/*") | _WHITESPACE,
    "command": frozenset(";|&$`<>()'\"\\*?~{}[]!#\x00") | _WHITESPACE,
    "code": frozenset("()[]'\".\\;:") | _WHITESPACE,
    "path": frozenset("./\\\x00"),
    "url": frozenset("/\\:@?#%.") | _WHITESPACE,
    "redirect": frozenset("/\\:@%") | _WHITESPACE,
    "html": frozenset("<>\"'`"),
    "xml": frozenset("<>&\"'"),
    "template": frozenset("{}%$#<>\\"),
    "ldap": frozenset("*()\\\x00=,+<>#;\""),
    "header": frozenset("\r\n\x00"),
    "log": frozenset("\r\n\x0b\x0c"),
    "format_string": frozenset("{}%"),
    # a generated config line: a line break adds a directive, `,`/`#`/`;`/whitespace add or hide fields
    "config_line": frozenset(",#;\x00") | _WHITESPACE,
    "regex": frozenset(".^$*+?{}[]\\|()"),
    # no syntax to break out of: any check that is not "anything goes" is validation
    "deserialize": frozenset("<>'\"\\;\x00\n"),
    "trust_boundary": frozenset("<>'\"\\;\x00\n"),
}


@lru_cache(maxsize=1024)  # guards are re-evaluated on every pass of a loop's fixpoint
def pattern_clears(pattern: str, how: str = "fullmatch") -> frozenset[str]:
    """The sink kinds a successful `how` (`fullmatch`, `match`, `search`) of `pattern` clears
    its subject for; empty when the pattern does not pin the whole value."""
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:  # any error of the parser: an unreadable pattern proves nothing
        return frozenset()
    items = list(parsed)
    admitted = _admitted(items)
    if admitted is None:
        return frozenset()
    if how != "fullmatch":
        end = _anchor(items[-1]) if items else None
        if end not in ("AT_END", "AT_END_STRING"):
            return frozenset()
        if how == "search" and (_anchor(items[0]) not in ("AT_BEGINNING", "AT_BEGINNING_STRING")):
            return frozenset()
        # (`$` also matches before a final newline: "abc\n" passes `[a-z]+$`, but a newline that
        # ends the value carries nothing after it, so it forges no line, header or command)
    return frozenset(kind for kind, forbidden in _FORBIDDEN.items() if not admitted & forbidden)


def _anchor(item: tuple[Sre, Sre]) -> str | None:
    op, arg = item
    return str(arg) if str(op) == "AT" else None


def _admitted(items: list[Sre]) -> frozenset[str] | None:  # one dispatch over opcodes
    """The special characters a sequence of parsed items can match (None: unknown)."""
    out: set[str] = set()
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out |= {chr(arg)} & _SPECIAL
        elif name == "NOT_LITERAL":
            out |= _EVERYTHING - {chr(arg)}
        elif name == "ANY":
            out |= _EVERYTHING - {"\n"}
        elif name == "IN":
            found = _in_class(arg)
            if found is None:
                return None
            out |= found
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            inner = _admitted(list(arg[2]))
            if inner is None:
                return None
            out |= inner
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            inner = _admitted(list(arg[-1] if name == "SUBPATTERN" else arg))
            if inner is None:
                return None
            out |= inner
        elif name == "BRANCH":
            for branch in arg[1]:
                inner = _admitted(list(branch))
                if inner is None:
                    return None
                out |= inner
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # anchors and lookarounds consume nothing (a lookaround only narrows the match)
        else:  # back-references, conditionals: not worth modelling
            return None
    return frozenset(out)


_CATEGORIES = {
    "CATEGORY_DIGIT": frozenset(),
    "CATEGORY_NOT_DIGIT": _EVERYTHING,
    "CATEGORY_SPACE": _WHITESPACE,
    "CATEGORY_NOT_SPACE": _EVERYTHING - _WHITESPACE,
    "CATEGORY_WORD": frozenset("_"),
    "CATEGORY_NOT_WORD": _EVERYTHING - {"_"},
}


def _in_class(items: list[Sre]) -> frozenset[str] | None:
    negate = False
    listed: set[str] = set()
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            listed.add(chr(arg))
        elif name == "RANGE":
            low, high = arg
            listed |= {c for c in _SPECIAL if low <= ord(c) <= high}
        elif name == "CATEGORY":
            found = _CATEGORIES.get(str(arg))
            if found is None:
                return None
            listed |= found
        else:
            return None
    return frozenset(_EVERYTHING - listed) if negate else frozenset(listed & _SPECIAL)
