"""Shared analysis for the SR4xx rules: lock identity, held locks, and resource lifetimes.

Two families of facts live here so that every race/deadlock/leak rule reads them the
same way:

- locks: which expressions are locks (created by a known factory, or named like
  one), a stable identity for a lock (`Cls._lock`, `MODULE_LOCK`, `named:foo` for
  `lockutils.lock("foo")`), and the locks held at a node (enclosing `with` blocks,
  `acquire()`...`release()` regions, `@synchronized` decorators);
- resources: for a call that creates something that must be released (a file, a
  socket, a process, a temporary directory...), whether the value is released on
  every path (`with`, release in `finally`/`except`, a registered cleanup), escapes
  (returned, stored, handed to another call), or leaks.

Everything is local to one function (or the module body) and read-only.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit

FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

# ---------------------------------------------------------------------------------------
# Scopes
# ---------------------------------------------------------------------------------------


def scope_of(ctx: FileContext, node: ast.AST) -> ast.AST:
    """The function (or lambda) holding `node`; the module at module level and in class bodies."""
    for anc in ctx.ancestors(node):
        if isinstance(anc, FUNCS):
            return anc
        if isinstance(anc, ast.Lambda):
            return anc
    return ctx.tree


def walk_local(root: ast.AST) -> Iterator[ast.AST]:
    """Every node under `root` without entering nested functions, lambdas or classes."""
    stack = list(ast.iter_child_nodes(root)) if isinstance(root, (*_NESTED, ast.Module)) else [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _NESTED):
            continue
        stack.extend(ast.iter_child_nodes(node))


def walk_stmts(stmts: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a statement list, not entering nested scopes."""
    for stmt in stmts:
        if isinstance(stmt, _NESTED):
            yield stmt
        else:
            yield from walk_local(stmt)


def in_nested_scope(ctx: FileContext, node: ast.AST, scope: ast.AST) -> bool:
    """True when `node` sits in a function/lambda/class nested inside `scope`."""
    for anc in ctx.ancestors(node):
        if anc is scope:
            return False
        if isinstance(anc, _NESTED):
            return True
    return False


def _field_of(parent: ast.AST, child: ast.AST) -> str | None:
    for name, value in ast.iter_fields(parent):
        if value is child or (isinstance(value, list) and any(v is child for v in value)):
            return name
    return None


def contains(outer: ast.AST, inner: ast.AST) -> bool:
    return any(n is inner for n in ast.walk(outer))


def in_cleanup(ctx: FileContext, node: ast.AST, scope: ast.AST, since: ast.AST | None = None) -> str | None:
    """ "finally" or "except" when `node` runs in a finally block or an except handler within `scope`
    (and, with `since`, one that does not also hold the statement `since`)."""
    child = node
    for anc in ctx.ancestors(node):
        if anc is scope:
            return None
        if isinstance(anc, _TRY) and _field_of(anc, child) == "finalbody":
            if since is None or not any(contains(s, since) for s in anc.finalbody):
                return "finally"
        if isinstance(anc, ast.ExceptHandler) and (since is None or not contains(anc, since)):
            return "except"
        child = anc
    return None


_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))


def segment(ctx: FileContext, node: ast.AST) -> str:
    """The source text of `node`, read from the file's cached lines (`ctx.segment` re-splits the whole
    source on every call, which is too slow for rules that describe many nodes)."""
    line, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    if line is None or end is None or col is None or end_col is None:
        return ""
    lines = [text.encode("utf-8") for text in ctx.lines[line - 1 : end]]
    if len(lines) != end - line + 1:
        return ""
    if len(lines) == 1:
        return lines[0][col:end_col].decode("utf-8", "replace")
    parts = [lines[0][col:], *lines[1:-1], lines[-1][:end_col]]
    return "\n".join(p.decode("utf-8", "replace") for p in parts)


