"""Guards on a tainted value before its sink: the checks specs cannot express.

A sanitizer is a call whose result is clean (specs say so, and the taint engine
follows it). A *guard* is a test that stops the function when the value is bad:
`if not path.startswith(ROOT): abort(403)`, `if urlparse(url).hostname not in
ALLOWED: ...`. The taint rules for paths, URLs and redirects use this module to
drop a flow when such a test on the same value comes before the sink. Unlike the
function-wide heuristics of the pattern rules, the test must mention a name the
sink's argument is built from, so a check of one value does not clear another.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from secreview.analysis.context import FileContext
from secreview.rules._access.function_facts import names_feeding

Test = Callable[[ast.AST], bool]


_STOPS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def guard_tests(ctx: FileContext, call: ast.Call, names: set[str]) -> Iterator[ast.expr]:
    """The tests of the call's function, on or before its line, that can keep a bad value from the
    sink: an `assert`, a conditional expression, or an `if`/`while` whose branch leaves (return,
    raise, `abort()`...) or replaces one of `names` (`target = url_for("index")`). A test whose
    branch does neither (`if x.startswith("/"): checked = True`) guards nothing."""
    func = ctx.enclosing_function(call)
    if func is None:
        return
    for node in ast.walk(func):
        if getattr(node, "lineno", call.lineno + 1) > call.lineno:
            continue
        if isinstance(node, (ast.Assert, ast.IfExp)) or (
                isinstance(node, (ast.If, ast.While)) and (_acts(node.body, names) or _acts(node.orelse, names))):
            yield node.test
        elif isinstance(node, ast.comprehension):
            yield from node.ifs


def _acts(body: list[ast.stmt], names: set[str]) -> bool:
    for node in (n for stmt in body for n in ast.walk(stmt)):
        if isinstance(node, _STOPS):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("abort", "exit"):
            return True
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in names:
            return True
    return False


def related_names(ctx: FileContext, call: ast.Call, arg: ast.AST) -> set[str]:
    """Names the argument is built from, and names computed from those (`parsed = urlparse(url)`)."""
    names = names_feeding(ctx, arg)
    func = ctx.enclosing_function(call)
    if func is None or not names:
        return names
    for _ in range(2):
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and any(isinstance(n, ast.Name) and n.id in names
                                                    for n in ast.walk(node.value)):
                names |= {t.id for target in node.targets for t in ast.walk(target) if isinstance(t, ast.Name)}
    return names


def guarded(ctx: FileContext, call: ast.Call, arg: ast.AST, *tests: Test) -> bool:
    """A test before the sink that mentions a name related to `arg` and satisfies one of `tests`."""
    names = related_names(ctx, call, arg)
    if not names:
        return False
    for test in guard_tests(ctx, call, names):
        if not any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(test)):
            continue
        if any(t(node) for node in ast.walk(test) for t in tests):
            return True
    return False


def calls_named(pattern: str) -> Test:
    """A call whose function's last name matches the regular expression."""
    regex = re.compile(pattern, re.IGNORECASE)

    def test(node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return bool(regex.fullmatch(last))

    return test


def reads_attribute(*attrs: str) -> Test:
    """A comparison or truth test that reads one of these attributes (`parsed.netloc`)."""
    wanted = set(attrs)
    return lambda node: isinstance(node, ast.Attribute) and node.attr in wanted


def membership() -> Test:
    """`x in ALLOWED` / `x not in allowed`, against something that is not a string literal."""

    def test(node: ast.AST) -> bool:
        if not (isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)):
            return False
        right = node.comparators[-1]
        return not (isinstance(right, ast.Constant) and isinstance(right.value, str))

    return test


def dotdot_test() -> Test:
    """`".." in name`: the parent-directory check."""
    return lambda node: (isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant)
                         and node.left.value == "..")
