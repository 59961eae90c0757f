"""Untrusted bytes given to a deserializer that can run code.

## What it flags
Bytes from a network client, a socket, or a file reaching `pickle.loads`/`load`,
`marshal`, `shelve`, `dill`, `jsonpickle`, or `yaml.load` with a loader that
builds Python objects — followed through assignments, helpers in other modules
and attributes of `self`. File contents count here (unlike for the injection
rules): a pickle on disk is as trustworthy as whoever can write that file. The fix
given is the one for the deserializer reached: `yaml.safe_load()` (with the exact
rewrite) for PyYAML, JSON or signed bytes for pickle, `weights_only=True` for PyTorch.
This rule reports tainted YAML too (with its trace), in place of `unsafe-yaml-load`.

## Why it matters
Unpickling calls constructors named by the data itself (`__reduce__`): crafted
bytes run any code in the process (CWE-502).

## Example
```python
import pickle

from flask import Flask, request

app = Flask(__name__)

@app.route("/restore", methods=["POST"])
def restore():
    state = pickle.loads(request.get_data())
    return str(state)
```

## Use instead
```python
import json

from flask import Flask, request

app = Flask(__name__)

@app.route("/restore", methods=["POST"])
def restore():
    state = json.loads(request.get_data())
    return str(state)
```

## References
- CWE-502: Deserialization of Untrusted Data
- Python docs, `pickle` (the warning at the top)
"""

from __future__ import annotations

import ast
from dataclasses import replace

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._deserializers import deserializer_fix, loader_verdict, safe_rewrite
from secreview.ruleset import Hit, Meta, TaintQuery

META = Meta(
    code="SR512",
    name="untrusted-deserialization",
    title="Untrusted bytes given to a deserializer that can run code",
    cwe=502,
    type="other",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Do not give untrusted bytes to a format that rebuilds objects: exchange data as JSON (json.loads), load "
    "YAML with yaml.safe_load(); where pickle is unavoidable, sign the bytes (hmac) and verify the signature "
    "before loading.",
    bandit=("B301",),
    restates=("SR510", "SR511"),
)


def _for_sink(hit: Hit, sink: str, ctx: FileContext) -> Hit | None:
    """The fix of this deserializer (yaml: safe_load, with the exact rewrite where the call is the load itself);
    a PyYAML load whose Loader is safe (given by position, or a class of this file derived from SafeLoader) is
    no flow into a deserializer that runs code (the specs see only a `Loader=` keyword)."""
    hit = replace(hit, fix=deserializer_fix(sink))
    node = hit.node
    if not (sink.startswith("yaml.") and isinstance(node, ast.Call) and ctx.call_name(node) == sink):
        return hit
    if sink in ("yaml.load", "yaml.load_all") and loader_verdict(ctx, argument(node, 1, "Loader")) == "safe":
        return None
    return replace(hit, rewrite=safe_rewrite(ctx, node, sink))


# A taint rule: the engine reports every flow from these source kinds to these sink kinds
# (secreview/taint/README.md); the specs (taint/specs/*.toml) say which calls they are.
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input", "file_input"}), sinks=frozenset({"deserialize"}),
                   for_sink=_for_sink)