def dotted(expr: ast.AST | None) -> str | None:
    """`self._lock` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def has_call(node: ast.AST, ignore: ast.AST | None = None) -> bool:
    """Does the statement/expression contain a call (or await) other than `ignore`?"""
    nodes = (
        [node, *walk_local(node)] if not isinstance(node, (*_NESTED, ast.Module)) else list(walk_local(node))
    )
    return any(isinstance(n, (ast.Call, ast.Await)) and n is not ignore for n in nodes)


# ---------------------------------------------------------------------------------------
# Locks
# ---------------------------------------------------------------------------------------

# qualified factory -> reentrant?
LOCK_FACTORIES: dict[str, bool] = {
    "threading.Lock": False,
    "threading.RLock": True,
    "threading.Condition": True,
    "threading.Semaphore": False,
    "threading.BoundedSemaphore": False,
    "_thread.allocate_lock": False,
    "thread.allocate_lock": False,
    "_thread.LockType": False,
    "multiprocessing.Lock": False,
    "multiprocessing.RLock": True,
    "multiprocessing.Condition": True,
    "multiprocessing.Semaphore": False,
    "multiprocessing.BoundedSemaphore": False,
    "eventlet.semaphore.Semaphore": False,
    "eventlet.semaphore.BoundedSemaphore": False,
    "eventlet.green.threading.Lock": False,
    "eventlet.green.threading.RLock": True,
    "gevent.lock.Semaphore": False,
    "gevent.lock.BoundedSemaphore": False,
    "gevent.lock.RLock": True,
    "asyncio.Lock": False,
    "asyncio.Condition": False,
    "asyncio.Semaphore": False,
    "asyncio.BoundedSemaphore": False,
    "anyio.Lock": False,
    "trio.Lock": False,
}
# Factories whose lock deadlocks when its holder takes it again (value-1 semaphores included).
_SEMAPHORES = {
    "threading.Semaphore",
    "threading.BoundedSemaphore",
    "multiprocessing.Semaphore",
    "multiprocessing.BoundedSemaphore",
    "eventlet.semaphore.Semaphore",
    "eventlet.semaphore.BoundedSemaphore",
    "gevent.lock.Semaphore",
    "gevent.lock.BoundedSemaphore",
}
ASYNC_FACTORIES = {
    "asyncio.Lock",
    "asyncio.Condition",
    "asyncio.Semaphore",
    "asyncio.BoundedSemaphore",
    "anyio.Lock",
    "trio.Lock",
}
_LOCK_WORDS = {
    "lock",
    "locks",
    "rlock",
    "mutex",
    "mtx",
    "sem",
    "sema",
    "semaphore",
    "cond",
    "condition",
    "cv",
    "lck",
    "guard",
}
_NOT_LOCK_WORDS = {"block", "blocks", "clock", "unlock", "unblock", "deadlock", "blocking", "flock"}
# Helpers whose job is to take a lock and hand it back to the caller.
LOCK_HELPER_NAMES = {
    "__enter__",
    "__aenter__",
    "acquire",
    "lock",
    "_acquire",
    "_lock",
    "enter",
    "setUp",
    "start",
    "begin",
    "take",
    "get_lock",
    "grab",
}
_NAMED_LOCK_CALLS = {
    "lock",
    "external_lock",
    "internal_lock",
    "InterProcessLock",
    "FileLock",
    "Lock",
    "synchronized",
    "lock_path",
}


def _words(identifier: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier)
    return [w for w in spaced.lower().split("_") if w]


def lockish_name(identifier: str) -> bool:
    """`_lock`, `state_mutex`, `_cond`, `rlock`, `dbLock` yes; `block`, `clock`, `unlock` no."""
    for word in _words(identifier):
        if word in _NOT_LOCK_WORDS:
            continue
        if word in _LOCK_WORDS or (word.endswith("lock") and len(word) > 4) or word.endswith("mutex"):
            return True
    return False


def lock_factory(ctx: FileContext, value: ast.AST | None) -> str | None:
    if isinstance(value, ast.Call):
        name = ctx.call_name(value)
        if name in LOCK_FACTORIES:
            return name
    return None


def is_reentrant(ctx: FileContext, factory_call: ast.Call) -> bool:
    name = ctx.call_name(factory_call) or ""
    if name in _SEMAPHORES:
        value = (
            factory_call.args[0]
            if factory_call.args
            else next((k.value for k in factory_call.keywords if k.arg == "value"), None)
        )
        # A counting semaphore may be taken twice; only a value-1 semaphore is a mutex.
        return not (value is None or (isinstance(value, ast.Constant) and value.value == 1))
    return LOCK_FACTORIES.get(name, True)


def class_locks(ctx: FileContext, cls: ast.ClassDef) -> dict[str, ast.Call]:
    """attribute -> factory call for `self.x = threading.Lock()` in methods and `x = Lock()` in the body."""

    def compute() -> dict[str, ast.Call]:
        found: dict[str, ast.Call] = {}
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and lock_factory(ctx, stmt.value):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = stmt.value  # type: ignore[assignment]
        for method in cls.body:
            if not isinstance(method, FUNCS):
                continue
            for node in walk_local(method):
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if not lock_factory(ctx, node.value):
                        continue
                    for target in targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id in ("self", "cls")
                        ):
                            found[target.attr] = node.value  # type: ignore[assignment]
        return found

    return ctx.memo("lifetime-class-locks", cls, compute)


def module_locks(ctx: FileContext) -> dict[str, ast.Call]:
    """NAME -> factory call for module-level `NAME = threading.Lock()`."""

    def compute() -> dict[str, ast.Call]:
        found: dict[str, ast.Call] = {}
        for stmt in ctx.tree.body:
            if (
                isinstance(stmt, (ast.Assign, ast.AnnAssign))
                and stmt.value is not None
                and lock_factory(ctx, stmt.value)
            ):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = stmt.value  # type: ignore[assignment]
        return found

    return ctx.memo("lifetime-module-locks", ctx.tree, compute)


def lock_creation(ctx: FileContext, expr: ast.AST) -> ast.Call | None:
    """The factory call that created the lock `expr` refers to (class attribute, module name, local)."""
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        cls = ctx.enclosing_class(expr)
        if cls is not None and expr.value.id in ("self", "cls", cls.name):
            return class_locks(ctx, cls).get(expr.attr)
        return None
    if isinstance(expr, ast.Name):
        func = scope_of(ctx, expr)
        if isinstance(func, FUNCS):
            local = _local_bindings(ctx, func)[1].get(expr.id)
            if local is not None:
                return local
        return module_locks(ctx).get(expr.id)
    return None


def _local_bindings(ctx: FileContext, func: ast.AST) -> tuple[frozenset[str], dict[str, ast.Call]]:
    """Names bound in a function (parameters included) and, for locals last assigned a lock factory
    call, that call."""

    def compute() -> tuple[frozenset[str], dict[str, ast.Call]]:
        args = func.args  # type: ignore[attr-defined]
        names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        assigned: list[tuple[int, str, ast.expr]] = []
        for node in walk_local(func):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Assign):
                assigned += [(node.lineno, t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
        factories: dict[str, ast.Call] = {}
        for _line, name, value in sorted(assigned, key=lambda item: item[0]):
            if lock_factory(ctx, value):
                factories[name] = value  # type: ignore[assignment]
            else:
                factories.pop(name, None)
        return frozenset(names), factories

    return ctx.memo("lifetime-local-bindings", func, compute)


def is_lock(ctx: FileContext, expr: ast.AST) -> bool:
    """Created by a known lock factory, or named like a lock (`self._lock`, `STATE_MUTEX`)."""
    if lock_creation(ctx, expr) is not None:
        return True
    if isinstance(expr, ast.Attribute):
        return lockish_name(expr.attr)
    if isinstance(expr, ast.Name):
        return lockish_name(expr.id)
    return False


def lock_key(ctx: FileContext, expr: ast.AST) -> str | None:
    """A stable identity: `Cls._lock` for self/cls attributes, the dotted text otherwise,
    `named:foo` for `lockutils.lock("foo")`-style named locks."""
    if isinstance(expr, ast.Call):
        name = ctx.call_name(expr) or ""
        arg = expr.args[0] if expr.args else next((k.value for k in expr.keywords if k.arg == "name"), None)
        if (
            name.rsplit(".", 1)[-1] in _NAMED_LOCK_CALLS
            and isinstance(arg, ast.Constant)
            and isinstance(arg.value, str)
        ):
            return f"named:{arg.value}"
        return None
    text = dotted(expr)
    if text is None:
        return None
    root, _, rest = text.partition(".")
    if root in ("self", "cls") and rest:
        cls = ctx.enclosing_class(expr)
        return f"{cls.name if cls else '?'}.{rest}"
    cls = ctx.enclosing_class(expr)
    if cls is not None and root == cls.name and rest:
        return text
    func = scope_of(ctx, expr)
    if isinstance(func, FUNCS) and root in _local_bindings(ctx, func)[0]:
        return f"{func.name}():{text}"  # a local lock: distinct from same-named locals elsewhere
    return text


def with_lock_items(ctx: FileContext, node: ast.With | ast.AsyncWith) -> list[tuple[str, ast.expr]]:
    """(key, expr) for the items of a `with` that are locks, in order."""
    found = []
    for item in node.items:
        expr = item.context_expr
        key = lock_key(ctx, expr) if isinstance(expr, ast.Call) or is_lock(ctx, expr) else None
        if key:
            found.append((key, expr))
    return found


def lock_call(ctx: FileContext, stmt: ast.AST, method: str) -> str | None:
    """The lock key when `stmt` is the statement `lock.<method>()` (also `await lock.acquire()`)."""
    if not isinstance(stmt, ast.Expr):
        return None
    call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
    if (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == method
        and is_lock(ctx, call.func.value)
    ):
        return lock_key(ctx, call.func.value)
    return None


def decorator_locks(ctx: FileContext, func: ast.AST) -> list[str]:
    """Locks a function holds through `@synchronized(...)`-style decorators ("named:x" or "decorator")."""
    keys = []
    for deco in getattr(func, "decorator_list", ()):
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = (ctx.qualname(target) or "").rsplit(".", 1)[-1]
        if "synchronized" in name.lower() or name in ("locked", "with_lock", "locked_method", "serialized"):
            key = lock_key(ctx, deco) if isinstance(deco, ast.Call) else None
            if key is None and isinstance(deco, ast.Call) and deco.args and is_lock(ctx, deco.args[0]):
                key = lock_key(ctx, deco.args[0])
            keys.append(key or "decorator")
    return keys


def held_locks(ctx: FileContext, node: ast.AST, scope: ast.AST | None = None) -> list[tuple[str, ast.AST]]:
    """Locks held where `node` runs, outermost first: enclosing lock `with` items (within the
    function), `x.acquire()` statements earlier in an enclosing block not yet released, and
    `@synchronized` decorators of the function."""
    scope = scope or scope_of(ctx, node)
    held: list[tuple[str, ast.AST]] = []
    child = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, (ast.With, ast.AsyncWith)) and _field_of(anc, child) == "body":
            held[:0] = with_lock_items(ctx, anc)
        for _name, value in ast.iter_fields(anc):
            if isinstance(value, list) and any(v is child for v in value):
                idx = next(i for i, v in enumerate(value) if v is child)
                open_keys: dict[str, ast.AST] = {}
                for stmt in value[:idx]:
                    key = lock_call(ctx, stmt, "acquire")
                    if key:
                        open_keys[key] = stmt
                    key = lock_call(ctx, stmt, "release")
                    if key:
                        open_keys.pop(key, None)
                # Only a critical section counts: the block releases the lock later. A lock acquired
                # and left held (`started.acquire()` as a signal for another thread) is not one.
                rest = value[idx:]
                held[:0] = [
                    (key, stmt)
                    for key, stmt in open_keys.items()
                    if any(lock_call(ctx, n, "release") == key for s in rest for n in ast.walk(s))
                ]
        if anc is scope:
            break
        if isinstance(anc, _NESTED):
            break
        child = anc
    if isinstance(scope, FUNCS):
        held[:0] = [(k, scope) for k in decorator_locks(ctx, scope)]
    return held


# ---------------------------------------------------------------------------------------
# Resource lifetimes
# ---------------------------------------------------------------------------------------

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


def _binding(ctx: FileContext, call: ast.AST) -> tuple[str, ast.AST] | str:
    """(name, binding statement) when the call's value is bound to a plain local name;
    otherwise a short word for what happens to it: "with", "inline", "argument", "escape", "discarded"."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Await):
        call, parent = parent, ctx.parent(parent)  # type: ignore[assignment]
    if isinstance(parent, ast.withitem):
        return "with"
    if isinstance(parent, ast.Attribute) and parent.value is call:
        return "inline"
    if isinstance(parent, ast.Call) and call is not parent.func:
        return "argument"
    if isinstance(parent, ast.keyword):
        return "argument"
    if isinstance(parent, ast.Expr):
        return "discarded"
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is call:
        return "inline"
    if (
        isinstance(parent, ast.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        return parent.targets[0].id, parent
    if isinstance(parent, ast.AnnAssign) and isinstance(parent.target, ast.Name):
        return parent.target.id, parent
    if isinstance(parent, ast.NamedExpr):
        return parent.target.id, parent
    return "escape"


def _declared_outside(scope: ast.AST, name: str) -> bool:
    return any(isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names for node in walk_local(scope))


def _uses(ctx: FileContext, scope: ast.AST, name: str, binding: ast.AST) -> list[ast.Name] | None:
    """Loads of `name` that may see the bound value; None when the name is used in a nested scope."""
    start = (binding.lineno, binding.col_offset)
    loop = next(
        (
            a
            for a in ctx.ancestors(binding)
            if isinstance(a, (ast.For, ast.While, ast.AsyncFor))
            and not in_nested_scope(ctx, a, scope)
            and a is not scope
        ),
        None,
    )
    found = []
    nodes = ast.walk(scope) if scope is not ctx.tree else ast.walk(ctx.tree)
    for node in nodes:
        if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
            continue
        if in_nested_scope(ctx, node, scope):
            return None  # a closure or nested function keeps it: ownership is unclear
        if (node.lineno, node.col_offset) <= start:
            if loop is None or not any(a is loop for a in ctx.ancestors(node)):
                continue
        found.append(node)
    return found


_DATA_ATTRS = {
    "name",
    "mode",
    "closed",
    "encoding",
    "errors",
    "pid",
    "returncode",
    "args",
    "fileno",
    "family",
    "type",
    "proto",
    "newlines",
    "buffer",
    "raw",
    "status",
    "reason",
    "headers",
    "url",
    "code",
}
_FLOWS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.keyword, ast.Starred, ast.IfExp, ast.BoolOp)


def _classify(ctx: FileContext, use: ast.Name, spec: Spec) -> str:
    """ "release", "registered", "with", "escape" or "use" for one load of the resource's name."""
    parent = ctx.parent(use)
    if isinstance(parent, ast.Attribute) and parent.value is use:
        call = _call_of_attribute(ctx, parent)
        if call is not None:
            return "release" if parent.attr in spec.release_methods else "use"
        if parent.attr in spec.release_methods:
            return "registered"  # self.addCleanup(f.close), atexit.register(p.kill) ...
        grand = ctx.parent(parent)
        if isinstance(grand, ast.keyword):
            grand = ctx.parent(grand)
        if (
            isinstance(grand, ast.Call)
            and grand.func is not parent
            and parent.attr not in _DATA_ATTRS
            and not _is_borrower(ctx, grand, spec)
        ):
            return "escape"  # setwriter(err.write): a bound method keeps the object alive elsewhere
        targets = grand.targets if isinstance(grand, ast.Assign) else [getattr(grand, "target", None)]
        if (
            parent.attr in spec.owned_attrs
            and isinstance(grand, (ast.Return, ast.Yield, ast.YieldFrom))
            or (
                parent.attr in spec.owned_attrs
                and isinstance(grand, (ast.Assign, ast.AnnAssign))
                and grand.value is parent
                and not all(isinstance(t, ast.Name) for t in targets)
            )
        ):
            return "escape"  # return proc.stdout / self.out = proc.stdout
        return "use"
    if isinstance(parent, ast.withitem) and parent.context_expr is use:
        return "with" if spec.with_is_release else "use"
    child: ast.AST = use
    for anc in ctx.ancestors(use):
        if isinstance(anc, _FLOWS) and not (isinstance(anc, ast.IfExp) and anc.test is child):
            child = anc
            continue
        if isinstance(anc, ast.Call):
            if child is anc.func:
                return "use"
            name = ctx.call_name(anc) or ""
            direct = child is use or isinstance(child, ast.keyword) and child.value is use
            if name in spec.release_funcs and direct:
                return "release"
            if spec.release_check is not None and spec.release_check(ctx, anc):
                return "release"
            if _registers_cleanup(ctx, anc):
                return "registered"
            if name in spec.aliases and direct:
                return "escape"  # Path(tmpdir): the same resource under another name
            return "use" if _is_borrower(ctx, anc, spec) else "escape"
        if isinstance(anc, (ast.Return, ast.Yield, ast.YieldFrom)):
            return "escape"
        if isinstance(anc, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            return "escape" if child is anc.value else "use"  # alias, or stored in an attribute/container
        return "use"
    return "use"


def _exits_between(ctx: FileContext, scope: ast.AST, binding: ast.AST, end: int) -> ast.stmt | None:
    """A return/raise strictly between the binding and a line, not in a nested scope, and not in
    an `except` handler of the `try` whose body makes the binding (the value does not exist there)."""
    start = binding.lineno
    name = getattr(binding, "targets", [getattr(binding, "target", None)])[0]
    name = name.id if isinstance(name, ast.Name) else None
    for node in walk_local(scope):
        if isinstance(node, (ast.Return, ast.Raise)) and start < node.lineno < end:
            if name and _guarded_by_absence(ctx, node, name):
                continue  # `if not proc: return None`: nothing to release there
            handler = next((a for a in ctx.ancestors(node) if isinstance(a, ast.ExceptHandler)), None)
            if handler is not None:
                trial = ctx.parent(handler)
                if trial is not None and any(contains(stmt, binding) for stmt in getattr(trial, "body", [])):
                    continue
            return node
    return None


def _guarded_by_absence(ctx: FileContext, node: ast.AST, name: str) -> bool:
    """The exit runs only when the resource is missing: `if not f:` / `if f is None:`."""
    for anc in ctx.ancestors(node):
        if isinstance(anc, ast.If) and any(contains(s, node) for s in anc.body):
            test = anc.test
            if (
                isinstance(test, ast.UnaryOp)
                and isinstance(test.op, ast.Not)
                and isinstance(test.operand, ast.Name)
                and test.operand.id == name
            ):
                return True
            if (
                isinstance(test, ast.Compare)
                and isinstance(test.left, ast.Name)
                and test.left.id == name
                and isinstance(test.ops[0], ast.Is)
                and isinstance(test.comparators[0], ast.Constant)
            ):
                return True
        if isinstance(anc, _NESTED):
            break
    return False


def _calls_between(ctx: FileContext, scope: ast.AST, start: int, end: int, skip: ast.AST) -> bool:
    for node in walk_local(scope):
        if isinstance(node, (ast.Call, ast.Await)) and start < node.lineno < end and node is not skip:
            return True
    return False


def lifetime(
    ctx: FileContext, call: ast.Call, spec: Spec, name_override: tuple[str, ast.AST] | None = None
) -> Lifetime | None:
    """What happens to the resource created by `call`; None when it is released on every path or
    escapes the function (returned, stored, handed over, kept by a closure)."""
    bound = name_override or _binding(ctx, call)
    if isinstance(bound, str):
        if bound == "inline":
            parent = ctx.parent(call)
            if isinstance(parent, ast.Attribute) and (
                parent.attr in spec.release_methods or parent.attr in ("__enter__", "__aenter__")
            ):
                return None  # open(p, "a").close(), Popen(cmd).wait()
            return Lifetime(bound, call)
        if bound == "discarded":
            return Lifetime(bound, call)
        if bound == "argument":
            parent = ctx.parent(call)
            outer = ctx.parent(parent) if isinstance(parent, ast.keyword) else parent
            if isinstance(outer, ast.Call) and (ctx.call_name(outer) or "") in spec.release_funcs:
                return None  # os.close(os.open(...))
            if (
                isinstance(outer, ast.Call)
                and _is_borrower(ctx, outer, spec)
                and not _registers_cleanup(ctx, outer)
            ):
                return Lifetime("inline", call, borrower=ctx.call_name(outer))
        return None
    name, binding = bound
    scope = scope_of(ctx, call)
    if isinstance(scope, ast.Lambda) or _declared_outside(scope, name):
        return None
    uses = _uses(ctx, scope, name, binding)
    if uses is None:
        return None
    releases = []
    for use in uses:
        kind = _classify(ctx, use, spec)
        if kind in ("escape", "registered", "with"):
            return None
        if kind == "release":
            releases.append(use)
    if not releases:
        return Lifetime("never", call, name)
    places = [in_cleanup(ctx, r, scope, since=binding) for r in releases]
    if "finally" in places:
        return None
    if "except" in places:
        if None in places:
            return None  # released in the handler and on the normal path
        first = next(r for r, p in zip(releases, places, strict=True) if p == "except")
        return Lifetime("error-only", call, name, release=first)
    first = min(releases, key=lambda r: (r.lineno, r.col_offset))
    exit_stmt = _exits_between(ctx, scope, binding, first.lineno)
    if exit_stmt is not None and not _exit_releases(ctx, exit_stmt, releases):
        return Lifetime("early-exit", call, name, release=exit_stmt)
    end = getattr(binding, "end_lineno", binding.lineno) or binding.lineno
    if _calls_between(ctx, scope, end, first.lineno, call):
        return Lifetime("success-path", call, name, release=first)
    return None


def _exit_releases(ctx: FileContext, exit_stmt: ast.stmt, releases: list[ast.Name]) -> bool:
    """True when a release sits just before the exit in the same block (`f.close(); return x`)."""
    parent = ctx.parent(exit_stmt)
    for _name, value in ast.iter_fields(parent) if parent else ():
        if isinstance(value, list) and any(v is exit_stmt for v in value):
            idx = next(i for i, v in enumerate(value) if v is exit_stmt)
            before = value[:idx]
            return any(any(r is n for n in walk_stmts(before)) for r in releases)
    return False


def describe(life: Lifetime, what: str, spec: Spec) -> str:
    """A one-sentence message for a leak verdict."""
    label = f"`{life.name}`" if life.name else what
    verb = spec.verb
    line = getattr(life.release, "lineno", "?")
    if life.verdict == "never":
        return f"{label} ({what}) is never {verb} in this function, nor returned, stored or handed over."
    if life.verdict == "early-exit":
        return f"{label} ({what}) is not {verb} when the function leaves early at line {line}."
    if life.verdict == "success-path":
        return (
            f"{label} ({what}) is {verb} at line {line} only if nothing before it raises "
            f"(not in `finally`/`with`)."
        )
    if life.verdict == "error-only":
        return (
            f"{label} ({what}) is {verb} only in the `except` handler at line {line}, not on the normal path."
        )
    if life.verdict == "inline" and life.borrower:
        return f"{what} is passed straight to `{life.borrower}` and never {verb}."
    if life.verdict == "inline":
        return f"{what} is used inline and never {verb}; it stays open until garbage collection."
    return f"{what} is created, discarded and never {verb}."


# How sure and how serious each verdict is (None = the rule's default severity).
_LEVELS = {
    "never": (None, Confidence.HIGH),
    "error-only": (None, Confidence.MEDIUM),
    "early-exit": (None, Confidence.MEDIUM),
    "success-path": (Severity.LOW, Confidence.LOW),
    "inline": (Severity.LOW, Confidence.MEDIUM),
    "discarded": (Severity.LOW, Confidence.MEDIUM),
}


def leak_hit(
    ctx: FileContext,
    call: ast.Call,
    spec: Spec,
    what: str,
    fix: str | None = None,
    verdicts: tuple[str, ...] = tuple(_LEVELS),
) -> Hit | None:
    """A Hit for the resource created by `call` when its lifetime verdict is one of `verdicts`."""
    life = lifetime(ctx, call, spec)
    if life is None or life.verdict not in verdicts:
        return None
    severity, confidence = _LEVELS[life.verdict]
    return Hit(call, describe(life, what, spec), fix=fix, severity=severity, confidence=confidence)
