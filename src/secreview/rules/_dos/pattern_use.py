"""How a compiled pattern is used: may `re.compile(...)`'s pattern be matched against a whole string?"""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.memo import MemoKey
from secreview.rules._dos.regex_calls import UNANCHORED_METHODS

_DOS_PATTERN_USES: MemoKey[dict[tuple[str, str], set[str]]] = MemoKey("dos-pattern-uses")

_NEUTRAL_ATTRS = frozenset({"pattern", "flags", "groups", "groupindex"})
_INSPECTORS = frozenset(
    {"builtins.type", "builtins.isinstance", "builtins.id", "builtins.repr", "builtins.str"}
)


def compiled_pattern_is_whole(ctx: FileContext, call: ast.Call) -> bool:
    """For `re.compile(...)`: may the pattern be matched against a whole string?

    True when the compiled object is used with `fullmatch`, escapes (passed on,
    stored in a container) or is never used in this file; False when every use
    we can see is an unanchored method (`match`, `search`, `sub`, ...)."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Attribute) and parent.value is call:
        return parent.attr not in UNANCHORED_METHODS and parent.attr not in _NEUTRAL_ATTRS
    key: tuple[str, str] | None = None
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            in_class = isinstance(ctx.parent(parent), ast.ClassDef)  # used as `self.X` / `Cls.X`
            key = ("attr" if in_class else "name", targets[0].id)
        elif len(targets) == 1 and isinstance(targets[0], ast.Attribute):
            key = ("attr", targets[0].attr)
    if key is None:
        return True
    func = ctx.enclosing_function(call)
    scope = func if func is not None and key[0] == "name" else ctx.tree  # a local name: its function
    uses = ctx.memo(_DOS_PATTERN_USES, scope, lambda: _pattern_uses(ctx, scope)).get(key, set())
    meaningful = uses - _NEUTRAL_ATTRS
    return not meaningful or not meaningful <= UNANCHORED_METHODS


def _pattern_uses(ctx: FileContext, scope: ast.AST) -> dict[tuple[str, str], set[str]]:
    uses: dict[tuple[str, str], set[str]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            key = ("name", node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            key = ("attr", node.attr)
        else:
            continue
        parent = ctx.parent(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            method = parent.attr
        elif isinstance(parent, ast.Call) and node in parent.args and ctx.call_name(parent) in _INSPECTORS:
            continue  # `type(PATTERN)`, `isinstance(x, ...)`: no matching happens
        else:
            method = "?"
        uses.setdefault(key, set()).add(method)
    return uses
