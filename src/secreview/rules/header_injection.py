"""HTTP response header set from untrusted input.

## What it flags
A value from a network client or a socket that becomes the name or value of an
HTTP response header (`response.headers[...] = value`, `headers.add()`,
`set_cookie` attributes and the frameworks' equivalents).

## Why it matters
On servers and proxies that pass CR/LF through, a value with a line break adds
headers or a whole second response (response splitting, cache poisoning,
session fixation through `Set-Cookie`) (CWE-113).

## Example
```python
from flask import Flask, make_response, request

app = Flask(__name__)

@app.route("/lang")
def lang():
    response = make_response("ok")
    response.headers.add("Content-Language", request.args["lang"])
    return response
```

## Use instead
```python
from flask import Flask, make_response, request

app = Flask(__name__)
LANGUAGES = {"en": "en", "fr": "fr"}

@app.route("/lang")
def lang():
    response = make_response("ok")
    response.headers.add("Content-Language", LANGUAGES.get(request.args["lang"], "en"))
    return response
```

## References
- CWE-113: Improper Neutralization of CRLF Sequences in HTTP Headers ('HTTP Request/Response Splitting')
- OWASP HTTP Response Splitting
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.ruleset import Meta, TaintQuery

META = Meta(
    code="SR116",
    name="header-injection",
    title="HTTP response header set from untrusted input",
    cwe=113,
    type="other",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Reject or strip CR and LF (and other control characters) before putting a value in a header, or "
    "allow-list the values a header may take.",
)
# A taint rule: the engine reports every flow from these source kinds to these sink kinds
# (secreview/taint/README.md); the specs (taint/specs/*.toml) say which calls they are.
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"header"}))
