"""Child process started and never waited for.

## What it flags
`subprocess.Popen(...)` (and `asyncio.create_subprocess_exec/shell`) bound to a
local name that is never reaped: no `wait()`, `communicate()` or `poll()`, not
used as a context manager, not returned or stored; or reaped only in an `except`
handler, skipped by an early `return`, or reaped only after calls that may raise
(low confidence). Also `communicate(timeout=...)`/`wait(timeout=...)` whose
`TimeoutExpired` is not handled, or is handled without touching the child (the
finding is then on the `Popen`), so the child is neither killed nor reaped, and a
bare `subprocess.Popen(...)` statement whose object is thrown away (low).

## Why it matters
A child that exits before its parent waits for it stays in the process table as
a zombie, and the pipes opened for it stay open in the parent. Agents that shell
out per request (`ip`, `ovs-vsctl`, `qemu-img`) accumulate zombies and
descriptors until the host's process or file limits are hit (CWE-404). After a
timeout the child keeps running with the service's privileges.

## Example
```python
import subprocess

def disk_usage(path):
    proc = subprocess.Popen(["du", "-sb", path], stdout=subprocess.PIPE)
    first = proc.stdout.readline()
    return int(first.split()[0])
```

## Use instead
```python
import subprocess

def disk_usage(path):
    proc = subprocess.Popen(["du", "-sb", path], stdout=subprocess.PIPE)
    out, _ = proc.communicate()
    return int(out.split()[0])
```

## References
- CWE-404: Improper Resource Shutdown or Release
- Python docs, `subprocess.Popen.communicate` (the `TimeoutExpired` recipe)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.resource_spec import Spec
from secreview.rules._lifetime.resource_verdict import leak_hit
from secreview.rules._lifetime.scopes import scope_of, walk_local
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR423",
    name="process-not-waited",
    title="Child process never waited for",
    cwe=404,
    type="leak",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Reap the child on every path: `out, err = proc.communicate()`, "
    "`with subprocess.Popen(...) as proc:`, or `subprocess.run(...)`; "
    "on `TimeoutExpired` call `proc.kill()` then `proc.communicate()`.",
)
NODES = (ast.Call,)
# The creators below all spell "subprocess"; the timeout check needs `.communicate()`/`.wait()`.
NEEDS = ("subprocess", "communicate", "wait")

_CREATORS = {
    "subprocess.Popen",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncio.subprocess.create_subprocess_exec",
    "asyncio.subprocess.create_subprocess_shell",
}
_SPEC = Spec(
    "process",
    release_methods=frozenset({"wait", "communicate", "poll", "__exit__"}),
    borrower_prefixes=("os.kill", "os.killpg", "signal."),
    verb="waited for",
    owned_attrs=frozenset({"stdout", "stderr", "stdin"}),
)
_TIMEOUT_ERRORS = {"TimeoutExpired", "SubprocessError", "Exception", "BaseException", "TimeoutError"}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node)
    if name not in _CREATORS:
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("communicate", "wait"):
            yield from _unhandled_timeout(node, ctx)
        return
    what = f"the process from `{name}()`"
    verdicts: tuple[str, ...] = ("never", "error-only", "early-exit", "success-path")
    if name == "subprocess.Popen" and ctx.enclosing_function(node) is not None:
        verdicts += ("discarded",)
    hit = leak_hit(ctx, node, _SPEC, what, verdicts=verdicts)
    if hit is not None:
        yield hit


def _unhandled_timeout(call: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    """`proc.communicate(timeout=30)` outside a try that handles TimeoutExpired."""
    if not any(
        k.arg == "timeout" and not (isinstance(k.value, ast.Constant) and k.value.value is None)
        for k in call.keywords
    ):
        return
    method = call.func
    if not isinstance(method, ast.Attribute):  # (the caller matched `x.communicate(...)`/`x.wait(...)`)
        return
    receiver = method.value
    if not isinstance(receiver, ast.Name):
        return
    scope = scope_of(ctx, call)
    created = next(
        (
            n
            for n in walk_local(scope)
            if isinstance(n, ast.Assign)
            and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name)
            and n.targets[0].id == receiver.id
            and isinstance(n.value, ast.Call)
            and ctx.call_name(n.value) == "subprocess.Popen"
        ),
        None,
    )
    if created is None:
        return
    for anc in ctx.ancestors(call):
        if anc is scope:
            break
        if (
            isinstance(anc, ast.Try)
            and any(_handles_timeout(ctx, h) for h in anc.handlers)
            and any(any(n is call for n in ast.walk(stmt)) for stmt in anc.body)
        ):
            handler = next(h for h in anc.handlers if _handles_timeout(ctx, h))
            if not _mentions(handler.body + anc.finalbody, receiver.id):
                # The timeout is caught, but nothing kills or reaps the child on that path.
                yield Hit(
                    created.value,
                    f"the process `{receiver.id}` is left running when `{receiver.id}.{method.attr}()` "
                    f"times out: the handler at line {handler.lineno} neither kills nor reaps it.",
                    confidence=Confidence.MEDIUM,
                )
            return
        if isinstance(anc, (ast.With, ast.AsyncWith)) and any(
            i.context_expr is created.value for i in anc.items
        ):
            return
    yield Hit(
        call,
        f"`{receiver.id}.{method.attr}(timeout=...)` raises TimeoutExpired without killing or "
        f"reaping `{receiver.id}`: the child keeps running and becomes a zombie.",
        confidence=Confidence.MEDIUM,
    )


def _mentions(stmts: list[ast.stmt], name: str) -> bool:
    """The statements use the process (`proc.kill()`, `proc.communicate()`, `_reap(proc)`)."""
    return any(isinstance(n, ast.Name) and n.id == name for s in stmts for n in ast.walk(s))


def _handles_timeout(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((ctx.qualname(t) or "").rsplit(".", 1)[-1] in _TIMEOUT_ERRORS for t in types)
