"""Where a lock was created (class attribute, module name, local), whether an expression is a lock,
and a stable identity for it: `Cls._lock`, `MODULE_LOCK`, `func():lock` for a local, `named:foo`
for `lockutils.lock("foo")`-style named locks."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.memo import MemoKey
from secreview.rules._lifetime.lock_factories import lock_factory, lockish_name
from secreview.rules._lifetime.scopes import FUNCS, dotted, scope_of, walk_local

_LIFETIME_CLASS_LOCKS: MemoKey[dict[str, ast.Call]] = MemoKey("lifetime-class-locks")
_LIFETIME_MODULE_LOCKS: MemoKey[dict[str, ast.Call]] = MemoKey("lifetime-module-locks")
_LIFETIME_LOCAL_BINDINGS: MemoKey[tuple[frozenset[str], dict[str, ast.Call]]] = MemoKey("lifetime-local-bindings")

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


def class_locks(ctx: FileContext, cls: ast.ClassDef) -> dict[str, ast.Call]:
    """attribute -> factory call for `self.x = threading.Lock()` in methods and `x = Lock()` in the body."""

    def compute() -> dict[str, ast.Call]:
        found: dict[str, ast.Call] = {}
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and lock_factory(ctx, stmt.value):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = stmt.value
        for method in cls.body:
            if not isinstance(method, FUNCS):
                continue
            for node in walk_local(method):
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if not lock_factory(ctx, node.value):
                        continue
                    for target in targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id in ("self", "cls")
                        ):
                            found[target.attr] = node.value
        return found

    return ctx.memo(_LIFETIME_CLASS_LOCKS, cls, compute)


def module_locks(ctx: FileContext) -> dict[str, ast.Call]:
    """NAME -> factory call for module-level `NAME = threading.Lock()`."""

    def compute() -> dict[str, ast.Call]:
        found: dict[str, ast.Call] = {}
        for stmt in ctx.tree.body:
            if (
                isinstance(stmt, (ast.Assign, ast.AnnAssign))
                and isinstance(stmt.value, ast.Call)
                and lock_factory(ctx, stmt.value)
            ):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = stmt.value
        return found

    return ctx.memo(_LIFETIME_MODULE_LOCKS, ctx.tree, compute)


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


def _local_bindings(ctx: FileContext, func: FunctionNode) -> tuple[frozenset[str], dict[str, ast.Call]]:
    """Names bound in a function (parameters included) and, for locals last assigned a lock factory
    call, that call."""

    def compute() -> tuple[frozenset[str], dict[str, ast.Call]]:
        args = func.args
        names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        assigned: list[tuple[int, str, ast.expr]] = []
        for node in walk_local(func):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Assign):
                assigned += [(node.lineno, t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
        factories: dict[str, ast.Call] = {}
        for _line, name, value in sorted(assigned, key=lambda item: item[0]):
            if isinstance(value, ast.Call) and lock_factory(ctx, value):
                factories[name] = value
            else:
                factories.pop(name, None)
        return frozenset(names), factories

    return ctx.memo(_LIFETIME_LOCAL_BINDINGS, func, compute)


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
