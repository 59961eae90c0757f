"""`sys.argv[n]` read without checking how many arguments were given.

## What it flags
A constant index `sys.argv[n]` (n >= 1; also `from sys import argv` and local
aliases of `sys.argv`) where neither the enclosing function nor the
module-level code checks the argument count — no `len(sys.argv)`, no test or
comparison of `sys.argv` / `sys.argv[1:]`, no assignment to `sys.argv` — and
with no enclosing `try` that catches IndexError (or LookupError / Exception).

## Why it matters
Run the tool without its argument, or with one too few, and it dies with a bare
`IndexError: list index out of range` traceback instead of a usage message
(CWE-129). In wrappers called by cron jobs, agents or other scripts, the
missing argument then surfaces as an unexplained crash, and a half-finished
operation (a rotated key, a partly migrated table) is left behind. `argparse`
checks the count, prints usage and exits cleanly.

## Example
```python
import sys

def main():
    host = sys.argv[1]
    port = sys.argv[2]
    print(host, port)
```

## Use instead
```python
import argparse

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    args = parser.parse_args()
    print(args.host, args.port)
```

## References
- CWE-129: Improper Validation of Array Index
- Python docs, `argparse` tutorial
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.memo import MemoKey
from secreview.analysis.values import literal_value
from secreview.model import Confidence, Severity
from secreview.rules._robustness.catching import caught_here
from secreview.rules._robustness.source_text import segment
from secreview.ruleset import Hit, Meta

_ROBUSTNESS_ARGV_CHECKED: MemoKey[bool] = MemoKey("robustness-argv-checked")

META = Meta(
    code="SR606",
    name="unchecked-argv-index",
    title="Command-line argument indexed without checking the argument count",
    cwe=129,
    type="crash",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    fix="Parse the command line with argparse, or check `len(sys.argv)` and print a usage message first.",
)
NODES = (ast.Subscript,)
# Every hit indexes `sys.argv` (directly or through a name bound to it).
NEEDS = ("argv",)
_CATCHES = frozenset({"IndexError", "LookupError"})
_MUTATORS = frozenset({"pop", "insert", "append", "extend"})


def check(node: ast.Subscript, ctx: FileContext) -> Iterator[Hit]:
    if not isinstance(node.ctx, ast.Load) or not _is_argv(ctx, node.value):
        return
    index = literal_value(node.slice)
    if not isinstance(index, int) or isinstance(index, bool) or index < 1:
        return
    if _count_checked(ctx, node) or caught_here(ctx, node, _CATCHES):
        return
    yield Hit(
        node,
        f"`{segment(ctx, node)}` raises IndexError when fewer than {index} argument"
        f"{'s are' if index > 1 else ' is'} given, and the argument count is never checked.",
    )


def _is_argv(ctx: FileContext, expr: ast.expr) -> bool:
    if ctx.qualname(expr) == "sys.argv":
        return True
    if isinstance(expr, ast.Name):
        value = reaching_value(ctx, expr)
        return value is not None and value is not expr and ctx.qualname(value) == "sys.argv"
    return False


def _count_checked(ctx: FileContext, node: ast.AST) -> bool:
    """In the enclosing function or in module-level code: `len(argv)`, a test or comparison of argv, or
    an assignment to it (a module-level `if len(sys.argv) < 3: usage()` guards every function)."""
    func = ctx.enclosing_function(node)
    return (func is not None and _scope_checks(ctx, func)) or _scope_checks(ctx, ctx.tree)


def _scope_checks(ctx: FileContext, scope: ast.AST) -> bool:
    def compute() -> bool:
        for node in _walk_scope(scope):
            if isinstance(node, ast.Call) and ctx.call_name(node) == "builtins.len" and node.args:
                if _mentions_argv(ctx, node.args[0]):
                    return True
            tests: list[ast.AST] = []
            if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
                tests = [node.test]
            elif isinstance(node, (ast.Compare, ast.BoolOp, ast.Match)):
                tests = [node]
            if any(_mentions_argv(ctx, t) for t in tests):
                return True
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(ctx.qualname(t) == "sys.argv" for t in targets):
                    return True
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _MUTATORS
                and _is_argv(ctx, node.func.value)
            ):
                return True
        return False

    return ctx.memo(_ROBUSTNESS_ARGV_CHECKED, scope, compute)


def _walk_scope(scope: ast.AST) -> Iterator[ast.AST]:
    """Nodes of one scope; a function's own nested functions are included, the module's are not."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(scope, ast.Module) and isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _mentions_argv(ctx: FileContext, expr: ast.AST) -> bool:
    return any(isinstance(n, (ast.Name, ast.Attribute)) and _is_argv(ctx, n) for n in ast.walk(expr))
