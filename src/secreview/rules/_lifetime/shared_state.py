"""The state a lock guards, for unsynchronized-shared-state: who owns it (a class with `self._lock`, or a
module with a module-level lock), which attributes or globals are read or changed under that lock, which
functions run with it held by contract, and what counts as changing the state."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.memo import MemoKey
from secreview.rules._lifetime.lock_factories import ASYNC_FACTORIES
from secreview.rules._lifetime.lock_identity import class_locks, module_locks
from secreview.rules._lifetime.lock_regions import held_locks
from secreview.rules._lifetime.scopes import FUNCS, walk_local

_SR403_LOCALS: MemoKey[tuple[set[str], set[str]]] = MemoKey("sr403-locals")

_MUTATORS = {"append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "remove",
             "discard", "clear", "appendleft", "extendleft", "popleft", "sort", "reverse",
             "difference_update", "intersection_update", "symmetric_difference_update"}  # fmt: skip
INIT_LIKE = {"__init__", "__new__", "__post_init__", "__init_subclass__", "__setstate__", "__getstate__",
              "__copy__", "__deepcopy__", "__del__", "setUp", "setUpClass", "tearDown", "__repr__",
              "__str__"}  # fmt: skip


@dataclass
class Owner:
    """Either a class (state = `self.X`) or the module (state = global names)."""

    lock_keys: set[str]
    asyncio: bool
    functions: list[FunctionNode]
    state_of: Callable[[ast.AST, FunctionNode], str | None]  # the state a node names in a function, or None
    locks: dict[str, ast.Call]  # lock name -> its creation
    guarded: dict[str, tuple[ast.expr, bool]] = field(default_factory=dict)  # name -> (site, mutated there)
    unused: ast.Call | None = None  # the creation of a lock nothing ever takes: it guards everything

    def guard(self, name: str | None) -> tuple[ast.expr, bool] | None:
        if name is not None and name in self.guarded:
            return self.guarded[name]
        return (self.unused, False) if self.unused is not None and name is not None else None

    def why(self, name: str) -> str:
        guard = self.guard(name)
        assert guard is not None, "asked only of state that has a guard"
        site = guard[0]
        if site is self.unused and name not in self.guarded:
            lock = next(k for k, v in self.locks.items() if v is site)
            return f"without a lock, although `{lock}` is created at line {site.lineno} and never taken"
        return f"without the lock that guards it at line {site.lineno}"


def class_owner(ctx: FileContext, cls: ast.ClassDef) -> Owner | None:
    locks = class_locks(ctx, cls)
    if not locks:
        return None
    methods = {s.name for s in cls.body if isinstance(s, FUNCS)}

    def state_of(node: ast.AST, func: FunctionNode) -> str | None:
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and node.attr not in locks
            and node.attr not in methods
        ):
            return node.attr
        return None

    return Owner(
        {f"{cls.name}.{a}" for a in locks},
        all(ctx.call_name(c) in ASYNC_FACTORIES for c in locks.values()),
        [s for s in cls.body if isinstance(s, FUNCS)],
        state_of,
        {f"self.{a}": c for a, c in locks.items()},
    )


def module_owner(ctx: FileContext) -> Owner | None:
    locks = module_locks(ctx)
    if not locks:
        return None
    module_names = set()
    for stmt in ctx.tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            module_names |= {t.id for t in targets if isinstance(t, ast.Name)}
    module_names -= set(locks)
    functions = [s for s in ctx.tree.body if isinstance(s, FUNCS)]

    def state_of(node: ast.AST, func: FunctionNode) -> str | None:
        if isinstance(node, ast.Name) and node.id in module_names and not _local(ctx, func, node.id):
            return node.id
        return None

    return Owner(
        set(locks),
        all(ctx.call_name(c) in ASYNC_FACTORIES for c in locks.values()),
        functions,
        state_of,
        dict(locks),
    )


def never_taken(ctx: FileContext, owner: Owner, scope: ast.AST) -> ast.Call | None:
    """The creation of the owner's only lock when nothing in the module takes or passes it on
    (`self._lock` in this class, `x._lock` anywhere): the author meant to guard this state and forgot."""
    if len(owner.locks) != 1:
        return None
    name, creation = next(iter(owner.locks.items()))
    short = name.rsplit(".", 1)[-1]
    for node in ctx.tree_nodes():
        if not isinstance(getattr(node, "ctx", None), ast.Load):
            continue
        if isinstance(node, ast.Name) and node.id == short and isinstance(scope, ast.Module):
            return None
        if isinstance(node, ast.Attribute) and node.attr == short:
            own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not own or ctx.enclosing_class(node) is scope:
                return None
    return creation


def _local(ctx: FileContext, func: FunctionNode, name: str) -> bool:
    """Bound in the function without a `global` declaration (then it shadows the module name)."""

    def compute() -> tuple[set[str], set[str]]:
        stores: set[str] = set()
        globals_: set[str] = set()
        for node in walk_local(func):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                stores.add(node.id)
            elif isinstance(node, ast.Global):
                globals_.update(node.names)
        args = func.args
        stores |= {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        return stores, globals_

    stores, globals_ = ctx.memo(_SR403_LOCALS, func, compute)
    return name in stores and name not in globals_


def held(ctx: FileContext, node: ast.AST, func: ast.AST) -> set[str]:
    return {k for k, _ in held_locks(ctx, node, func)}


def collect_guarded(ctx: FileContext, owner: Owner) -> None:
    for func in owner.functions:
        if func.name in INIT_LIKE:
            continue
        for node in walk_local(func):
            name = owner.state_of(node, func)
            # (state_of names only a Name or an Attribute: the isinstance test is for the checker)
            if name is None or not isinstance(node, ast.expr) or not (held(ctx, node, func) & owner.lock_keys):
                continue
            mutated = mutation_of(ctx, node) is not None
            if name not in owner.guarded or (mutated and not owner.guarded[name][1]):
                owner.guarded[name] = (node, mutated)


def mutation_of(ctx: FileContext, ref: ast.AST) -> ast.stmt | ast.Call | None:
    """The statement/call that changes the state `ref` names, when `ref` is the changed object."""
    parent = ctx.parent(ref)
    if (
        isinstance(ref, ast.Name)
        and isinstance(ref.ctx, ast.Store)
        or isinstance(ref, ast.Attribute)
        and isinstance(ref.ctx, (ast.Store, ast.Del))
    ):
        return ctx.statement_of(ref)
    if (
        isinstance(parent, ast.Subscript)
        and parent.value is ref
        and isinstance(parent.ctx, (ast.Store, ast.Del))
    ):
        return ctx.statement_of(parent)
    if isinstance(parent, ast.Attribute) and parent.value is ref and parent.attr in _MUTATORS:
        grand = ctx.parent(parent)
        if isinstance(grand, ast.Call) and grand.func is parent:
            return grand
    return None


def locked_functions(ctx: FileContext, owner: Owner) -> set[FunctionNode]:
    """Functions that run with the lock held by contract: decorated, named or documented so, or only
    ever called from inside a locked region."""
    locked: set[FunctionNode] = set()
    for func in owner.functions:
        name = func.name.lower()
        doc = (ast.get_docstring(func) or "").lower()
        if (
            held(ctx, func.body[0], func)
            or "locked" in name
            or "lock_held" in name
            or ("lock" in doc and any(w in doc for w in ("held", "hold", "acquired", "must be called")))
        ):
            locked.add(func)
    by_name = {f.name: f for f in owner.functions}
    for _ in range(3):
        calls: dict[str, list[bool]] = {}
        for func in owner.functions:
            for node in walk_local(func):
                if isinstance(node, ast.Call):
                    callee = _callee_name(node)
                    if callee is not None and callee in by_name:
                        calls.setdefault(callee, []).append(func in locked or bool(held(ctx, node, func)))
        for callee, under in calls.items():
            if under and all(under):
                locked.add(by_name[callee])
    return locked


def _callee_name(call: ast.Call) -> str | None:
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
    ):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None
