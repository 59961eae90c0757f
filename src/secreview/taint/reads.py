"""Reading a name or an attribute path: from the environment, else from what the module holds
(a global, a `self` attribute other methods store or a constructor fills in), plus what the
name itself says (a spec source attribute, a secret's name or declared option). Nothing here
evaluates a sub-expression: `expressions.py` does, and asks here for the path it reached.
"""

from __future__ import annotations

import ast

from secreview.analysis.values import literal_value
from secreview.taint.facts import Env, ModuleFacts
from secreview.taint.labels import CLEAN, PARAM, Label, extend, join, step
from secreview.taint.secrets import name_source, option_source
from secreview.taint.state import FunctionState


class Reads:
    def __init__(self, module: ModuleFacts, state: FunctionState):
        self.m = module
        self.ctx = module.ctx
        self.index = module.index
        self.state = state

    def read_path(self, path: str, node: ast.AST, env: Env, elements: bool = True) -> Label:
        state = self.state
        label = env.get(path)
        if label is None:
            if "." not in path:
                label = self.m.global_label(path)
                if not label and isinstance(node, ast.Name):
                    label = self.attribute_sources(node)
                if isinstance(node, ast.Name):
                    label = join(label, name_source(self.ctx, node, path, path))
            elif path.startswith("self.") and path.count(".") == 1 and state.self_name:
                stored = self.m.self_attribute(state.cls, path[5:])
                if not stored and path[5:] in self.m.constructor_attributes(state.cls):
                    # what a caller's constructor stored there: a symbolic origin the caller's own instance
                    # fills in (`calls.apply_summary`), so instances of the class are told apart
                    stored = {(PARAM + path, frozenset()): ()}
                label = extend(stored, (step(self.ctx, node, f"read from `{path}`"),)) if stored else CLEAN
                if isinstance(node, ast.Attribute):
                    label = join(label, self.secret_attribute(node))
            else:
                label = CLEAN
        if elements and (state.has_elements or state.has_paths) and path in state.compound_roots:
            prefix = path + "["
            for key, part in env.items():
                if part and key.startswith(prefix):
                    label = join(label, part)
        return label

    def secret_attribute(self, expr: ast.Attribute) -> Label:
        """`conf.admin_password`, `settings.SECRET_KEY`, `CONF.db.connection` (declared secret); not a
        constant of an imported module (`constants.CONF_PWD` names a field), Django's settings aside."""
        shown = self.ctx.segment(expr) or expr.attr
        if isinstance(expr.value, ast.Name) and expr.value.id in self.ctx.imports and expr.attr.isupper() \
                and not (self.ctx.qualname(expr.value) or "").endswith("settings"):
            return option_source(self.ctx, expr, self.m.secret_options)
        return join(name_source(self.ctx, expr, expr.attr, shown),
                    option_source(self.ctx, expr, self.m.secret_options))

    def attribute_sources(self, expr: ast.AST) -> Label:
        label = CLEAN
        for name in self.m.typer.names(expr, self.state.types):
            sources = self.index.sources_by_attribute.get(name, ())
            # an attribute that is also a sanitizer's name is born clean for its kinds (`request.referrer`)
            born = frozenset().union(*(s.clears for s in self.index.sanitizers_by_call.get(name, ()))) \
                if sources else frozenset()
            for source in sources:
                if not label:
                    label = {}
                label.setdefault((source.kind, born), (step(self.ctx, expr, f"source: `{name}`"),))
        return label

    def constant_key(self, expr: ast.AST, env: Env) -> object | None:
        """The key a subscript or `.get()` reads, when it is a literal (or a module constant bound to one)."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, (str, int)) and not isinstance(expr.value, bool):
            return expr.value
        if isinstance(expr, ast.Name) and expr.id not in env:
            value = literal_value(expr, self.ctx)
            return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        return None
