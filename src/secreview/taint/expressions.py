"""Expressions: the taint of a value, read from the environment (names, `self`
attributes, constant dict keys and list indexes), from sources the specs name, and
built from other values (f-strings, `%`, `+`, containers, comprehensions), and what
binding a value to a target does (`assign`). Nothing deeper than `MAX_DEPTH` nested
expressions is followed: such a value counts as clean.

`Expressions` evaluates; what a call does once its parts are evaluated is `calls.py`'s,
a name's value `reads.py`'s, what a test proves `guards.py`'s, a sink's judgement `sinks.py`'s.
"""

from __future__ import annotations

import ast

from secreview.analysis.values import literal_value, module_constant
from secreview.taint.calls import Calls
from secreview.taint.facts import Env, ModuleFacts
from secreview.taint.guards import Guards, is_url_parser, normalises
from secreview.taint.labels import CLEAN, Label, extend, join, join_all, narrow, sanitize, step
from secreview.taint.named import identifier_of
from secreview.taint.reads import Reads
from secreview.taint.secrets import (
    SECRET_SINKS,
    masked_comprehension,
    masked_mapping,
    name_source,
    short_slice,
    without_secret,
)
from secreview.taint.sinks import Sinks
from secreview.taint.state import Element, FunctionState

MAX_DEPTH = 80  # deeper expressions are treated as clean rather than overflow the stack
_SPLITEXT = frozenset({"os.path.splitext", "posixpath.splitext", "ntpath.splitext"})
_PATH = frozenset({"path"})


