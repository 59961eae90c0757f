"""Flow-sensitive taint inside one function (or a module body).

Statements are walked in order over an environment that maps names, `self`
attributes (`self.x`), other simple attribute paths (`obj.attr`), constant dict
keys (`d['k']`) and constant list indexes (`l[0]`) to labels. Branches join at
merge points; loops iterate to a bounded fixpoint; a branch whose condition is a
constant (`if False`, `if 0`, `if not True`, `if TYPE_CHECKING`, a module constant
bound to a literal) is dead. Assigning a literal clears a name. A `return`/`raise`
ends the path. Calls are handled in `calls.py`, conditions that validate a value
in `guards.py`.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from secreview.analysis.values import module_constant
from secreview.taint.guards import NO_RETURN, GuardAnalysis, is_url_parser, normalises
from secreview.taint.handlers import declared_not_html, response_sinks
from secreview.taint.labels import CLEAN, Label, extend, is_param, join, narrow, step
from secreview.taint.named import identifier_of
from secreview.taint.secrets import name_source, without_secret
from secreview.taint.spec import Sink

RAISE_SINK = Sink(library="python", kind="exception_message", call="<raised exception>", all_args=True,
                  note="the arguments of a raised exception")

if TYPE_CHECKING:
    from secreview.taint.module import ModuleAnalysis

Env = dict[str, Label]
LOOP_ROUNDS = 4


class FunctionAnalysis(GuardAnalysis):
    """One function (or module body): expressions (`expressions.py`), calls (`calls.py`),
    guards (`guards.py`), and the statements here."""

    def __init__(self, module: ModuleAnalysis, node: ast.AST, name: str, cls: str | None):
        super().__init__(module, node, name, cls)
        # (decorator name, sink) for each `returned` sink its decorators make of its return value
        self.response_sinks: list[tuple[str, Sink]] = (
            response_sinks(self.m, node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else [])

    # -- entry -----------------------------------------------------------------------------
    def run(self) -> None:
        env: Env = {}
        node = self.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            env = self.entry_env(node)
        body = getattr(node, "body", [])
        end = self.block(body, env)
        if end is not None:
            self.snapshot_self(end)
        if isinstance(node, ast.Module) and end is not None:
            self.final_env = end

    # -- statements ------------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt], env: Env | None) -> Env | None:
        for stmt in stmts:
            if env is None:
                return None
            env = self.statement(stmt, env)
        return env

    def statement(self, stmt: ast.stmt, env: Env) -> Env | None:  # one dispatch over statement kinds
        kind = type(stmt)
        if kind is ast.Assign:
            label = self.eval(stmt.value, env)
            for target in stmt.targets:
                self.assign(target, label, stmt.value, env, stmt)
        elif kind is ast.AnnAssign:
            if stmt.value is not None:
                self.assign(stmt.target, self.eval(stmt.value, env), stmt.value, env, stmt)
        elif kind is ast.AugAssign:
            label = join(self.eval(stmt.target, env, load=True), self.eval(stmt.value, env))
            self.assign(stmt.target, label, None, env, stmt)
        elif kind is ast.Expr:
            self.eval(stmt.value, env)
            if isinstance(stmt.value, ast.Call) and self.ctx.call_name(stmt.value) in NO_RETURN:
                return None  # `abort(403)` raises: the path ends here
        elif kind is ast.Return:
            if stmt.value is not None:
                label = self.eval(stmt.value, env)
                self.add_return(label, stmt)
                if label and self.response_sinks:
                    self.response(stmt, stmt.value, label)
            self.snapshot_self(env)
            return None
        elif kind is ast.If:
            return self.branch(stmt.test, stmt.body, stmt.orelse, env)
        elif kind is ast.For or kind is ast.AsyncFor:
            items = self.eval(stmt.iter, env)
            return self.loop(env, stmt.body, stmt.orelse, lambda e: self.assign(stmt.target, items, None, e, stmt))
        elif kind is ast.While:
            truth = self.constant_truth(stmt.test, env)
            if truth is False:
                return self.block(stmt.orelse, env)
            return self.loop(env, stmt.body, stmt.orelse, lambda e: self.eval(stmt.test, e))
        elif kind is ast.With or kind is ast.AsyncWith:
            for item in stmt.items:
                label = self.eval(item.context_expr, env)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, label, item.context_expr, env, stmt)
            return self.block(stmt.body, env)
        elif kind is ast.Try or kind.__name__ == "TryStar":
            return self.try_statement(stmt, env)
        elif kind is ast.Raise:
            if stmt.exc is not None:
                self.eval(stmt.exc, env)
                if isinstance(stmt.exc, ast.Call):
                    self.raised(stmt.exc, env)
            return None
        elif kind is ast.Match:
            return self.match(stmt, env)
        elif kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            for decorator in stmt.decorator_list:
                self.eval(decorator, env)
            if kind is ast.ClassDef:  # a class body runs once, in order (its methods are units of their own)
                self.block(stmt.body, dict(env))
            env[stmt.name] = CLEAN
        elif kind is ast.Delete:
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    env.pop(target.id, None)
        elif kind is ast.Assert:
            self.eval(stmt.test, env)
            narrow(env, self.guards(stmt.test, env), True)
        elif kind in (ast.Import, ast.ImportFrom):
            for alias in stmt.names:
                bound = alias.asname or alias.name.split(".")[0]
                env.pop(bound, None)
        return env

    def branch(self, test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt], env: Env) -> Env | None:
        truth = self.constant_truth(test, env)
        if truth is True:
            return self.block(body, env)
        if truth is False:
            return self.block(orelse, env)
        self.eval(test, env)
        checks = self.guards(test, env)
        return merge(self.block(body, narrow(dict(env), checks, True)),
                     self.block(orelse, narrow(dict(env), checks, False)))

    def loop(self, env: Env, body: list[ast.stmt], orelse: list[ast.stmt], bind) -> Env | None:
        head = env
        for _ in range(LOOP_ROUNDS):
            current = dict(head)
            bind(current)
            out = self.block(body, current)
            merged = merge(head, out)
            if merged is None or same(merged, head):
                break
            head = merged
        return self.block(orelse, dict(head)) if orelse else head

    def try_statement(self, stmt: ast.Try, env: Env) -> Env | None:
        body = self.block(stmt.body, dict(env))
        after_body = self.block(stmt.orelse, body) if body is not None and stmt.orelse else body
        exits: list[Env | None] = [after_body]
        raised = merge(dict(env), body)  # an exception may leave at any point of the body
        for handler in stmt.handlers:
            start = dict(raised) if raised is not None else dict(env)
            if handler.type is not None:
                self.eval(handler.type, start)
            if handler.name:
                start[handler.name] = CLEAN
            exits.append(self.block(handler.body, start))
        result: Env | None = None
        for out in exits:
            result = merge(result, out)
        if stmt.finalbody:
            final = self.block(stmt.finalbody, dict(result) if result is not None else dict(env))
            return final if result is not None else None
        return result

    def match(self, stmt: ast.Match, env: Env) -> Env | None:
        subject = self.eval(stmt.subject, env)
        result: Env | None = dict(env)  # no case matched
        for case in stmt.cases:
            start = dict(env)
            for node in ast.walk(case.pattern):
                name = getattr(node, "name", None) or getattr(node, "rest", None)
                if isinstance(name, str):
                    self.assign(ast.Name(id=name, ctx=ast.Store(), lineno=case.pattern.lineno,
                                         col_offset=case.pattern.col_offset), subject, None, start, case.pattern)
            if case.guard is not None:
                self.eval(case.guard, start)
            result = merge(result, self.block(case.body, start))
        return result

    def constant_truth(self, test: ast.expr, env: Env) -> bool | None:
        """True/False when the condition is fixed in the source; None when it is not."""
        if isinstance(test, ast.Constant):
            return bool(test.value)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.constant_truth(test.operand, env)
            return None if inner is None else not inner
        if isinstance(test, (ast.Name, ast.Attribute)):
            name = self.ctx.qualname(test) or ""
            if name == "TYPE_CHECKING" or name.endswith(".TYPE_CHECKING"):
                return False  # only type checkers enter it
            if isinstance(test, ast.Name) and test.id not in env:
                value = module_constant(self.ctx, test.id)
                if isinstance(value, ast.Constant):
                    return bool(value.value)
        return None

    def raised(self, call: ast.Call, env: Env) -> None:
        """`raise X(...)`: the exception's arguments are its message, whatever class X is (a project
        exception formats its keyword arguments into it), so they are an `exception_message` sink."""
        args = [self.eval(a, env) for a in call.args]
        keywords = [(kw.arg, self.eval(kw.value, env)) for kw in call.keywords]
        if any(args) or any(label for _, label in keywords):
            name = self.ctx.call_name(call) or self.ctx.segment(call.func) or "?"
            self.check_sink(call, RAISE_SINK, args, keywords, name)

    # -- responses -------------------------------------------------------------------------
    def response(self, stmt: ast.Return, value: ast.expr, label: Label) -> None:
        """A handler whose return value is the response body returns a string built from
        tainted data (`(body, status)`: the body). Values that are not visibly strings (a dict
        becomes JSON, a response object has its own sinks) are left alone."""
        body = value
        if isinstance(value, ast.Tuple) and value.elts:
            parts = self.element_labels.get(id(value))
            if parts is None or declared_not_html(value):
                return
            body, label = parts[0][2], parts[0][1]
        label = {key: trace for key, trace in label.items() if not is_param(key[0])}  # the framework calls it
        if not label or not self.builds_string(body):
            return
        for decorator, sink in self.response_sinks:
            where = f"sink ({sink.kind}): returned by a `{decorator}` handler"
            # reported at the `return` (a multi-line body starts on a later line)
            self.reach_sink(stmt, body, sink, label, (step(self.ctx, stmt, where),))  # type: ignore[arg-type]

    def builds_string(self, expr: ast.AST, depth: int = 0) -> bool:
        """An f-string, `+`/`%` with a string literal, `"...".format()`/`"".join()`, or a local name
        this function binds to one of these."""
        if depth > 4:
            return False
        if isinstance(expr, ast.JoinedStr) or (isinstance(expr, ast.Constant) and isinstance(expr.value, str)):
            return True
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
            return self.builds_string(expr.left, depth + 1) or (
                isinstance(expr.op, ast.Add) and self.builds_string(expr.right, depth + 1))
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ("format", "join"):
            return self.builds_string(expr.func.value, depth + 1)
        if isinstance(expr, ast.Name):
            return any(self.builds_string(value, depth + 1) for value in self.assigned(expr.id))
        return False

    # -- assignment ------------------------------------------------------------------------
    def assign(self, target: ast.AST, label: Label, value: ast.AST | None, env: Env, at: ast.AST) -> None:
        if label:  # `user.reset_token = v`, `d["csrf"] = v`: a named sink (named.py)
            self.reach_named("assigned", identifier_of(target), label, value, at)
        if isinstance(target, ast.Name):
            name = target.id
            self.drop_elements(name, env)
            if self.facts:  # what a test proved about the old value says nothing about the new one
                self.facts = {k: g for k, g in self.facts.items() if k != name and all(p != name for p, _, _ in g)}
            if self.parsed_urls:
                self.parsed_urls.pop(name, None)
                self.parsed_urls = {k: v for k, v in self.parsed_urls.items() if v != name}
            if isinstance(value, ast.Call) and value.args and is_url_parser(self.ctx.call_name(value)):
                source = self.path_of(value.args[0])
                if source is not None:
                    self.parsed_urls[name] = source
            # only a tainted value's normalisation matters to a later containment test
            if label and value is not None and normalises(value):
                self.normalized.add(name)
            else:
                self.normalized.discard(name)
            if isinstance(value, (ast.Call, ast.Compare, ast.UnaryOp, ast.BoolOp)):
                found = self.guards(value, env)  # `ok = is_safe(url)`, later `if ok:`
                if found:
                    self.facts[name] = found
            if not isinstance(value, ast.Constant):  # `password = fetch()`; a literal is a mask or a default
                label = join(label, name_source(self.ctx, target, name, name))
            env[name] = extend(label, (step(self.ctx, at, f"assigned to `{name}`"),)) if label else label
            self.note_binding(name, value)
            self.bind_elements(name, value, env, at)
            stored = self.instance_stores.pop(id(value), None) if self.instance_stores else None
            for attr, part in (stored or {}).items():  # `job = Job(cmd)` of another module's class
                key = self.note_key(f"{name}.{attr}")
                self.has_paths = True
                env[key] = join(env.get(key, CLEAN), part)
        elif isinstance(target, (ast.Tuple, ast.List)):
            parts = self.element_labels.get(id(value)) if value is not None else None
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
            key = self.path_of(target)
            self.eval(target.value, env)
            if key is None:
                return
            self.note_key(key)
            self.drop_elements(key, env)
            self.has_paths = True
            where = f"stored on `{key}`"
            env[key] = extend(label, (step(self.ctx, at, where),))
            self.bind_elements(key, value, env, at)
        elif isinstance(target, ast.Subscript):
            base = self.path_of(target.value)
            key_label = self.eval(target.slice, env)
            self.setitem_sinks(target, key_label, label, value, at)
            if base is None:
                self.eval(target.value, env)
                return
            element = self.constant_key(target.slice, env)
            if element is not None:
                key = self.note_key(f"{base}[{element!r}]")
                self.has_elements = True
                env[key] = extend(label, (step(self.ctx, at, f"stored in `{key}`"),))
            elif label:  # unknown key: the whole container now holds the value
                stored = extend(label, (step(self.ctx, at, f"stored in `{base}`"),))
                env[self.note_key(base)] = join(env.get(base, CLEAN), stored)

    def setitem_sinks(self, target: ast.Subscript, key: Label, label: Label, value: ast.AST | None,
                      at: ast.AST) -> None:
        """`session["k"] = v` is a call of `SessionMixin.__setitem__`: specs may list it as a sink."""
        method = ast.Attribute(value=target.value, attr="__setitem__", ctx=ast.Load())
        names = [n for n in self.m.typer.names(method, self.types) if n in self.index.sinks_by_call]
        if not names:
            return
        where = {"lineno": at.lineno, "col_offset": at.col_offset, "end_lineno": at.end_lineno,
                 "end_col_offset": at.end_col_offset}
        stored = value if value is not None else ast.Name(id="_", ctx=ast.Load(), **where)
        call = ast.Call(func=ast.copy_location(method, target), args=[target.slice, stored], keywords=[], **where)
        for name in names:
            for sink in self.index.sinks_by_call[name]:
                self.check_sink(call, sink, [key, label], [], name)

    def bind_elements(self, base: str, value: ast.AST | None, env: Env, at: ast.AST) -> None:
        parts = self.element_labels.get(id(value)) if value is not None else None
        if not parts:
            return
        self.has_elements = True
        for key, part, _ in parts:
            if key is not None:
                element = self.note_key(f"{base}[{key!r}]")
                env[element] = extend(part, (step(self.ctx, at, f"stored in `{element}`"),))

    def drop_elements(self, base: str, env: Env) -> None:
        if (self.has_elements or self.has_paths) and base in self.compound_roots:
            prefixes = (base + "[", base + ".")
            for key in [k for k in env if k.startswith(prefixes)]:
                del env[key]


def merge(a: Env | None, b: Env | None) -> Env | None:
    if a is None:
        return b
    if b is None:
        return a
    out = dict(a)
    for key, label in b.items():
        out[key] = join(out[key], label) if key in out else label
    return out


def same(a: Env, b: Env) -> bool:
    return a.keys() == b.keys() and all(a[k].keys() == b[k].keys() for k in a)

