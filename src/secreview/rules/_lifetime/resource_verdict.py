"""The lifetime verdict for a created resource (released on every path, escaped, or leaked: never
released, only on error, skipped by an early exit, only on the success path, inline, discarded),
and the message, severity and confidence of the resulting finding."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.resource_flow import _binding, _classify, _declared_outside, _uses
from secreview.rules._lifetime.resource_spec import Lifetime, Spec, _is_borrower, _registers_cleanup
from secreview.rules._lifetime.scopes import _NESTED, contains, in_cleanup, scope_of, walk_local, walk_stmts
from secreview.ruleset import Hit


def _exits_between(ctx: FileContext, scope: ast.AST, binding: ast.stmt | ast.expr, end: int) -> ast.stmt | None:
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
    ctx: FileContext, call: ast.Call, spec: Spec, name_override: tuple[str, ast.stmt | ast.expr] | None = None
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
