"""Database/directory connection or worker pool not closed on every path.

## What it flags
A connection from `sqlite3.connect`, `psycopg2.connect`, `psycopg.connect`,
`pymysql.connect`, `MySQLdb.connect`, `mysql.connector.connect`, `cx_Oracle`/
`oracledb.connect`, `pyodbc.connect`, `ldap.initialize` / `ldap3.Connection`
(unbind), `pika.BlockingConnection`, or a worker pool from
`concurrent.futures.ThreadPoolExecutor`/`ProcessPoolExecutor` and
`multiprocessing.Pool`, bound to a local name and never closed / unbound / shut
down (no `with`, not returned or stored), closed only in an `except` handler,
skipped by an early `return`, or closed only after calls that may raise (low
confidence).

## Why it matters
Database servers and LDAP directories cap concurrent sessions; a handler that
leaks one connection per request exhausts the server's slots and locks out
every other client, and an open sqlite connection keeps its write lock. A pool
that is never shut down leaves worker threads or processes running (CWE-404).

## Example
```python
import sqlite3

def count_users(db_path):
    conn = sqlite3.connect(db_path)
    cur = conn.execute("SELECT COUNT(*) FROM users")
    return cur.fetchone()[0]
```

## Use instead
```python
import contextlib
import sqlite3

def count_users(db_path):
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        cur = conn.execute("SELECT COUNT(*) FROM users")
        return cur.fetchone()[0]
```

## References
- CWE-404: Improper Resource Shutdown or Release
- Python docs, `sqlite3` ("How to use the connection context manager"), `concurrent.futures.Executor.shutdown`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.resource_spec import Spec
from secreview.rules._lifetime.resource_verdict import leak_hit
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR424",
    name="connection-not-closed",
    title="Connection or worker pool not closed on every path",
    cwe=404,
    type="leak",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Close the connection (unbind, shut the pool down) in a `finally:` block, or use "
    "`contextlib.closing(...)` / the pool as a context manager.",
)
NODES = (ast.Call,)
# The last name of every creator in _CREATORS (ReconnectLDAPObject contains "connect").
NEEDS = ("connect", "initialize", "Connection", "PoolExecutor", "Pool")

_DB = Spec("connection", borrower_prefixes=("pandas.", "pd."), verb="closed")
_LDAP = Spec(
    "connection",
    release_methods=frozenset({"unbind", "unbind_s", "unbind_ext", "unbind_ext_s", "close"}),
    verb="unbound",
)
_AMQP = Spec("connection", release_methods=frozenset({"close", "release"}), verb="closed")
_EXECUTOR = Spec("pool", release_methods=frozenset({"shutdown"}), verb="shut down")
_POOL = Spec("pool", release_methods=frozenset({"close", "terminate"}), verb="closed")

_CREATORS: dict[str, tuple[Spec, str]] = {
    **{
        name: (_DB, "database connection")
        for name in (
            "sqlite3.connect",
            "psycopg2.connect",
            "psycopg.connect",
            "pymysql.connect",
            "MySQLdb.connect",
            "mysql.connector.connect",
            "cx_Oracle.connect",
            "oracledb.connect",
            "pyodbc.connect",
            "pymssql.connect",
            "ibm_db_dbi.connect",
            "aiosqlite.connect",
        )
    },
    "ldap.initialize": (_LDAP, "LDAP connection"),
    "ldap.ldapobject.ReconnectLDAPObject": (_LDAP, "LDAP connection"),
    "ldap3.Connection": (_LDAP, "LDAP connection"),
    "pika.BlockingConnection": (_AMQP, "AMQP connection"),
    "kombu.Connection": (_AMQP, "AMQP connection"),
    "concurrent.futures.ThreadPoolExecutor": (_EXECUTOR, "thread pool"),
    "concurrent.futures.ProcessPoolExecutor": (_EXECUTOR, "process pool"),
    "concurrent.futures.thread.ThreadPoolExecutor": (_EXECUTOR, "thread pool"),
    "concurrent.futures.process.ProcessPoolExecutor": (_EXECUTOR, "process pool"),
    "multiprocessing.Pool": (_POOL, "process pool"),
    "multiprocessing.pool.Pool": (_POOL, "process pool"),
    "multiprocessing.pool.ThreadPool": (_POOL, "thread pool"),
    "multiprocessing.dummy.Pool": (_POOL, "thread pool"),
}


# The fix by kind of object, `{call}` being its creator.
_FIXES = {
    "database connection": "Close it in a `finally:` block, or open it as `with contextlib.closing({call}(...)) "
    "as conn:` (for sqlite3 and psycopg2, `with conn:` ends the transaction but leaves the connection open).",
    "LDAP connection": "Unbind it in a `finally:` block (`conn.unbind_s()` with python-ldap, `conn.unbind()` "
    "with ldap3, whose Connection also works as a context manager).",
    "AMQP connection": "Use it as a context manager (`with {call}(...) as conn:`) or close it in a `finally:` "
    "block.",
    "thread pool": "Use the pool as a context manager (`with {call}() as pool:`), which waits for its work and "
    "shuts it down, or call `pool.shutdown()` in a `finally:` block.",
    "process pool": "Use the pool as a context manager (`with {call}() as pool:`), which waits for its work and "
    "shuts it down, or call `pool.shutdown()` in a `finally:` block.",
}
# multiprocessing's pools: `with` terminates the workers at its end, work not collected inside is lost
_MULTIPROCESSING_FIX = ("Call `pool.close()` then `pool.join()` in a `finally:` block, or use `with {call}() as "
                        "pool:` when every result is collected inside the block (its end terminates the workers).")


def fix_for(creator: str) -> str:
    """The fix for an object made by `creator` (a qualified name of _CREATORS)."""
    spec, what = _CREATORS[creator]
    template = _MULTIPROCESSING_FIX if spec is _POOL else _FIXES[what]
    return template.format(call=creator)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    found = _CREATORS.get(name)
    if found is None:
        return
    spec, what = found
    verdicts: tuple[str, ...] = ("never", "error-only", "early-exit", "success-path")
    if spec is _DB and ctx.enclosing_function(node) is not None:
        verdicts += ("inline",)  # sqlite3.connect(db).execute(...): nothing ever closes it
    hit = leak_hit(ctx, node, spec, f"the {what} from `{name}()`", fix=fix_for(name), verdicts=verdicts)
    if hit is not None:
        yield hit
