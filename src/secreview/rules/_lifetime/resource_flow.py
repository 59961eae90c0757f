"""Where the value of a resource-creating call goes: the local name it is bound to, the loads of that
name that may see it, and what each load does (release, registered cleanup, `with`, escape, use)."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.rules._lifetime.resource_spec import Spec, _call_of_attribute, _is_borrower, _registers_cleanup
from secreview.rules._lifetime.scopes import in_nested_scope, walk_local


def _binding(ctx: FileContext, call: ast.AST) -> tuple[str, ast.stmt | ast.expr] | str:
    """(name, binding statement) when the call's value is bound to a plain local name;
    otherwise a short word for what happens to it: "with", "inline", "argument", "escape", "discarded"."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Await):
        call, parent = parent, ctx.parent(parent)
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


def _uses(ctx: FileContext, scope: ast.AST, name: str, binding: ast.stmt | ast.expr) -> list[ast.Name] | None:
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
    nodes = ast.walk(scope) if scope is not ctx.tree else ctx.tree_nodes()
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
