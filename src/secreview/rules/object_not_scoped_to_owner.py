"""A handler that loads a record by the client's id and never scopes it to the requester.

## What it flags
A web handler (a route, `@expose`/`@wsexpose` of pecan/WSME) that reads who
is asking (`pecan.request.context`, `req.context`, `request.user`,
`current_user`, `g.user`) and loads a database record by an id it takes as a
parameter — `session.query(M).filter_by(id=backup_id)`, `M.query.get(id)`,
`M.objects.get(pk=pk)`, `get_object_or_404(M, pk=pk)` — while nothing in the
handler ties the record to the requester: no owner, project, tenant or user
field, no `is_admin`/role test, no policy or permission call (`authorize`,
`enforce`, `can`, `has_perm`, `check_*`).

## Why it matters
Ids are guessable or leak (sequential keys, UUIDs in URLs, logs and shared
links). A handler that answers for any id returns, changes or deletes another
tenant's record to whoever asks (CWE-639, authorization bypass through a
user-controlled key). That the handler reads the requester's identity and
does nothing with it is the sign the scoping was forgotten, not unneeded.

## Example
```python
import pecan
from pecan import rest

from app.db import models, get_session

class DocumentsController(rest.RestController):
    @pecan.expose("json")
    def get_one(self, doc_id):
        context = pecan.request.context
        session = get_session(context)
        return session.query(models.Document).filter_by(id=doc_id).first()
```

## Use instead
```python
import pecan
from pecan import rest

from app.db import models, get_session

class DocumentsController(rest.RestController):
    @pecan.expose("json")
    def get_one(self, doc_id):
        context = pecan.request.context
        session = get_session(context)
        query = session.query(models.Document).filter_by(id=doc_id)
        if not context.is_admin:
            query = query.filter_by(project_id=context.project_id)
        return query.first()
```

## References
- CWE-639: Authorization Bypass Through User-Controlled Key
- OWASP API Security Top 10, API1:2023 "Broken Object Level Authorization"
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.scopes import walk_local
from secreview.ruleset import Hit, Meta
from secreview.taint.provenance import is_route_handler

META = Meta(
    code="SR240",
    name="object-not-scoped-to-owner",
    title="Record loaded by the client's id without scoping it to the requester (IDOR)",
    cwe=639,
    type="access",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Filter the query by the requester's project/owner (`filter_by(id=x, project_id=ctx.project_id)`) "
    "unless they are an admin, or check a policy on the loaded record before returning or changing it.",
)
NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
# Every hit loads through an ORM call spelled with one of these names.
NEEDS = ("filter_by", "query", "objects", "get_object_or_404", "get_or_404")
_IDENTITY = re.compile(r"(^|\.)(request|req|pecan\.request|flask\.request)\.(context|user|environ)$|"
                       r"(^|\.)current_user$|(^|\.)g\.user$")
# Words that tie a record to who is asking, or that decide access.
_SCOPING = re.compile(r"project|tenant|owner|user|author|account|admin|role|polic|authori[sz]|enforce|"
                      r"permission|perm|^can$|^check_|allowed|access|scope|member|visible|share", re.I)
_ID_KEYWORDS = {"id", "pk", "uuid"}


def check(node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: FileContext) -> Iterator[Hit]:
    if not _handler(ctx, node):
        return
    params = {a.arg for a in (*node.args.args, *node.args.kwonlyargs) if a.arg not in ("self", "cls")}
    if not params:
        return
    reads = [n for n in walk_local(node) if isinstance(n, ast.Attribute) and _IDENTITY.search(ctx.segment(n) or "")]
    if not reads or _scoped(node, {id(sub) for r in reads for sub in ast.walk(r)}):
        return
    identity = reads[0]
    fetch = next((c for c in walk_local(node) if isinstance(c, ast.Call) and _fetch_by(ctx, c, params)), None)
    if fetch is None:
        return
    yield Hit(
        fetch,
        f"`{node.name}` loads the record by the client's id (`{_fetch_by(ctx, fetch, params)}`) and, though it "
        f"reads `{ctx.segment(identity)}` at line {identity.lineno}, never limits it to the requester's "
        f"project or owner: any id answers.",
    )


def _handler(ctx: FileContext, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    if is_route_handler(ctx, func):
        return True
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if (ctx.qualname(target) or "").rsplit(".", 1)[-1] in ("wsexpose", "expose"):
            return True
    return False


def _scoped(func: ast.AST, skip: set[int]) -> bool:
    """Any name, attribute, keyword or called function of the handler (besides the identity reads in `skip`)
    that scopes or authorizes."""
    for n in walk_local(func):
        if id(n) in skip:
            continue
        word = (n.attr if isinstance(n, ast.Attribute) else n.id if isinstance(n, ast.Name)
                else n.arg if isinstance(n, ast.keyword) else None)
        if word and _SCOPING.search(word):
            return True
    return False


def _fetch_by(ctx: FileContext, call: ast.Call, params: set[str]) -> str | None:
    """The id parameter when the call loads a record by it through an ORM."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name == "filter_by" or (name == "get" and _orm_receiver(func)):
        for k in call.keywords:
            if k.arg in _ID_KEYWORDS and isinstance(k.value, ast.Name) and k.value.id in params:
                return k.value.id
        if name == "get" and len(call.args) == 1 and isinstance(call.args[0], ast.Name) and call.args[0].id in params:
            return call.args[0].id
    if name in ("get_object_or_404", "get_or_404"):
        for k in call.keywords:
            if k.arg in _ID_KEYWORDS and isinstance(k.value, ast.Name) and k.value.id in params:
                return k.value.id
        args = call.args[1:] if name == "get_object_or_404" else call.args
        if args and isinstance(args[0], ast.Name) and args[0].id in params:
            return args[0].id
    return None


def _orm_receiver(func: ast.expr) -> bool:
    """`M.query.get(...)`, `M.objects.get(...)`, `session.query(M).get(...)`."""
    recv = func.value if isinstance(func, ast.Attribute) else None
    if isinstance(recv, ast.Attribute) and recv.attr in ("query", "objects"):
        return True
    return isinstance(recv, ast.Call) and isinstance(recv.func, ast.Attribute) and recv.func.attr == "query"
