r"""The result of `re.match()` / `re.search()` is used without checking for a miss.

## What it flags
`re.match`, `re.search` and `re.fullmatch` — and the same methods of a pattern
compiled with `re.compile()` in the file — whose result is used as a match
object (`.group()`, `.groups()`, `.groupdict()`, `.start()`, `[1]` ...) either
chained directly or through a local variable that is never tested (`if m`,
`m is None`, `assert m`, a `try` catching AttributeError/TypeError). Patterns
that match the empty string at any position and literal subjects are left out.

Confidence: high when the subject is traced, within the function, to outside input
(request data, a route parameter, the command line, the environment, a socket);
low otherwise (a parameter, an attribute, a backend's output the code trusts to
have the expected shape), where the claim that it can fail to match is weak.

## Why it matters
A regular expression answers "no match" with None. When the subject is a
header, a file name, a command output or any other input that does not have the
expected shape, `.group()` raises `AttributeError` (CWE-476): the request fails
with a 500, a daemon loop dies, or a parser used in a validation step stops
with an exception instead of rejecting the input.

## Example
```python
import re

def bearer_token(header):
    return re.match(r"Bearer\s+(\S+)", header).group(1)
```

## Use instead
```python
import re

def bearer_token(header):
    match = re.match(r"Bearer\s+(\S+)", header)
    if match is None:
        raise ValueError("malformed Authorization header")
    return match.group(1)
```

## References
- CWE-476: NULL Pointer Dereference
- Python docs, `re` module: "Match Objects" (match functions return None on failure)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import is_literal
from secreview.model import Confidence, Severity
from secreview.rules._robustness.catching import caught_here
from secreview.rules._robustness.regex_calls import always_matches, regex_match
from secreview.rules._robustness.source_text import segment
from secreview.rules._robustness.value_use import bound_name, first_unchecked_use, object_use, tested_texts
from secreview.ruleset import Hit, Meta
from secreview.taint.provenance import source_of

META = Meta(
    code="SR602",
    name="unchecked-regex-match",
    title="Regular-expression match used without checking for None",
    cwe=476,
    type="crash",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Bind the match, test it (`if match is None: reject`) and only then read its groups.",
)
NODES = (ast.Call,)
_CATCHES = frozenset({"AttributeError", "TypeError"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    found = regex_match(ctx, node)
    if found is None:
        return
    what = found.what
    if found.subject is None or is_literal(found.subject, ctx):
        return
    if always_matches(ctx, found.pattern, found.flags, found.method):
        return
    if segment(ctx, node) in tested_texts(ctx, node):
        return  # `if PAT.match(s): x = PAT.match(s).group(1)`
    confidence = None if source_of(ctx, found.subject) is not None else Confidence.LOW
    how = object_use(ctx, node)
    if how is not None:
        if not caught_here(ctx, node, _CATCHES):
            message = f"{what} returns None when the input does not match; {how} on it then raises."
            yield Hit(node, message, confidence=confidence)
        return
    stmt = ctx.parent(node)
    ident = bound_name(stmt)
    if ident is None or not isinstance(stmt, ast.stmt):  # (a name is bound by an assignment statement)
        return
    use = first_unchecked_use(ctx, stmt, ident, _CATCHES)
    if use is not None:
        name, how = use
        yield Hit(
            ctx.parent(name) or name,
            f"`{ident}` (line {stmt.lineno}) holds {what}, which is None when the input does not match; "
            f"{how} on it raises.",
            confidence=confidence,
        )