class Expressions:
    def __init__(self, module: ModuleFacts, state: FunctionState, reads: Reads, sinks: Sinks, guard: Guards,
                 calls: Calls):
        self.m = module
        self.ctx = module.ctx
        self.index = module.index
        self.state = state
        self.reads = reads
        self.sinks = sinks
        self.guard = guard
        self.calls = calls
        self.depth = 0

    # -- expressions -----------------------------------------------------------------------
    def eval(self, expr: ast.expr | None, env: Env) -> Label:
        if expr is None:
            return CLEAN
        if self.depth > MAX_DEPTH:
            return CLEAN
        self.depth += 1
        try:
            return self._eval(expr, env)
        finally:
            self.depth -= 1

    def _eval(self, expr: ast.expr, env: Env) -> Label:
        # `type(expr) is` rather than `isinstance` on this hot path: parsed nodes are of the exact classes
        if type(expr) is ast.Constant:
            return CLEAN
        if type(expr) is ast.Name:
            return self.reads.read_path(expr.id, expr, env)
        if type(expr) is ast.Attribute:
            return self.attribute(expr, env)
        if type(expr) is ast.Call:
            return self.call(expr, env)
        if type(expr) is ast.Subscript:
            return self.subscript(expr, env)
        if type(expr) is ast.JoinedStr:
            return join_all(self.eval(v, env) for v in expr.values)
        if type(expr) is ast.FormattedValue:
            self.eval(expr.format_spec, env)
            return self.eval(expr.value, env)
        if type(expr) is ast.BinOp:
            left, right = self.eval(expr.left, env), self.eval(expr.right, env)
            if left and isinstance(expr.op, ast.Mod):
                self.format_operator(expr, left, right)
            return join(left, right)
        if type(expr) is ast.BoolOp:
            return join_all([self.eval(v, env) for v in expr.values])
        if type(expr) is ast.UnaryOp:
            label = self.eval(expr.operand, env)
            return CLEAN if isinstance(expr.op, ast.Not) else label
        if type(expr) is ast.Compare:
            self.eval(expr.left, env)
            for comparator in expr.comparators:
                self.eval(comparator, env)
            return CLEAN
        if type(expr) is ast.IfExp:
            truth = self.guard.constant_truth(expr.test, env)
            if truth is not None:
                return self.eval(expr.body if truth else expr.orelse, env)
            self.eval(expr.test, env)
            checks = self.guard.guards(expr.test, env)
            return join(self.eval(expr.body, narrow(dict(env), checks, True)),
                        self.eval(expr.orelse, narrow(dict(env), checks, False)))
        if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
            parts: list[Element] = [(i, self.eval(e, env), e) for i, e in enumerate(expr.elts)]
            if type(expr) is not ast.Set and not any(isinstance(e, ast.Starred) for e in expr.elts):
                self.state.element_labels[id(expr)] = parts
            return join_all(p[1] for p in parts)
        if type(expr) is ast.Dict:
            parts = []
            for key, value in zip(expr.keys, expr.values, strict=True):
                self.eval(key, env)
                label = self.eval(value, env)
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and not isinstance(value, ast.Constant):
                    # {"password": pw}: the value under a key named as a secret
                    label = join(label, name_source(self.ctx, value, key.value, key.value, key=True))
                parts.append((literal_value(key) if isinstance(key, ast.Constant) else None, label, value))
                if label and isinstance(key, ast.Constant) and isinstance(key.value, str):
                    self.sinks.reach_named("dict key", key.value, label, value, value)  # {"client_secret": v}
            self.state.element_labels[id(expr)] = [p for p in parts if p[0] is not None]
            whole = join_all(p[1] for p in parts)
            return sanitize(whole, SECRET_SINKS) if whole and masked_mapping(expr) else whole
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(expr, env)
        if type(expr) is ast.NamedExpr:
            label = self.eval(expr.value, env)
            self.assign(expr.target, label, expr.value, env, expr)
            return env.get(expr.target.id, label)
        if isinstance(expr, (ast.Await, ast.Starred)):
            return self.eval(expr.value, env)
        if isinstance(expr, (ast.Yield, ast.YieldFrom)):
            label = self.eval(expr.value, env)
            self.state.add_return(label, expr)
            return CLEAN
        if type(expr) is ast.Lambda:
            return CLEAN
        if type(expr) is ast.Slice:
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
        kind = self.m.typer.type_of(expr.left, self.state.types)
        values = expr.right
        if isinstance(values, ast.Name) and values.id not in self.state.types:
            values = module_constant(self.ctx, values.id) or values
        if kind != "str" and not (kind is None and isinstance(values, (ast.Tuple, ast.Dict, ast.DictComp))):
            return
        method = ast.copy_location(ast.Attribute(value=expr.left, attr="__mod__", ctx=ast.Load()), expr)
        call = ast.copy_location(ast.Call(func=method, args=[expr.right], keywords=[]), expr)
        for sink in sinks:
            self.sinks.check_sink(call, sink, [right], [], "str.__mod__", left)

    def comprehension(self, expr: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, env: Env) -> Label:
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

    def call(self, node: ast.Call, env: Env) -> Label:
        """Evaluates the receiver (or the called expression) and the arguments, in source order, then
        hands their labels to `Calls`."""
        forwarded = self.calls.forwarded_call(node)
        if forwarded is not None:
            return self.call(forwarded, env)
        func = node.func
        receiver = CLEAN
        receiver_path = None
        if isinstance(func, ast.Attribute):
            receiver = self.eval(func.value, env)
            receiver_path = self.state.path_of(func.value)
        elif not isinstance(func, ast.Name):
            self.eval(func, env)
        args = [self.eval(a, env) for a in node.args]
        keywords = [(kw.arg, self.eval(kw.value, env)) for kw in node.keywords]
        return self.calls.call(node, env, receiver, receiver_path, args, keywords, self.attribute)

    def attribute(self, expr: ast.Attribute, env: Env, elements: bool = True) -> Label:
        path = self.state.path_of(expr)
        if path is not None and (path in env or (path.startswith("self.") and path.count(".") == 1)):
            return join(self.reads.read_path(path, expr, env, elements), self.reads.attribute_sources(expr))
        base = without_secret(self.eval(expr.value, env))  # `token.user_id` is not the token
        label = join(base, self.reads.attribute_sources(expr))
        return join(label, self.reads.secret_attribute(expr))

    def subscript(self, expr: ast.Subscript, env: Env) -> Label:
        if isinstance(expr.value, ast.Call) and isinstance(expr.slice, ast.Constant) and expr.slice.value in (1, -1) \
                and self.ctx.call_name(expr.value) in _SPLITEXT:
            # the extension `splitext` gives holds no separator: it is taken after the last one
            return sanitize(self.eval(expr.value, env), _PATH)
        if isinstance(expr.slice, ast.Slice):
            self.eval(expr.slice, env)
            value = self.eval(expr.value, env)
            return without_secret(value) if short_slice(expr.slice) else value  # `token[:6]`
        self.eval(expr.slice, env)
        path = self.state.path_of(expr.value)
        key = self.reads.constant_key(expr.slice, env)
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

    def subscript_value(self, expr: ast.Subscript, env: Env, path: str | None, key: object) -> Label:
        if path is not None and key is not None:
            element = f"{path}[{key!r}]"
            if element in env:
                return env[element]
            if isinstance(expr.value, ast.Attribute):
                return self.attribute(expr.value, env, elements=False)
            return self.reads.read_path(path, expr.value, env, elements=False)
        return self.eval(expr.value, env)

    # -- assignment ------------------------------------------------------------------------
    def assign(self, target: ast.expr, label: Label, value: ast.expr | None, env: Env, at: ast.AST) -> None:
        if label:  # `user.reset_token = v`, `d["csrf"] = v`: a named sink (named.py)
            self.sinks.reach_named("assigned", identifier_of(target), label, value, at)
        state = self.state
        if isinstance(target, ast.Name):
            name = target.id
            state.drop_elements(name, env)
            if state.facts:  # what a test proved about the old value says nothing about the new one
                state.facts = {k: g for k, g in state.facts.items() if k != name and all(p != name for p, _, _ in g)}
            if state.parsed_urls:
                state.parsed_urls.pop(name, None)
                state.parsed_urls = {k: v for k, v in state.parsed_urls.items() if v != name}
            if isinstance(value, ast.Call) and value.args and is_url_parser(self.ctx.call_name(value)):
                source = state.path_of(value.args[0])
                if source is not None:
                    state.parsed_urls[name] = source
            # only a tainted value's normalisation matters to a later containment test
            if label and value is not None and normalises(value):
                state.normalized.add(name)
            else:
                state.normalized.discard(name)
            if isinstance(value, (ast.Call, ast.Compare, ast.UnaryOp, ast.BoolOp)):
                found = self.guard.guards(value, env)  # `ok = is_safe(url)`, later `if ok:`
                if found:
                    state.facts[name] = found
            if not isinstance(value, ast.Constant):  # `password = fetch()`; a literal is a mask or a default
                label = join(label, name_source(self.ctx, target, name, name))
            env[name] = extend(label, (step(self.ctx, at, f"assigned to `{name}`"),)) if label else label
            self.note_binding(name, value)
            self.bind_elements(name, value, env, at)
            stored = state.instance_stores.pop(id(value), None) if state.instance_stores else None
            for attr, part in (stored or {}).items():  # `job = Job(cmd)` of another module's class
                key = state.note_key(f"{name}.{attr}")
                state.has_paths = True
                env[key] = join(env.get(key, CLEAN), part)
        elif isinstance(target, (ast.Tuple, ast.List)):
            parts = state.element_labels.get(id(value)) if value is not None else None
            plain = not any(isinstance(e, ast.Starred) for e in target.elts)
            if parts is not None and plain and len(parts) == len(target.elts):
                for elt, (_, part, part_node) in zip(target.elts, parts, strict=True):
                    self.assign(elt, part, part_node, env, at)
            else:
                # `method, url, body = build(...)`: which part holds a secret is unknown; a part named as a
                # secret is one by its name, the others are not taken to be
                unpacked = without_secret(label)
                for elt in target.elts:
                    self.assign(elt, unpacked, None, env, at)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, label, None, env, at)
        elif isinstance(target, ast.Attribute):
            path = state.path_of(target)
            self.eval(target.value, env)
            if path is None:
                return
            state.note_key(path)
            state.drop_elements(path, env)
            state.has_paths = True
            env[path] = extend(label, (step(self.ctx, at, f"stored on `{path}`"),))
            self.bind_elements(path, value, env, at)
        elif isinstance(target, ast.Subscript):
            base = state.path_of(target.value)
            key_label = self.eval(target.slice, env)
            self.setitem_sinks(target, key_label, label, value, at)
            if base is None:
                self.eval(target.value, env)
                return
            element = self.reads.constant_key(target.slice, env)
            if element is not None:
                key = state.note_key(f"{base}[{element!r}]")
                state.has_elements = True
                env[key] = extend(label, (step(self.ctx, at, f"stored in `{key}`"),))
            elif label:  # unknown key: the whole container now holds the value
                held = extend(label, (step(self.ctx, at, f"stored in `{base}`"),))
                env[state.note_key(base)] = join(env.get(base, CLEAN), held)

    def setitem_sinks(self, target: ast.Subscript, key: Label, label: Label, value: ast.expr | None,
                      at: ast.AST) -> None:
        """`session["k"] = v` is a call of `SessionMixin.__setitem__`: specs may list it as a sink."""
        method = ast.Attribute(value=target.value, attr="__setitem__", ctx=ast.Load())
        names = [n for n in self.m.typer.names(method, self.state.types) if n in self.index.sinks_by_call]
        if not names:
            return
        stored = value if value is not None else ast.copy_location(ast.Name(id="_", ctx=ast.Load()), at)
        call = ast.copy_location(ast.Call(func=ast.copy_location(method, target), args=[target.slice, stored],
                                          keywords=[]), at)
        for name in names:
            for sink in self.index.sinks_by_call[name]:
                self.sinks.check_sink(call, sink, [key, label], [], name)

    def bind_elements(self, base: str, value: ast.expr | None, env: Env, at: ast.AST) -> None:
        parts = self.state.element_labels.get(id(value)) if value is not None else None
        if not parts:
            return
        self.state.has_elements = True
        for key, part, _ in parts:
            if key is not None:
                element = self.state.note_key(f"{base}[{key!r}]")
                env[element] = extend(part, (step(self.ctx, at, f"stored in `{element}`"),))

    def note_binding(self, name: str, value: ast.expr | None) -> None:
        self.state.aliases.pop(name, None)
        self.state.types.pop(name, None)
        self.state.instances.pop(name, None)
        if value is None:
            return
        if isinstance(value, ast.Call):
            made = self.m.constructed_class(self.state, value.func)
            if made is not None:
                self.state.instances[name] = made
        found = self.m.typer.type_of(value, self.state.types)
        if found:
            self.state.types[name] = found
        if isinstance(value, (ast.Name, ast.Attribute)):
            dotted = self.ctx.qualname(value)
            if dotted:
                self.state.aliases[name] = dotted
