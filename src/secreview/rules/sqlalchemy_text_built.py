"""SQLAlchemy textual SQL built from non-literal values.

## What it flags
`sqlalchemy.text(...)` (also `sqlalchemy.sql.text` and
`sqlalchemy.sql.expression.text`) and `.execute(...)` on an SQLAlchemy engine,
connection or session (`create_engine()`, `engine.connect()`, `sessionmaker()`,
Flask-SQLAlchemy's `db.session`) when the SQL is assembled by f-string, `%`,
`.format()`, `+` or `join` with an outside value (request data, a route
parameter, argv) or with a non-literal pasted where SQL expects a value; and
`literal_column(...)` fed outside data. Numbers and module
constants are fine, and so are bound parameters (`text("... :name")` with
`{"name": value}`).

## Why it matters
`text()` hands its string to the database verbatim: SQLAlchemy only binds the
`:name` parameters it finds, and never quotes what was pasted into the string.
An attacker-controlled fragment can therefore rewrite the query (CWE-89).
`literal_column()` likewise renders its argument as raw SQL.

## Example
```python
from flask import request
from sqlalchemy import create_engine, text

engine = create_engine("sqlite:///app.db")

def orders():
    customer = request.args["customer"]
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT * FROM orders WHERE customer = '{customer}'")).all()
```

## Use instead
```python
from flask import request
from sqlalchemy import create_engine, text

engine = create_engine("sqlite:///app.db")

def orders():
    customer = request.args["customer"]
    with engine.connect() as conn:
        query = text("SELECT * FROM orders WHERE customer = :customer")
        return conn.execute(query, {"customer": customer}).all()
```

## References
- CWE-89: Improper Neutralization of Special Elements used in an SQL Command
- SQLAlchemy documentation, "Using Textual SQL" and `sqlalchemy.sql.expression.text`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._injection.sql import sql_value_position, sql_verdict, sqlalchemy_object
from secreview.rules._injection.verdict import analyze, describe
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR112",
    name="sqlalchemy-text-built",
    title="SQLAlchemy textual SQL built from non-literal values",
    cwe=89,
    type="sqli",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Keep the text() SQL constant with named parameters (`:name`) and pass the values to execute(); "
    "for identifiers use the Core constructs (table.c[name] after a whitelist check) "
    "instead of literal_column().",
    bandit=("B608",),
)
NODES = (ast.Call,)
# sql.sqlalchemy_object and the text()/literal_column() names: sqlalchemy, or `db.session`/`db.engine`.
NEEDS = ("sqlalchemy", "session", "engine")

_TEXT = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"})
_COLUMN = frozenset(
    {"sqlalchemy.literal_column", "sqlalchemy.sql.literal_column", "sqlalchemy.sql.expression.literal_column"}
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    func = node.func
    if name in _TEXT:
        call, sql, need_text = name.rsplit(".", 1)[-1] + "()", argument(node, 0, "text"), False
    elif name in _COLUMN:
        verdict = analyze(ctx, argument(node, 0, "text"), "sql")
        if verdict is not None and verdict.source is not None:
            short = name.rsplit(".", 1)[-1]
            yield Hit(
                node,
                f"`{short}()` renders {verdict.source.description} as raw SQL.",
                trace=trace_for(ctx, verdict.source, node, f"{short}(...)"),
            )
        return
    elif (
        isinstance(func, ast.Attribute)
        and func.attr in ("execute", "exec_driver_sql")
        and sqlalchemy_object(ctx, func.value)
    ):
        call, sql, need_text = f"{func.attr}()", argument(node, 0, "statement"), True
    else:
        return
    verdict = sql_verdict(ctx, sql, need_sql_text=need_text)
    if verdict is None:
        return
    if verdict.source is not None:
        what = "takes SQL from" if verdict.how is None else f"gets SQL built with {verdict.how} from"
        yield Hit(
            node,
            f"`{call}` {what} {verdict.source.description}.",
            trace=trace_for(ctx, verdict.source, node, call),
            confidence=Confidence.HIGH if verdict.strong else Confidence.MEDIUM,
        )
        return
    if verdict.how is None:
        return
    part = next(p for p in verdict.unsafe if sql_value_position(p.before))
    yield Hit(
        node,
        f"`{call}` gets SQL built with {verdict.how}: {describe(part, ctx)} is pasted into the SQL "
        "instead of being bound as a parameter.",
        confidence=Confidence.MEDIUM,
    )
