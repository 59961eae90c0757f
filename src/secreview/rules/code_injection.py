"""Code evaluated from untrusted input.

## What it flags
A value from a network client or a socket that reaches `eval()`, `exec()`,
`compile()` or another call that runs Python source — directly or through
assignments, string building, helpers in other modules and attributes of `self`.
`ast.literal_eval()` is not a sink: it evaluates literals only.

## Why it matters
Whoever controls the text runs arbitrary Python inside the service, with its
rights: reading secrets, running commands, pivoting into the network (CWE-94).

## Example
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/calc")
def calc():
    expression = request.args.get("expr", "")
    return str(eval(expression))
```

## Use instead
```python
import ast

from flask import Flask, request

app = Flask(__name__)

@app.route("/calc")
def calc():
    expression = request.args.get("expr", "")
    return str(ast.literal_eval(expression))
```

## References
- CWE-94: Improper Control of Generation of Code ('Code Injection')
- Python docs, `ast.literal_eval()`
"""

from __future__ import annotations

from dataclasses import replace

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta, TaintQuery

META = Meta(
    code="SR105",
    name="code-injection",
    title="Code evaluated from untrusted input",
    cwe=94,
    type="cmdi",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Never evaluate client data as code: parse it with ast.literal_eval() or json.loads(), or map the "
    "client's choice to a fixed set of functions.",
    bandit=("B307",),
    restates=("SR102",),
)
# A taint rule: the engine reports every flow from these source kinds to these sink kinds
# (secreview/taint/README.md); the specs (taint/specs/*.toml) say which calls they are.
# `__import__(name)` runs the module a client names: no parser of literals replaces it.
IMPORT_FIX = ("Do not import a module the client names: map its choice to a fixed dict of modules or functions "
              "imported in the code, and reject anything else.")


def _for_sink(hit: Hit, sink: str, ctx: FileContext) -> Hit:
    return replace(hit, fix=IMPORT_FIX) if sink in ("builtins.__import__", "importlib.import_module") else hit


TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"code"}),
                   for_sink=_for_sink)
