"""LDAP filter or DN built from untrusted input.

## What it flags
A value from a network client or a socket that reaches the filter or base DN of
an LDAP search, bind or modify (ldap3 `Connection.search`, python-ldap
`search_s` and friends) without the library's escaping function.

## Why it matters
`*`, `(`, `)` and `\\` change the filter's logic: `*)(uid=*` turns a lookup of
one user into a match of every entry, which bypasses login checks built on a
search (CWE-90).

## Example
```python
import ldap3
from flask import Flask, request

app = Flask(__name__)

@app.route("/user")
def find_user():
    conn = ldap3.Connection("ldap://directory", auto_bind=True)
    conn.search("dc=example,dc=org", "(uid=" + request.args["uid"] + ")")
    return str(conn.entries)
```

## Use instead
```python
import ldap3
from flask import Flask, request
from ldap3.utils.conv import escape_filter_chars

app = Flask(__name__)

@app.route("/user")
def find_user():
    conn = ldap3.Connection("ldap://directory", auto_bind=True)
    conn.search("dc=example,dc=org", "(uid=" + escape_filter_chars(request.args["uid"]) + ")")
    return str(conn.entries)
```

## References
- CWE-90: Improper Neutralization of Special Elements used in an LDAP Query ('LDAP Injection')
- RFC 4515 (LDAP search filters), section 3: escaping
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.ruleset import Meta, TaintQuery

META = Meta(
    code="SR114",
    name="ldap-injection",
    title="LDAP filter or DN built from untrusted input",
    cwe=90,
    type="other",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Escape values with ldap3.utils.conv.escape_filter_chars() (filters) or escape_rdn() (DNs), or "
    "ldap.filter.escape_filter_chars() / ldap.dn.escape_dn_chars() with python-ldap.",
)
# A taint rule: the engine reports every flow from these source kinds to these sink kinds
# (secreview/taint/README.md); the specs (taint/specs/*.toml) say which calls they are.
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"ldap"}))
