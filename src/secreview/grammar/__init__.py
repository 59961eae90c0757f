"""Why a file does not parse: newer Python than the one running secreview, Python 2, or neither.

secreview parses the code under review with the grammar of the interpreter it runs on. When that
fails, `explain` reads the text (never another interpreter: one may not be installed, and starting
it is slow) for the grammar later Pythons added, and claims a feature only when the text shows it
and it explains the failure: every occurrence found is rewritten into something this interpreter
accepts (an f-string into a plain string once each of its expressions parses on its own, `except*`
into `except`, `def f[T](` into `def f(` once each type parameter is well formed, ...) and the
rewritten file must parse. The feature named is the newest of those the file cannot do without, at
its first line the file cannot do without. Otherwise the plain syntax error stands, with a Python 2
hint only when the failing line shows a Python 2 construct (`except A, B:` is Python 3.14,
`except ValueError, e:` Python 2).

`match` statements and parenthesised context managers (3.10) are grammar of every Python secreview
runs on, so they never need explaining.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from secreview.grammar.clauses import python2_construct, statement_features
from secreview.grammar.lexer import Occurrence, Scan, parses


@dataclass(frozen=True, slots=True)
class Feature:
    version: tuple[int, int]
    what: str
    pep: int


FEATURES = {
    "except-star": Feature((3, 11), "an `except*` clause for exception groups", 654),
    "star-subscript": Feature((3, 11), "a starred expression in a subscript such as `tuple[*Ts]`", 646),
    "star-annotation": Feature((3, 11), "a starred annotation such as `*args: *Ts`", 646),
    "fstring-quotes": Feature((3, 12), "an f-string reusing its quotes inside a replacement field", 701),
    "fstring-backslash": Feature((3, 12), "a backslash inside an f-string's replacement field", 701),
    "fstring-comment": Feature((3, 12), "a comment inside an f-string's replacement field", 701),
    "fstring-newline": Feature((3, 12), "a line break inside a replacement field of a single-quoted f-string", 701),
    "fstring-nesting": Feature((3, 12), "an f-string format specification nested two levels deep", 701),
    "fstring-conversion": Feature((3, 12), "blanks after an f-string conversion such as `{x!r }`", 701),
    "type-alias": Feature((3, 12), "a `type` alias statement", 695),
    "generic-def": Feature((3, 12), "a function with type parameters such as `def name[T](...)`", 695),
    "generic-class": Feature((3, 12), "a class with type parameters such as `class Name[T]`", 695),
    "typeparam-default": Feature((3, 13), "a type parameter with a default such as `[T = int]`", 696),
    "except-comma": Feature((3, 14), "an `except` clause naming several exceptions without parentheses", 758),
    "template-string": Feature((3, 14), "a template string literal such as `t\"...\"`", 750),
}
PY2_HINT = " (this looks like Python 2 code"  # change/review.py cuts a message here
_MAX_PROBES = 8  # parses spent looking for the first occurrence the file cannot do without


def explain(text: str, error: SyntaxError, running: tuple[int, int] | None = None) -> tuple[int | None, str]:
    """(line, message without the path) for `error`, which parsing `text` raised; `running`: the
    version whose grammar parsed it (default: this interpreter's, the only one whose parser this
    module can consult, so another value only narrows which features may be claimed)."""
    running = running or (sys.version_info[0], sys.version_info[1])
    scan = Scan(text)
    occurrence = _newer(text, scan, running)
    if occurrence is not None:
        feature = FEATURES[occurrence.kind]
        version = f"{feature.version[0]}.{feature.version[1]}"
        return occurrence.line, (f"uses Python {version} syntax ({feature.what}, PEP {feature.pep}); secreview is "
                                 f"running on Python {running[0]}.{running[1]} — run it with Python {version} "
                                 f"or newer to review this file")
    construct = python2_construct(scan, error)
    if construct:
        return error.lineno, (f"{error.msg}{PY2_HINT}: {construct}; secreview reviews Python 3 only — port the file "
                              f"to Python 3 or exclude it)")
    return error.lineno, error.msg


def _newer(text: str, scan: Scan, running: tuple[int, int]) -> Occurrence | None:
    wanted = frozenset(kind for kind, feature in FEATURES.items() if feature.version > running)
    found = [o for o in scan.occurrences + statement_features(scan, wanted) if o.kind in wanted]
    if not found or not parses(_apply(text, found)):
        return None
    first = {}  # kind -> where it first occurs: the order kinds are named in (never a set's order)
    for occurrence in sorted(found, key=lambda o: o.edits[0][0], reverse=True):
        first[occurrence.kind] = occurrence.edits[0][0]
    kinds = sorted(first, key=lambda k: (first[k], k))
    needed = [k for k in kinds if not parses(_apply(text, [o for o in found if o.kind != k]))] or kinds
    newest = max(FEATURES[k].version for k in needed)
    kind = next(k for k in needed if FEATURES[k].version == newest)
    candidates = sorted((o for o in found if o.kind == kind), key=lambda o: o.edits[0][0])
    for occurrence in candidates[:_MAX_PROBES]:
        if not parses(_apply(text, [o for o in found if o is not occurrence])):
            return occurrence
    return candidates[0]


def _apply(text: str, occurrences: list[Occurrence]) -> str:
    edits = sorted((e for o in occurrences for e in o.edits), key=lambda e: e[0], reverse=True)
    limit = len(text) + 1
    for start, end, replacement in edits:
        if end <= limit:  # edits from one valid file never overlap: a second one is dropped
            text = text[:start] + replacement + text[end:]
            limit = start
    return text
