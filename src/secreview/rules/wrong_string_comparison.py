"""String compared with the wrong operator (`is`, or `in` against one string).

## What it flags
- `x is "admin"` / `x is not "admin"` (also bytes and numbers other than small
  singletons): identity, not equality — the result depends on interning and
  changes between interpreters and builds;
- `role in "admin"` / `scope in "read write"` where the right side is a single
  string literal and the left names a role, user, group, scope, permission,
  tenant, host or state: a substring test, so `""`, `"a"` and `"dmi"` pass.

## Why it matters
Access decisions written this way silently accept values they were meant to reject
(or reject valid ones after an upgrade): CWE-597, a comparison with the wrong operator.

## Example
```python
def can_delete(user):
    return user.role in "admin"
```

## Use instead
```python
def can_delete(user):
    return user.role in ("admin", "owner")
```

## References
- CWE-597: Use of Wrong Operator in String Comparison
- CWE-697: Incorrect Comparison
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.words import identifier_of
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR231",
    name="wrong-string-comparison",
    title="String compared by identity or by substring",
    cwe=597,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Compare strings with `==`/`!=`, and test membership against a tuple or set of whole values.",
)
NODES = (ast.Compare,)
_WORD = re.compile(r"[a-z]{4,}|[A-Z]{4,}")

_IDENTITY = re.compile(r"(role|user|group|scope|perm|permission|privilege|right|tenant|project|domain|host|"
                       r"state|status|action|method|level|tier|plan|kind|type)s?$", re.IGNORECASE)


def check(node: ast.Compare, ctx: FileContext) -> Iterator[Hit]:
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        if isinstance(op, (ast.Is, ast.IsNot)):
            literal = right if _value_literal(right) else left if _value_literal(left) else None
            if literal is not None:
                word = "is" if isinstance(op, ast.Is) else "is not"
                quoted = ctx.segment(literal) or ast.unparse(literal)  # as written: its own quotes
                yield Hit(node, f"`{word} {quoted}` compares object identity, not the value; "
                          "the outcome depends on interning.",
                          fix=f"Use `{'==' if word == 'is' else '!='}` to compare values.")
                return
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, ast.Constant) and isinstance(right.value, str):
            name = identifier_of(left)
            # Only word-like literals ("admin", "read write"): `kind in "eE"` is a
            # deliberate character-class test.
            if _WORD.search(right.value) and name and _IDENTITY.search(name):
                # quoted as written (the literal's quotes, the operator): a message never restates code
                # that is not in the file
                word = "in" if isinstance(op, ast.In) else "not in"
                code = f"{ctx.segment(left) or name} {word} {ctx.segment(right) or repr(right.value)}"
                yield Hit(node, f"`{code}` is a substring test: any part of "
                          f"{right.value!r} (even an empty string) passes.",
                          fix=f"Compare `{name} == {right.value!r}` or test against a tuple of whole values.")
                return
        left = right


def _value_literal(expr: ast.AST) -> bool:
    if not isinstance(expr, ast.Constant) or expr.value is None or isinstance(expr.value, bool):
        return False
    return expr.value is not Ellipsis
