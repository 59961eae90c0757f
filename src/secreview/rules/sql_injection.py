"""SQL statement built from untrusted input.

## What it flags
A value that comes from a network client (request parameters, body, headers,
cookies, route parameters) or from a socket reaching the SQL text of `execute()`
(sqlite3, psycopg, PyMySQL and other DB-API cursors), SQLAlchemy `text()`/`exec_driver_sql()`
or Django `raw()`/`extra()`/`RawSQL` — followed through assignments, string
building, containers, helpers in other modules and attributes of `self`. A value
passed as a query *parameter* is not flagged, nor one reduced to a number
(`int()`), a literal that overwrote it, or a branch that cannot run.

## Why it matters
The database parses the statement text; a quote in the value ends the literal and
the rest runs as SQL: reading other users' rows, bypassing a login check,
changing or dropping data (CWE-89).

## Example
```python
import sqlite3

from flask import Flask, request

app = Flask(__name__)

@app.route("/user")
def user():
    name = request.args["name"]
    db = sqlite3.connect("app.db")
    return str(db.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchall())
```

## Use instead
```python
import sqlite3

from flask import Flask, request

app = Flask(__name__)

@app.route("/user")
def user():
    name = request.args["name"]
    db = sqlite3.connect("app.db")
    return str(db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall())
```

## References
- CWE-89: Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')
- Python DB-API 2.0 (PEP 249), parameter styles; OWASP SQL Injection Prevention Cheat Sheet
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.ruleset import Meta, TaintQuery

META = Meta(
    code="SR113",
    name="sql-injection",
    title="SQL statement built from untrusted input",
    cwe=89,
    type="sqli",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Pass untrusted values as query parameters (`cursor.execute(sql, params)`, SQLAlchemy bound "
    "parameters); never format them into the SQL text.",
    bandit=("B608",),
    restates=("SR110", "SR111", "SR112"),
)
# A taint rule: the engine reports every flow from these source kinds to these sink kinds
# (secreview/taint/README.md); the specs (taint/specs/*.toml) say which calls they are.
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"sql"}))
