"""Untrusted bytes given to a deserializer that can run code.

## What it flags
Bytes from a network client, a socket, or a file reaching `pickle.loads`/`load`,
`marshal`, `shelve`, `dill`, `jsonpickle`, or `yaml.load` with a loader that
builds Python objects — followed through assignments, helpers in other modules
and attributes of `self`. File contents count here (unlike for the injection
rules): a pickle on disk is as trustworthy as whoever can write that file.

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

from secreview.model import Confidence, Severity
from secreview.ruleset import Meta, TaintQuery

META = Meta(
    code="SR512",
    name="untrusted-deserialization",
    title="Untrusted bytes given to a deserializer that can run code",
    cwe=502,
    type="other",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Exchange data as JSON (json.loads) or another format without object construction; when pickle is "
    "unavoidable, sign the bytes (hmac) and verify the signature before loading.",
    bandit=("B301",),
)
# A taint rule: the engine reports every flow from these source kinds to these sink kinds
# (secreview/taint/README.md); the specs (taint/specs/*.toml) say which calls they are.
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input", "file_input"}), sinks=frozenset({"deserialize"}))
