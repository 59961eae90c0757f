"""SQL: built statements worth reporting, value positions in SQL text, SQLAlchemy engines and sessions."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.rules._injection.model import Verdict
from secreview.rules._injection.verdict import analyze
from secreview.taint.provenance import read_directly

# -- SQL --------------------------------------------------------------------------------------------
_VALUE_END = re.compile(
    r"(?:'|=|<|>|\blike|\bilike|\blimit|\boffset|\bbetween|\bregexp|\bagainst\s*\()\s*$", re.IGNORECASE
)


def sql_value_position(before: str) -> bool:
    """Does the value land where SQL expects a value (after `=`, a quote, LIKE, `IN (`...)?"""
    if _VALUE_END.search(before):
        return True
    open_paren = before.rfind("(")
    if open_paren >= 0 and ")" not in before[open_paren:]:
        head = before[:open_paren].rstrip().lower()
        if head.endswith((" in", " values", "\nvalues", "\tin")) or head == "values" or head.endswith("in"):
            tail = before[open_paren + 1 :].rstrip()
            return tail == "" or tail.endswith((",", "'"))
    return False


def sql_verdict(ctx: FileContext, expr: ast.expr | None, need_sql_text: bool = True) -> Verdict | None:
    """A built SQL string worth reporting: an outside value in it, or a non-literal in a value position."""
    verdict = analyze(ctx, expr, "sql")
    if verdict is None or verdict.how is None and verdict.source is None:
        return None
    if verdict.how is None:
        if verdict.source is None or verdict.carrier is None or not read_directly(verdict.carrier.expr):
            return None  # e.g. execute(text(...)): the inner call is judged on its own
        return verdict  # the whole statement comes from outside; the caller judges the sink
    if need_sql_text and not looks_like_sql_text(verdict.text):
        return None
    if verdict.source is not None:
        return verdict
    if _SQL_START.search(verdict.text) and not _DML.match(verdict.text):
        return None  # DDL, SET and PRAGMA take no parameters: only outside data counts there
    if any(sql_value_position(p.before) for p in verdict.unsafe):
        return verdict
    return None


_DML = re.compile(r"^\s*\(?\s*(select|insert|update|delete|replace|merge|with|upsert)\b", re.IGNORECASE)


_SQL_START = re.compile(
    r"^\s*\(?\s*(select|insert|update|delete|replace|merge|create|drop|alter|truncate|grant|revoke|with|pragma|"
    r"exec|execute|call|set|show|describe|vacuum|analyze|attach|copy)\b",
    re.IGNORECASE,
)
_SQL_BODY = re.compile(
    r"\b(from|into|set|where|values|table|order\s+by|group\s+by|join|limit|index|view|database|"
    r"schema|procedure|function|search_path|to)\b",
    re.IGNORECASE,
)


def looks_like_sql_text(text: str) -> bool:
    return bool(_SQL_START.search(text)) and (bool(_SQL_BODY.search(text)) or len(text.split()) <= 3)


def sqlalchemy_object(ctx: FileContext, expr: ast.AST | None, depth: int = 4) -> bool:
    """An engine, connection or session of SQLAlchemy (or Flask-SQLAlchemy's `db.session`)."""
    if expr is None or depth < 0:
        return False
    name = ctx.qualname(expr) or ""
    if name.startswith(("sqlalchemy.", "flask_sqlalchemy.")) or name.endswith(("db.session", "db.engine")):
        return True
    if isinstance(expr, ast.Call):
        if name.startswith(("sqlalchemy.", "flask_sqlalchemy.")):
            return True
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in (
            "connect",
            "begin",
            "execution_options",
            "session",
        ):
            return sqlalchemy_object(ctx, func.value, depth - 1)
        if isinstance(func, ast.Name | ast.Attribute | ast.Call):
            return sqlalchemy_object(ctx, func, depth - 1)
    if isinstance(expr, ast.Name):
        value = reaching_value(ctx, expr)
        if value is not None and value is not expr:
            return sqlalchemy_object(ctx, value, depth - 1)
    return False
