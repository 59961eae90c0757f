"""Regular expression pattern taken from untrusted input.

## What it flags
With data flow (the taint part): data from a network client or a socket that
reaches a `regex` sink of the taint specs, followed through assignments, helpers in
other modules and attributes of `self`, reported with its trace. Where the specs name
the sink call, data flow decides; the pattern part below speaks for the rest.

`re.compile`, `re.match`, `re.search`, `re.fullmatch`, `re.findall`,
`re.finditer`, `re.sub`, `re.subn` and `re.split` (and the `regex` module's
twins) whose PATTERN argument carries request data, a route parameter, socket
or remote data, or the command line / environment, without passing through
`re.escape()` first. Values converted with `int()`/`float()` or produced by
`fnmatch.translate()` are not reported. Patterns from the command line or the
environment are reported with low confidence: there the person typing the
pattern usually runs the program.

## Why it matters
Whoever writes the pattern chooses how the engine backtracks: a short pattern
like `(a+)+$` sent in a search box makes the worker spin for minutes on a
modest string (CWE-1333). Untrusted metacharacters also change what matches,
turning a literal search into a wildcard that bypasses filters.

## Example
```python
import re
from flask import Flask, request

app = Flask(__name__)

@app.route("/search")
def search():
    term = request.args.get("q", "")
    return [t for t in ("alpha", "beta") if re.search(term, t)]
```

## Use instead
```python
import re
from flask import Flask, request

app = Flask(__name__)

@app.route("/search")
def search():
    term = re.escape(request.args.get("q", ""))
    return [t for t in ("alpha", "beta") if re.search(term, t)]
```

## References
- CWE-1333: Inefficient Regular Expression Complexity
- CWE-625: Permissive Regular Expression
- Python docs, `re.escape`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument, is_literal
from secreview.model import Confidence, Severity
from secreview.rules._dos.regex_calls import regex_call
from secreview.ruleset import Hit, Meta, TaintQuery
from secreview.taint import provenance

META = Meta(
    code="SR502",
    name="regex-injection",
    title="Regular expression pattern built from untrusted input",
    cwe=1333,
    type="dos",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Escape the input with re.escape() before putting it in a pattern; if users must supply patterns, "
    "cap their length and run them with a timeout-capable engine (e.g. google-re2).",
    restates=("SR501",),
)
NODES = (ast.Call,)
_SANITIZERS = frozenset(
    {
        "re.escape",
        "regex.escape",
        "fnmatch.translate",
        "builtins.int",
        "builtins.float",
        "builtins.len",
        "builtins.bool",
    }
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    found = regex_call(ctx, node)
    if found is None:
        return
    module, func = found
    pattern = argument(node, 0, "pattern")
    if pattern is None or is_literal(pattern, ctx):
        return
    origin = provenance.origin(ctx, pattern, provenance.ALL, stop=_SANITIZERS)
    if origin is None:
        return
    trace = trace_for(ctx, origin.source, node, f"{module}.{func}(pattern, ...)")
    message = (
        f"`{module}.{func}` compiles a pattern that contains {origin.source.description} without re.escape()"
    )
    if origin.external:
        yield Hit(node, message + ": the sender controls how long matching takes.", trace=trace)
    else:
        yield Hit(
            node,
            message + "; whoever sets it controls the pattern (low risk when that is the operator).",
            trace=trace,
            confidence=Confidence.LOW,
            severity=Severity.LOW,
        )


# The taint part: flows from these source kinds to these sink kinds, across functions and modules, with a
# trace (secreview/taint/README.md). `check` above stays for what data flow cannot see; where both report
# the same call, the traced finding is kept.
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"regex"}))
