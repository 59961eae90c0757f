"""Access decision enforced with `assert`.

## What it flags
`assert` statements outside test code whose condition decides access: it reads
`is_admin`, `is_superuser`, `is_staff`, `has_perm(...)`, `permissions`,
`is_authenticated`, `authorized`, `is_owner`/`owner ==`, `role`/`roles`,
CSRF values, signature/token verification (`verify_*()`, `compare_digest`,
`token == ...`), `can_edit`-style checks or `allowed`. Pure type and presence
checks (`isinstance`, `is None`, `is not None`) are not access decisions and are
skipped; so are files under tests/ and test_*.py/*_test.py/conftest.py.

## Why it matters
Python removes every `assert` when it runs with `-O` or `PYTHONOPTIMIZE`, which
some packagers and container images set; the check then silently disappears and
every caller is allowed (CWE-617). An `AssertionError` is also often turned into
a generic 500 instead of a 403.

## Example
```python
def delete_project(user, project):
    assert user.is_admin or project.owner_id == user.id, "not allowed"
    project.delete()
```

## Use instead
```python
class Forbidden(Exception):
    pass

def delete_project(user, project):
    if not (user.is_admin or project.owner_id == user.id):
        raise Forbidden("not allowed")
    project.delete()
```

## References
- CWE-617: Reachable Assertion
- Python docs, "The assert statement" (removed under -O)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.words import identifier_of
from secreview.model import Confidence, Severity
from secreview.rules._access.secret_names import secret_identifier
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR208",
    name="assert-for-security",
    title="Security check written as an assert",
    cwe=617,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Use an explicit `if not ...: raise PermissionDenied(...)` (or the framework's 403 error); "
    "asserts are removed when Python runs with -O.",
)
NODES = (ast.Assert,)

_ACCESS = re.compile(
    r"^(is_)?(admin|superuser|staff|owner|authenticated|authori[sz]ed|verified|allowed|permitted|trusted)$|"
    r"^has_(perm|perms|permission|permissions|role|roles|access|scope|scopes)$|"
    r"^(check|verify|validate)_(password|token|signature|csrf|xsrf|perms?|permissions?|access|auth|credentials?|"
    r"hmac|mac|digest|owner|admin|role|user|request|login|session)|"
    r"^can_(access|edit|delete|view|modify|manage|change|create|update|publish|approve|moderate|administer|"
    r"admin|impersonate)|^(user_)?(permissions?|perms|roles?|acl|privileges?)$|^owner(_id)?$|csrf|xsrf|"
    r"^(is_)?valid_(signature|token|csrf)$|signature_?valid|^compare_digest$|^check_password$|^is_allowed|"
    r"^authori[sz]e$|^authenticate$",
    re.IGNORECASE,
)
_NOT_DECISION = re.compile(
    r"(_(length|len|size|count|max|min|type|types|name|names|format|header|cookie_name)$|"
    r"^check_(output|call|type|types|arg|args|shape|dtype|same|index)$)",
    re.IGNORECASE,
)


def check(node: ast.Assert, ctx: FileContext) -> Iterator[Hit]:
    if _type_or_presence_check(node.test):
        return
    word = _access_word(node.test)
    if word:
        yield Hit(
            node, f"Access check on `{word}` is an assert; `python -O` removes it and lets everyone through."
        )


def _type_or_presence_check(test: ast.expr) -> bool:
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id in {"isinstance", "callable", "hasattr", "issubclass"}
    ):
        return True
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        right = test.comparators[0]
        return isinstance(right, ast.Constant) and right.value is None
    if isinstance(test, ast.BoolOp):
        return all(_type_or_presence_check(v) for v in test.values)
    return False


def _access_word(test: ast.expr) -> str | None:
    stack: list[ast.AST] = [test]
    while stack:
        sub = stack.pop()
        if (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Name)
            and sub.func.id in {"isinstance", "len", "type", "hasattr"}
        ):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(sub))))
        ident = identifier_of(sub) if isinstance(sub, (ast.Name, ast.Attribute)) else ""
        if ident and _ACCESS.search(ident) and not _NOT_DECISION.search(ident) and not ident.isupper():
            return ident
        if isinstance(sub, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in sub.ops):
            for side in (sub.left, *sub.comparators):
                name = identifier_of(side)
                if name and secret_identifier(name):
                    return name  # token == expected_token: a credential comparison
    return None
