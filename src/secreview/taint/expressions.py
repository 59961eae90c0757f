"""Expressions: the taint of a value, read from the environment (names, `self`
attributes, constant dict keys and list indexes), from sources the specs name, and
built from other values (f-strings, `%`, `+`, containers, comprehensions). Nothing
deeper than `MAX_DEPTH` nested expressions is followed: such a value counts as clean.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from secreview.analysis.values import literal_value, module_constant
from secreview.model import TraceStep
from secreview.taint.handlers import converted_parameters, decorator_sources, injected_parameters, url_parameters
from secreview.taint.labels import (
    CLEAN,
    PARAM,
    Label,
    extend,
    is_param,
    join,
    join_all,
    narrow,
    sanitize,
    step,
)
from secreview.taint.secrets import (
    SECRET_SINKS,
    masked_comprehension,
    masked_mapping,
    name_source,
    option_source,
    short_slice,
    without_secret,
)
from secreview.taint.spec import Sink

if TYPE_CHECKING:
    from secreview.taint.module import ModuleAnalysis

MAX_DEPTH = 80  # deeper expressions are treated as clean rather than overflow the stack
_SPLITEXT = frozenset({"os.path.splitext", "posixpath.splitext", "ntpath.splitext"})
_PATH = frozenset({"path"})


class ExpressionAnalysis:
    def __init__(self, module: ModuleAnalysis, node: ast.AST, name: str, cls: str | None):
        self.m = module
        self.ctx = module.ctx
        self.index = module.index
        self.node = node
        self.name = name
        self.cls = cls
        self.self_name: str | None = None
        self.types: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        # local name -> (module, class) of an instance of another module's project class it holds
        # (`job = Job(cmd)`): its method calls resolve to that class's summaries
        self.instances: dict[str, tuple[str, str]] = {}
        # constructor call -> the taint it stored on the new instance's attributes (another module's class)
        self.instance_stores: dict[int, dict[str, Label]] = {}
        self.returns: Label = CLEAN
        self.sinks: dict[tuple[str, frozenset[str], Sink], tuple[TraceStep, ...]] = {}
        self.flows: list = []
        self.self_writes: dict[str, Label] = {}
        self.param_writes: dict[str, Label] = {}  # `self` attributes holding this method's parameters
        self.element_labels: dict[int, list[tuple[object, Label, ast.AST]]] = {}
        self.has_elements = False
        self.has_paths = False
        # Every prefix of a compound key (`x` and `x.a` of the key `x.a[0]`) this analysis ever put in
        # an environment. A path that is not one of them has no element or attribute keys, so reading
        # or rebinding it skips the scan of the whole environment: in a module body of thousands of
        # names one scan per name read made the walk quadratic.
        self.compound_roots: set[str] = set()
        self.parsed_urls: dict[str, str] = {}  # `parts = urlparse(url)`: parts -> url
        self.normalized: set[str] = set()  # names bound to a path with `..` resolved
        self.facts: dict[str, list] = {}  # boolean names -> what their test proved (`ok = is_safe(url)`)
        self.depth = 0
        self.final_env: dict[str, Label] | None = None

    # -- entry -----------------------------------------------------------------------------
    def entry_env(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, Label]:
        env: dict[str, Label] = {}
        args = func.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        bound = self.cls is not None and not _is_static(self.ctx, func) and bool(args.posonlyargs or args.args)
        if bound:
            self.self_name = (args.posonlyargs or args.args)[0].arg
            known = self.m.typer.class_type(self.m.class_bases.get(self.cls or "", ()))
            if known:
                self.types[self.self_name] = known
            for attr, attr_type in self.m.attribute_types(self.cls or "").items():
                self.types[f"{self.self_name}.{attr}"] = attr_type  # `self.log = getLogger()` in __init__
        decorated = decorator_sources(self.m, func)
        captured = url_parameters(self.m, func)
        injected = injected_parameters(self.ctx, args) | converted_parameters(func, decorated) if decorated else set()
        for arg in params:
            if arg.arg == self.self_name:
                continue
            label: Label = {(PARAM + arg.arg, frozenset()): (step(self.ctx, arg, f"parameter `{arg.arg}` of "
                                                                             f"`{self.name}()`"),)}
            found = self.m.typer.parameter_type(arg.arg, arg.annotation)
            if found:
                self.types[arg.arg] = found
            # a handler's request object is typed (its members are the sources), and
            # framework-injected dependencies (`Depends(...)`) are not client data
            if not found and arg.arg not in injected:
                for source in decorated:
                    label[(source.kind, frozenset())] = (step(self.ctx, arg, f"source: parameter `{arg.arg}` of the "
                                                                            f"handler `{self.name}()`"),)
            secret = name_source(self.ctx, arg, arg.arg, arg.arg)
            if secret:
                label = {**label, **secret}
            if arg.arg in captured:
                label[("remote_input", frozenset())] = (step(self.ctx, arg, f"source: URL parameter `{arg.arg}` of "
                                                                        f"the view `{self.name}()`"),)
            env[arg.arg] = label
        return env

    # -- expressions -----------------------------------------------------------------------
    def eval(self, expr: ast.AST | None, env: dict[str, Label], load: bool = True) -> Label:
        if expr is None:
            return CLEAN
        if self.depth > MAX_DEPTH:
            return CLEAN
        self.depth += 1
        try:
            return self._eval(expr, env)
        finally:
            self.depth -= 1

    def _eval(self, expr: ast.AST, env: dict[str, Label]) -> Label:  # one dispatch over kinds
        kind = type(expr)
        if kind is ast.Constant:
            return CLEAN
        if kind is ast.Name:
            return self.read_path(expr.id, expr, env)
        if kind is ast.Attribute:
            return self.attribute(expr, env)
        if kind is ast.Call:
            return self.call(expr, env)
        if kind is ast.Subscript:
            return self.subscript(expr, env)
        if kind is ast.JoinedStr:
            return join_all(self.eval(v, env) for v in expr.values)
        if kind is ast.FormattedValue:
            self.eval(expr.format_spec, env)
            return self.eval(expr.value, env)
        if kind is ast.BinOp:
            left, right = self.eval(expr.left, env), self.eval(expr.right, env)
            if left and isinstance(expr.op, ast.Mod):
                self.format_operator(expr, left, right)
            return join(left, right)
        if kind is ast.BoolOp:
            return join_all([self.eval(v, env) for v in expr.values])
        if kind is ast.UnaryOp:
            label = self.eval(expr.operand, env)
            return CLEAN if isinstance(expr.op, ast.Not) else label
        if kind is ast.Compare:
            self.eval(expr.left, env)
            for comparator in expr.comparators:
                self.eval(comparator, env)
            return CLEAN
        if kind is ast.IfExp:
            truth = self.constant_truth(expr.test, env)
            if truth is not None:
                return self.eval(expr.body if truth else expr.orelse, env)
            self.eval(expr.test, env)
            checks = self.guards(expr.test, env)
            return join(self.eval(expr.body, narrow(dict(env), checks, True)),
                        self.eval(expr.orelse, narrow(dict(env), checks, False)))
        if kind in (ast.Tuple, ast.List, ast.Set):
            parts = [(i, self.eval(e, env), e) for i, e in enumerate(expr.elts)]
            if kind is not ast.Set and not any(isinstance(e, ast.Starred) for e in expr.elts):
                self.element_labels[id(expr)] = parts
            return join_all(p[1] for p in parts)
        if kind is ast.Dict:
            parts = []
            for key, value in zip(expr.keys, expr.values, strict=True):
                self.eval(key, env)
                label = self.eval(value, env)
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and not isinstance(value, ast.Constant):
                    # {"password": pw}: the value under a key named as a secret
                    label = join(label, name_source(self.ctx, value, key.value, key.value, key=True))
                parts.append((literal_value(key) if isinstance(key, ast.Constant) else None, label, value))
                if label and isinstance(key, ast.Constant) and isinstance(key.value, str):
                    self.reach_named("dict key", key.value, label, value, value)  # {"client_secret": v}
            self.element_labels[id(expr)] = [p for p in parts if p[0] is not None]
            whole = join_all(p[1] for p in parts)
            return sanitize(whole, SECRET_SINKS) if whole and masked_mapping(expr) else whole
        if kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp):
            return self.comprehension(expr, env)
        if kind is ast.NamedExpr:
            label = self.eval(expr.value, env)
            self.assign(expr.target, label, expr.value, env, expr)
            return env.get(expr.target.id, label)
        if kind in (ast.Await, ast.Starred):
            return self.eval(expr.value, env)
        if kind in (ast.Yield, ast.YieldFrom):
            label = self.eval(expr.value, env)
            self.add_return(label, expr)
            return CLEAN
        if kind is ast.Lambda:
            return CLEAN
        if kind is ast.Slice:
            for part in (expr.lower, expr.upper, expr.step):
                self.eval(part, env)
            return CLEAN
        for child in ast.iter_child_nodes(expr):
            if isinstance(child, ast.expr):
                self.eval(child, env)
        return CLEAN

    def format_operator(self, expr: ast.BinOp, left: Label, right: Label) -> None:
        """`fmt % values` calls `str.__mod__`: specs may make its receiver a sink. The left side
        counts as a string when typed so, or when the right side is a tuple or a mapping."""
        sinks = self.index.sinks_by_call.get("str.__mod__")
        if not sinks:
            return
        kind = self.m.typer.type_of(expr.left, self.types)
        values = expr.right
        if isinstance(values, ast.Name) and values.id not in self.types:
            values = module_constant(self.ctx, values.id) or values
        if kind != "str" and not (kind is None and isinstance(values, (ast.Tuple, ast.Dict, ast.DictComp))):
            return
        where = {"lineno": expr.lineno, "col_offset": expr.col_offset, "end_lineno": expr.end_lineno,
                 "end_col_offset": expr.end_col_offset}
        method = ast.Attribute(value=expr.left, attr="__mod__", ctx=ast.Load(), **where)
        call = ast.Call(func=method, args=[expr.right], keywords=[], **where)
        for sink in sinks:
            self.check_sink(call, sink, [right], [], "str.__mod__", left)

    def comprehension(self, expr: ast.AST, env: dict[str, Label]) -> Label:
        inner = dict(env)
        for gen in expr.generators:
            items = self.eval(gen.iter, inner)
            self.assign(gen.target, items, None, inner, gen.target)
            for cond in gen.ifs:
                self.eval(cond, inner)
        if isinstance(expr, ast.DictComp):
            self.eval(expr.key, inner)
            value = self.eval(expr.value, inner)
            return sanitize(value, SECRET_SINKS) if value and masked_comprehension(expr) else value
        return self.eval(expr.elt, inner)

    def read_path(self, path: str, node: ast.AST, env: dict[str, Label], elements: bool = True) -> Label:
        label = env.get(path)
        if label is None:
            if "." not in path:
                label = self.m.global_label(path)
                if not label and isinstance(node, ast.Name):
                    label = self.attribute_sources(node)
                if isinstance(node, ast.Name):
                    label = join(label, name_source(self.ctx, node, path, path))
            elif path.startswith("self.") and path.count(".") == 1 and self.self_name:
                stored = self.m.self_attribute(self.cls, path[5:])
                if not stored and path[5:] in self.m.constructor_attributes(self.cls):
                    # what a caller's constructor stored there: a symbolic origin the caller's own instance
                    # fills in (`calls.apply_summary`), so instances of the class are told apart
                    stored = {(PARAM + path, frozenset()): ()}
                label = extend(stored, (step(self.ctx, node, f"read from `{path}`"),)) if stored else CLEAN
                if isinstance(node, ast.Attribute):
                    label = join(label, self.secret_attribute(node))
            else:
                label = CLEAN
        if elements and (self.has_elements or self.has_paths) and path in self.compound_roots:
            prefix = path + "["
            for key, part in env.items():
                if part and key.startswith(prefix):
                    label = join(label, part)
        return label

    def attribute(self, expr: ast.Attribute, env: dict[str, Label], elements: bool = True) -> Label:
        path = self.path_of(expr)
        if path is not None and (path in env or (path.startswith("self.") and path.count(".") == 1)):
            return join(self.read_path(path, expr, env, elements), self.attribute_sources(expr))
        base = without_secret(self.eval(expr.value, env))  # `token.user_id` is not the token
        label = join(base, self.attribute_sources(expr))
        return join(label, self.secret_attribute(expr))

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
        for name in self.m.typer.names(expr, self.types):
            sources = self.index.sources_by_attribute.get(name, ())
            # an attribute that is also a sanitizer's name is born clean for its kinds (`request.referrer`)
            born = frozenset().union(*(s.clears for s in self.index.sanitizers_by_call.get(name, ()))) \
                if sources else frozenset()
            for source in sources:
                if not label:
                    label = {}
                label.setdefault((source.kind, born), (step(self.ctx, expr, f"source: `{name}`"),))
        return label

    def subscript(self, expr: ast.Subscript, env: dict[str, Label]) -> Label:
        if isinstance(expr.value, ast.Call) and isinstance(expr.slice, ast.Constant) and expr.slice.value in (1, -1) \
                and self.ctx.call_name(expr.value) in _SPLITEXT:
            # the extension `splitext` gives holds no separator: it is taken after the last one
            return sanitize(self.eval(expr.value, env), _PATH)
        if isinstance(expr.slice, ast.Slice):
            self.eval(expr.slice, env)
            value = self.eval(expr.value, env)
            return without_secret(value) if short_slice(expr.slice) else value  # `token[:6]`
        self.eval(expr.slice, env)
        path = self.path_of(expr.value)
        key = self.constant_key(expr.slice, env)
        if isinstance(key, str):  # `app.config["SECRET_KEY"]`, `os.environ["DB_PASSWORD"]`
            secret = name_source(self.ctx, expr, key, self.ctx.segment(expr) or key)
            if secret:
                return join(self.subscript_value(expr, env, path, key), secret)
            # `creds["strategy"]`: another key of a mapping that holds a secret is not the secret
            return without_secret(self.subscript_value(expr, env, path, key))
        if key == 0 and isinstance(expr.value, ast.Call) and isinstance(expr.value.func, ast.Attribute) \
                and expr.value.func.attr in ("split", "rsplit", "partition"):
            # `encoded.split("$", 1)[0]`: the leading field (an algorithm, a scheme, a user), not the secret
            return without_secret(self.subscript_value(expr, env, path, key))
        return self.subscript_value(expr, env, path, key)

    def subscript_value(self, expr: ast.Subscript, env: dict[str, Label], path: str | None, key: object) -> Label:
        if path is not None and key is not None:
            element = f"{path}[{key!r}]"
            if element in env:
                return env[element]
            if isinstance(expr.value, ast.Attribute):
                return self.attribute(expr.value, env, elements=False)
            return self.read_path(path, expr.value, env, elements=False)
        return self.eval(expr.value, env)

    # -- helpers ---------------------------------------------------------------------------
    def note_key(self, key: str) -> str:
        """Record a key about to be bound in an environment (see `compound_roots`); returns it."""
        if "[" in key or "." in key:
            roots = self.compound_roots
            for i, char in enumerate(key):
                if char == "[" or char == ".":
                    roots.add(key[:i])
        return key

    def assigned(self, name: str) -> list[ast.expr]:
        """Every value this function assigns (or adds) to `name`."""
        values = []
        for stmt in ast.walk(self.node):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else \
                [stmt.target] if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) else []
            if any(isinstance(t, ast.Name) and t.id == name for t in targets) and stmt.value is not None:
                values.append(stmt.value)
        return values

    def untyped_object(self, expr: ast.AST) -> bool:
        """A local value, parameter or attribute path of no known type (not an imported name)."""
        if self.m.typer.type_of(expr, self.types) is not None:
            return False
        root = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        return isinstance(root, ast.Name) and (root.id not in self.ctx.imports or root.id in self.aliases)

    def path_of(self, expr: ast.AST) -> str | None:
        """`x`, `self.x`, `obj.a.b` as an environment key (self's own name is written `self`)."""
        if isinstance(expr, ast.Name):
            return "self" if expr.id == self.self_name else expr.id
        if isinstance(expr, ast.Attribute):
            base = self.path_of(expr.value)
            return f"{base}.{expr.attr}" if base is not None else None
        if isinstance(expr, ast.NamedExpr):  # `(name := value)` is `name` once evaluated: a test of it is of `name`
            return self.path_of(expr.target)
        return None

    def constant_key(self, expr: ast.AST, env: dict[str, Label]) -> object | None:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, (str, int)) and not isinstance(expr.value, bool):
            return expr.value
        if isinstance(expr, ast.Name) and expr.id not in env:
            value = literal_value(expr, self.ctx)
            return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        return None

    def note_binding(self, name: str, value: ast.AST | None) -> None:
        self.aliases.pop(name, None)
        self.types.pop(name, None)
        self.instances.pop(name, None)
        if value is None:
            return
        if isinstance(value, ast.Call):
            made = self.m.constructed_class(self, value.func)
            if made is not None:
                self.instances[name] = made
        found = self.m.typer.type_of(value, self.types)
        if found:
            self.types[name] = found
        if isinstance(value, (ast.Name, ast.Attribute)):
            dotted = self.ctx.qualname(value)
            if dotted:
                self.aliases[name] = dotted

    def add_return(self, label: Label, node: ast.AST) -> None:
        if label:
            self.returns = join(self.returns, extend(label, (step(self.ctx, node, f"returned from `{self.name}()`"),)))

    def snapshot_self(self, env: dict[str, Label]) -> None:
        """What this method leaves in `self` attributes (at each exit, and before it calls
        another method, which may read them): the class-wide view other methods read.
        Only source origins count: a parameter means nothing outside its method."""
        if self.self_name is None:
            return
        for key, label in env.items():
            if label and key.startswith("self.") and "." not in key[5:] and "[" not in key:
                concrete = {k: trace for k, trace in label.items() if not is_param(k[0])}
                if concrete:
                    self.self_writes[key[5:]] = join(self.self_writes.get(key[5:], CLEAN), concrete)
                symbolic = {k: trace for k, trace in label.items()
                            if is_param(k[0]) and k[0] != PARAM + self.self_name}
                if symbolic:
                    self.param_writes[key[5:]] = join(self.param_writes.get(key[5:], CLEAN), symbolic)



def _is_static(ctx, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(ctx.qualname(d) == "builtins.staticmethod" or (isinstance(d, ast.Name) and d.id == "staticmethod")
               for d in func.decorator_list)
