"""Django raw SQL (`.raw()`, `.extra()`, `RawSQL`) built from non-literal values.

## What it flags
The Django ORM's escape hatches when their SQL text is assembled by string
formatting (f-string, `%`, `.format()`, `+`, `join`) instead of receiving the
values through `params`: `Manager.raw(sql)`, `QuerySet.extra(where=[...],
select={...}, order_by=[...], tables=[...])` and `RawSQL(sql, params)`. It reports
outside values (request data, URL parameters of a view) anywhere in the SQL and
other non-literal values pasted where SQL expects a value (after `=`, a quote,
`LIKE`, inside `IN (...)`). Numbers (`int()`, `%d`) and module constants are
fine.

## Why it matters
The ORM quotes nothing in these APIs: the text goes to the database as written,
so a value containing a quote rewrites the query (CWE-89). Django's own
documentation warns that `raw()` and `extra()` must get their values through
`params`, where the database driver escapes them.

## Example
```python
from django.http import JsonResponse

from shop.models import Product

def search(request):
    term = request.GET.get("q", "")
    rows = Product.objects.raw("SELECT * FROM shop_product WHERE name LIKE '%%%s%%'" % term)
    return JsonResponse({"ids": [p.id for p in rows]})
```

## Use instead
```python
from django.http import JsonResponse

from shop.models import Product

def search(request):
    term = request.GET.get("q", "")
    rows = Product.objects.raw("SELECT * FROM shop_product WHERE name LIKE %s", [f"%{term}%"])
    return JsonResponse({"ids": [p.id for p in rows]})
```

## References
- CWE-89: Improper Neutralization of Special Elements used in an SQL Command
- Django documentation, "Performing raw SQL queries" and `QuerySet.extra()`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument, keyword
from secreview.model import Confidence, Severity
from secreview.rules._injection.sql import sql_value_position, sql_verdict
from secreview.rules._injection.verdict import describe
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR111",
    name="django-raw-sql",
    title="Django raw SQL built from non-literal values",
    cwe=89,
    type="sqli",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix='Keep the SQL text constant and pass values in `params`: Model.objects.raw("... WHERE x = %s", [x]), '
    '.extra(where=["x = %s"], params=[x]), RawSQL("... %s", (x,)); better, use the ORM\'s filters.',
    bandit=("B610", "B611"),
)
NODES = (ast.Call,)
# RawSQL(), `.raw()`, `.extra()`.
NEEDS = ("RawSQL", "raw", "extra")

_RAW_SQL = frozenset({"django.db.models.expressions.RawSQL", "django.db.models.RawSQL"})
_EXTRA_KEYWORDS = ("where", "select", "order_by", "tables")


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    func = node.func
    name = ctx.call_name(node) or ""
    if name in _RAW_SQL:
        yield from _report(ctx, node, argument(node, 0, "sql"), "RawSQL", fragment=False)
    elif isinstance(func, ast.Attribute) and func.attr == "raw" and node.args:
        receiver = ctx.qualname(func.value) or ""
        manager = (
            receiver.endswith(("objects", "_default_manager", "_base_manager"))
            or "manager" in receiver.lower()
        )
        yield from _report(
            ctx,
            node,
            argument(node, 0, "raw_query"),
            f"{_short(ctx, func.value)}.raw",
            fragment=False,
            manager=manager,
        )
    elif isinstance(func, ast.Attribute) and func.attr == "extra":
        for kw_name in _EXTRA_KEYWORDS:
            kw = keyword(node, kw_name)
            if kw is None:
                continue
            values = kw.value.values if isinstance(kw.value, ast.Dict) else getattr(kw.value, "elts", [])
            for value in values:
                hits = list(_report(ctx, node, value, f"extra({kw_name}=...)", fragment=True))
                if hits:
                    yield hits[0]
                    return


def _report(
    ctx: FileContext, node: ast.Call, sql: ast.expr | None, call: str, fragment: bool, manager: bool = False
) -> Iterator[Hit]:
    verdict = sql_verdict(ctx, sql, need_sql_text=not fragment and not manager)
    if verdict is None:
        return
    if verdict.how is None:
        if verdict.source is None or not (manager or call == "RawSQL"):
            return
        yield Hit(
            node,
            f"`{call}` runs SQL taken from {verdict.source.description}.",
            trace=trace_for(ctx, verdict.source, node, call),
        )
        return
    if verdict.source is not None:
        yield Hit(
            node,
            f"`{call}` gets SQL built with {verdict.how} from {verdict.source.description}.",
            trace=trace_for(ctx, verdict.source, node, call),
            confidence=Confidence.HIGH if verdict.strong else Confidence.MEDIUM,
        )
        return
    part = next(p for p in verdict.unsafe if sql_value_position(p.before))
    yield Hit(
        node,
        f"`{call}` gets SQL built with {verdict.how}: {describe(part, ctx)} is pasted into the SQL "
        "instead of being passed in `params`.",
        confidence=Confidence.MEDIUM,
    )


def _short(ctx: FileContext, expr: ast.expr) -> str:
    text = ctx.segment(expr)
    return text if 0 < len(text) <= 30 else "objects"
