"""Where a value goes: the assignment target, keyword, dict key or `return` a value ends up bound to."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.rules._crypto.identifiers import word_set

_PASS_THROUGH_CALLS = word_set(
    """str bytes int hex format join hexdigest digest encode decode b64encode urlsafe_b64encode b32encode
    b16encode hexlify zfill rjust ljust upper lower strip rstrip lstrip replace md5 sha1 sha224 sha256 sha384
    sha512 new text_type force_str force_bytes force_text ensure_str ensure_binary to_bytes"""
)


_CARRIERS = (ast.Attribute, ast.BinOp, ast.JoinedStr, ast.FormattedValue, ast.IfExp, ast.GeneratorExp,
             ast.ListComp, ast.Subscript, ast.Tuple, ast.List, ast.Starred)


def destinations(ctx: FileContext, node: ast.AST) -> list[str]:
    """Identifiers a value ends up bound to: assignment targets, keyword names, dict keys,
    or "return" when the enclosing function returns it."""
    current = node
    for parent in ctx.ancestors(node):
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names = []
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, (ast.Name, ast.Attribute, ast.Subscript)):
                        ident = _ident(sub)
                        if ident:
                            names.append(ident)
                        break
            return names
        if isinstance(parent, ast.Return):
            return ["return"]
        if isinstance(parent, ast.keyword):
            return [parent.arg] if parent.arg else []
        if isinstance(parent, ast.Dict):
            for key, value in zip(parent.keys, parent.values, strict=True):
                if value is current and isinstance(key, ast.Constant) and isinstance(key.value, str):
                    return [key.value]
            return []
        if isinstance(parent, ast.Call):
            if current is not parent.func:
                func = parent.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in _PASS_THROUGH_CALLS:
                    return []
        elif not isinstance(parent, _CARRIERS):
            return []
        current = parent
    return []


def _ident(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value if isinstance(node.slice.value, str) else ""
    return ""
