"""SQL statement built by string formatting and run through a DB-API cursor.

## What it flags
`execute`, `executemany`, `executescript` and `mogrify` calls on cursors,
connections and sessions whose SQL argument is assembled from values that are
not literals (f-string, `%`, `.format()`, `+`, `join`), directly or through a
local variable, when the text is recognisably SQL. It reports an outside value
(request data, a route parameter, argv, a socket) anywhere in the statement, and
any non-literal value pasted where SQL expects a value (after `=`, a quote,
`LIKE`, `LIMIT`, inside `IN (...)` or `VALUES (...)`) of a query or DML
statement. Identifiers (table and column names) and DDL, `SET` or `PRAGMA`
statements, which cannot take parameters, are reported only for outside
values. Values reduced to numbers (`int()`, `len()`, `%d`), module constants,
placeholder lists such as `", ".join(["%s"] * len(ids))`, names checked against
a whitelist and quoting helpers (`quote_ident`, `quote_name`) are not reported.

## Why it matters
The database parses whatever text it receives. A value pasted into the statement
can close the string literal it sits in and append its own clauses — `' OR 1=1
--` to read every row, `; DROP TABLE` where the driver allows several
statements (CWE-89). Driver placeholders send the value separately from the
statement, so it is never parsed as SQL.

## Example
```python
import sqlite3

from flask import request

def find_user(db: sqlite3.Connection):
    name = request.args.get("name", "")
    cursor = db.cursor()
    cursor.execute(f"SELECT id, email FROM users WHERE name = '{name}'")
    return cursor.fetchall()
```

## Use instead
```python
import sqlite3

from flask import request

def find_user(db: sqlite3.Connection):
    name = request.args.get("name", "")
    cursor = db.cursor()
    cursor.execute("SELECT id, email FROM users WHERE name = ?", (name,))
    return cursor.fetchall()
```

## References
- CWE-89: Improper Neutralization of Special Elements used in an SQL Command
- PEP 249, the DB-API: "paramstyle" and `Cursor.execute(operation, parameters)`
- psycopg2 documentation, "Passing parameters to SQL queries"
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._injection.sql import sql_value_position, sql_verdict, sqlalchemy_object
from secreview.rules._injection.verdict import describe
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR110",
    name="sql-string-built",
    title="SQL statement built from non-literal values",
    cwe=89,
    type="sqli",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Keep the statement a constant and pass the values as parameters: "
    'cursor.execute("... WHERE name = %s", (name,)) (`?` for sqlite3); quote identifiers '
    "with the driver's helper (psycopg2.sql.Identifier) or pick them from a whitelist.",
    bandit=("B608",),
)
NODES = (ast.Call,)

_METHODS = frozenset({"execute", "executemany", "executescript", "mogrify"})
_DB_RECEIVER = re.compile(r"(cur|conn|db|session|connection|engine|database)", re.IGNORECASE)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in _METHODS:
        return
    sql = argument(node, 0, "sql")
    for name in ("query", "operation", "statement", "sql_script"):
        sql = sql if sql is not None else argument(node, None, name)
    if sql is None or sqlalchemy_object(ctx, func.value):
        return  # SQLAlchemy objects belong to sqlalchemy-text-built
    verdict = sql_verdict(ctx, sql)
    if verdict is None:
        return
    receiver = ctx.segment(func.value) or "cursor"
    call = f"{receiver}.{func.attr}" if len(receiver) <= 30 else func.attr
    if verdict.how is None:
        if verdict.source is None or not _DB_RECEIVER.search(receiver):
            return
        yield Hit(
            node,
            f"`{call}` runs an SQL statement taken from {verdict.source.description}.",
            trace=trace_for(ctx, verdict.source, node, f"{call}(...)"),
        )
        return
    if verdict.source is not None:
        yield Hit(
            node,
            f"`{call}` runs SQL built with {verdict.how} from {verdict.source.description}.",
            trace=trace_for(ctx, verdict.source, node, f"{call}(...)"),
            confidence=Confidence.HIGH if verdict.strong else Confidence.MEDIUM,
        )
        return
    part = next(p for p in verdict.unsafe if sql_value_position(p.before))
    yield Hit(
        node,
        f"`{call}` runs SQL built with {verdict.how}: {describe(part, ctx)} is pasted into the statement "
        "instead of being passed as a parameter.",
        confidence=Confidence.MEDIUM,
    )
