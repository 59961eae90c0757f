"""Untrusted input stored in the session or another trusted store.

## What it flags
A value from a network client or a socket stored in the session (`session[...] =
value`, Django's `request.session`) or another store the program later reads as
trusted, without validation.

## Why it matters
Code that reads the session assumes the server put the value there after a check.
Mixing raw client data into it lets a client set what later passes for a
server-decided fact: a role, a user id, a verified flag (CWE-501).

## Example
```python
from flask import Flask, request, session

app = Flask(__name__)

@app.route("/prefs", methods=["POST"])
def prefs():
    session["role"] = request.form["role"]
    return "saved"
```

## Use instead
```python
from flask import Flask, request, session

app = Flask(__name__)
THEMES = {"light": "light", "dark": "dark"}

@app.route("/prefs", methods=["POST"])
def prefs():
    session["theme"] = THEMES.get(request.form["theme"], "light")
    return "saved"
```

## References
- CWE-501: Trust Boundary Violation
- OWASP Session Management Cheat Sheet
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.ruleset import Meta, TaintQuery

META = Meta(
    code="SR215",
    name="trust-boundary-violation",
    title="Untrusted input stored in the session or another trusted store",
    cwe=501,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Validate the value (type, range, allow-list) before storing it in the session; keep client data and "
    "server-decided facts (identity, role, verified flags) in separate places.",
)
# A taint rule: the engine reports every flow from these source kinds to these sink kinds
# (secreview/taint/README.md); the specs (taint/specs/*.toml) say which calls they are.
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"trust_boundary"}))
