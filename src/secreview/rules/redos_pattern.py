"""Regular expression that can backtrack exponentially (ReDoS).

## What it flags
Literal patterns given to `re.compile`, `re.match`, `re.search`, `re.fullmatch`,
`re.findall`, `re.finditer`, `re.sub`, `re.subn` and `re.split` (and the same
functions of the `regex` module) in which a repeated part can match the same
text in two different ways: nested quantifiers such as `(a+)+` or
`(\\w+\\s?)*$`, alternatives that overlap under a repetition such as `(a|aa)+`
or `(a|a?)+`, and large counted repetitions of an ambiguous body such as
`(.*a){20}`. The pattern is analysed from the parser's tree, never run. A
repetition whose parts cannot trade characters (`(\\d+\\.)+\\d+`, where every
round must end on a dot) is not reported, nor one an unanchored search simply
stops after (`re.search(r"(a+)+", s)`).

## Why it matters
Python's `re` engine backtracks: when the overall match fails, it retries every
way of splitting the input among the rounds of the ambiguous repetition, and
their number doubles with each extra character. A request field of a few dozen
characters can then pin a worker's CPU for minutes (CWE-1333).

## Example
```python
import re

EMAIL = re.compile(r"^([a-zA-Z0-9]+\\.?)+@example\\.org$")

def is_staff(address):
    return EMAIL.match(address) is not None
```

## Use instead
```python
import re

EMAIL = re.compile(r"^[a-zA-Z0-9]+(\\.[a-zA-Z0-9]+)*@example\\.org$")

def is_staff(address):
    return EMAIL.match(address) is not None
```

## References
- CWE-1333: Inefficient Regular Expression Complexity
- OWASP, "Regular expression Denial of Service - ReDoS"
- Python docs, `re` module: possessive quantifiers and atomic groups (3.11+)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument, is_literal
from secreview.model import Confidence, Severity
from secreview.rules._dos.pattern_use import compiled_pattern_is_whole
from secreview.rules._dos.redos import redos_witness
from secreview.rules._dos.regex_calls import REGEX_FUNCS, literal_string, regex_call, regex_flags
from secreview.ruleset import Hit, Meta
from secreview.taint import provenance

META = Meta(
    code="SR501",
    name="redos-pattern",
    title="Regular expression with exponential backtracking",
    cwe=1333,
    type="dos",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Rewrite the pattern so each character can be matched only one way (e.g. `\\w+(\\s\\w+)*` instead "
    "of `(\\w+\\s?)*`), use a possessive quantifier or atomic group (Python 3.11+), or cap the input length "
    "before matching.",
)
NODES = (ast.Call,)
_STRING_POSITION = {
    "match": 1,
    "search": 1,
    "fullmatch": 1,
    "findall": 1,
    "finditer": 1,
    "sub": 2,
    "subn": 2,
    "split": 1,
}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    found = regex_call(ctx, node)
    if found is None:
        return
    module, func = found
    pattern = literal_string(ctx, argument(node, 0, "pattern"))
    if not pattern:
        return
    flags = regex_flags(ctx, argument(node, REGEX_FUNCS[func], "flags"))
    if flags is None:
        return  # unknown flags (re.VERBOSE changes how the pattern reads)
    whole = func == "fullmatch" or (func == "compile" and compiled_pattern_is_whole(ctx, node))
    witness = redos_witness(pattern, flags, whole)
    if witness is None:
        return
    # (a bytes pattern is cut with bytes: `b"..." + "..."` raised TypeError and lost the finding)
    shown = pattern
    if len(pattern) > 60:
        shown = pattern[:57] + "..." if isinstance(pattern, str) else pattern[:57] + b"..."
    attack = f"{witness.prefix!r} + {witness.pump!r} * 30 + a non-matching character"
    message = (
        f"`{module}.{func}` pattern {shown!r} can backtrack exponentially: a repeated part matches "
        f"{witness.pump!r} in more than one way, so input like {attack} takes time that doubles with "
        "every repetition."
    )
    subject = argument(node, _STRING_POSITION[func], "string") if func in _STRING_POSITION else None
    if subject is not None and is_literal(subject, ctx):
        return  # matched against fixed text: nobody can feed it a bad string
    origin = provenance.origin(ctx, subject, provenance.REMOTE) if subject is not None else None
    if origin is not None:
        yield Hit(
            node,
            message + f" The matched text is {origin.source.description}.",
            trace=trace_for(ctx, origin.source, node, f"{module}.{func}(<ambiguous pattern>, ...)"),
            confidence=Confidence.HIGH,
        )
    else:
        yield Hit(node, message)
