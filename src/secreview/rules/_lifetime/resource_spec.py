"""How a kind of resource is released (`Spec`), the verdict record for one created resource
(`Lifetime`), and which calls only borrow the value or register a cleanup for it."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from secreview.analysis.context import FileContext
from secreview.rules._lifetime.scopes import dotted

# Calls that register a cleanup to run later: passing the resource (or its close method) is a release.
_REGISTER = {
    "addCleanup",
    "addAsyncCleanup",
    "register",
    "callback",
    "push",
    "enter_context",
    "enter_async_context",
    "finalize",
    "addfinalizer",
    "add_done_callback",
    "closing",
    "aclosing",
    "useFixture",
    "append_cleanup",
    "add_cleanup",
    "defer",
    "on_exit",
    "atexit",
}


@dataclass(frozen=True)
class Spec:
    """How a kind of resource is released and what may use it without taking it over."""

    kind: str  # "file", "socket", "process", ...
    release_methods: frozenset[str] = frozenset({"close"})
    release_funcs: frozenset[str] = frozenset()  # qualnames that release the value given as an argument
    # Calls that use the value but never take it over (json.load(f), os.write(fd, ...)).
    borrowers: frozenset[str] = frozenset()
    borrower_prefixes: tuple[str, ...] = ()
    takers: frozenset[str] = frozenset()  # calls that take ownership even if a prefix above matches
    aliases: frozenset[str] = frozenset()  # calls that wrap the value as another name for it (Path(d))
    release_check: Callable[[FileContext, ast.Call], bool] | None = None  # e.g. `rm -rf d` via subprocess
    verb: str = "closed"  # "never closed", "waited for", "removed"
    owned_attrs: frozenset[str] = frozenset()  # attributes that carry the resource on (proc.stdout)
    with_is_release: bool = True


@dataclass
class Lifetime:
    """What happens to one created resource."""

    verdict: str  # "never", "error-only", "early-exit", "success-path", "inline", "discarded"
    call: ast.Call
    name: str | None = None
    release: ast.AST | None = None  # first release (success-path) / the exit (early-exit)
    borrower: str | None = None  # for inline: the call that consumes it
    notes: list[str] = field(default_factory=list)


def _call_of_attribute(ctx: FileContext, attr: ast.Attribute) -> ast.Call | None:
    parent = ctx.parent(attr)
    if isinstance(parent, ast.Call) and parent.func is attr:
        return parent
    return None


def _is_borrower(ctx: FileContext, call: ast.Call, spec: Spec) -> bool:
    name = ctx.call_name(call) or ""
    if name in spec.takers:
        return False
    if name in spec.borrowers or any(name.startswith(p) for p in spec.borrower_prefixes):
        return True
    # Logging calls and str() only read the value.
    if isinstance(call.func, ast.Attribute) and call.func.attr in {
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "log",
    }:
        head = (dotted(call.func.value) or "").lower()
        if "log" in head:
            return True
    return name in _READERS


_READERS = {
    "builtins.str",
    "builtins.repr",
    "builtins.print",
    "builtins.len",
    "builtins.isinstance",
    "builtins.id",
    "builtins.bool",
    "builtins.type",
    "builtins.list",
    "builtins.tuple",
    "builtins.sorted",
    "builtins.enumerate",
    "builtins.iter",
    "builtins.next",
    "builtins.set",
    "builtins.zip",
    "builtins.map",
    "builtins.filter",
    "builtins.getattr",
    "builtins.hasattr",
    "builtins.vars",
    "builtins.dir",
}


def _registers_cleanup(ctx: FileContext, call: ast.Call) -> bool:
    name = ctx.call_name(call) or ""
    last = name.rsplit(".", 1)[-1]
    return last in _REGISTER or name in {"atexit.register", "weakref.finalize", "contextlib.closing"}
