"""Flow-sensitive taint inside one function (or a module body).

Statements are walked in order over an environment that maps names, `self`
attributes (`self.x`), other simple attribute paths (`obj.attr`), constant dict
keys (`d['k']`) and constant list indexes (`l[0]`) to labels. Branches join at
merge points; loops iterate to a bounded fixpoint; a branch whose condition is a
constant (`if False`, `if 0`, `if not True`, `if TYPE_CHECKING`, a module constant
bound to a literal) is dead. Assigning a literal clears a name. A `return`/`raise`
ends the path.

`FunctionAnalysis` walks the statements and composes the rest (see "How a function is analysed"
in the README): expressions and assignments in `expressions.py`, calls in `calls.py`, reads of
names in `reads.py`, conditions in `guards.py`, sinks in `sinks.py`, entry and `return` in
`handlers.py`, everything it finds in one `state.FunctionState`. It sees its module only through
`facts.ModuleFacts`.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable

from secreview.taint.calls import Calls
from secreview.taint.expressions import Expressions
from secreview.taint.facts import Env, ModuleFacts, UnitNode
from secreview.taint.guards import NO_RETURN, Guards
from secreview.taint.handlers import Responses, entry_env
from secreview.taint.labels import CLEAN, join, narrow
from secreview.taint.reads import Reads
from secreview.taint.sinks import Sinks
from secreview.taint.spec import Sink
from secreview.taint.state import FunctionState

RAISE_SINK = Sink(library="python", kind="exception_message", call="<raised exception>", all_args=True,
                  note="the arguments of a raised exception")
LOOP_ROUNDS = 4
# `try` and, from Python 3.11, `try`/`except*` (same fields): both run their handlers the same way here
TRY_STATEMENTS = (ast.Try, ast.TryStar) if sys.version_info >= (3, 11) else (ast.Try,)


class FunctionAnalysis:
    """One function (or module body): the statements here; the parts it composes own the rest. Its
    results are in `state` (`returns`, `sinks`, `flows`, `self_writes`, `param_writes`, `final_env`)."""

    def __init__(self, module: ModuleFacts, node: UnitNode, name: str, cls: str | None):
        self.m = module
        self.ctx = module.ctx
        self.state = state = FunctionState(module.ctx, node, name, cls)
        self.sinks = Sinks(module.ctx, module.judged, state)
        self.reads = Reads(module, state)
        self.guard = Guards(module, state)
        self.expressions = Expressions(module, state, self.reads, self.sinks, self.guard,
                                       Calls(module, state, self.reads, self.sinks))
        self.responses = Responses(module, state, self.sinks)
        self.eval = self.expressions.eval  # the two the statements use most, bound once
        self.assign = self.expressions.assign

    # -- entry -----------------------------------------------------------------------------
    def run(self) -> None:
        env: Env = {}
        state = self.state
        node = state.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            env = entry_env(self.m, state, node)
        end = self.block(node.body, env)
        if end is not None:
            state.snapshot_self(end)
        if isinstance(node, ast.Module) and end is not None:
            state.final_env = end

    # -- statements ------------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt], env: Env | None) -> Env | None:
        for stmt in stmts:
            if env is None:
                return None
            env = self.statement(stmt, env)
        return env

    def statement(self, stmt: ast.stmt, env: Env) -> Env | None:
        # `type(stmt) is` rather than `isinstance`: parsed nodes are of the exact classes, and the test is
        # cheaper on this path; mypy narrows either
        if type(stmt) is ast.Assign:
            label = self.eval(stmt.value, env)
            for target in stmt.targets:
                self.assign(target, label, stmt.value, env, stmt)
        elif type(stmt) is ast.AnnAssign:
            if stmt.value is not None:
                self.assign(stmt.target, self.eval(stmt.value, env), stmt.value, env, stmt)
        elif type(stmt) is ast.AugAssign:
            label = join(self.eval(stmt.target, env), self.eval(stmt.value, env))
            self.assign(stmt.target, label, None, env, stmt)
        elif type(stmt) is ast.Expr:
            self.eval(stmt.value, env)
            if isinstance(stmt.value, ast.Call) and self.ctx.call_name(stmt.value) in NO_RETURN:
                return None  # `abort(403)` raises: the path ends here
        elif type(stmt) is ast.Return:
            if stmt.value is not None:
                label = self.eval(stmt.value, env)
                self.state.add_return(label, stmt)
                if label and self.responses.returned:
                    self.responses.response(stmt, stmt.value, label)
            self.state.snapshot_self(env)
            return None
        elif type(stmt) is ast.If:
            return self.branch(stmt.test, stmt.body, stmt.orelse, env)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            items = self.eval(stmt.iter, env)
            return self.loop(env, stmt.body, stmt.orelse, lambda e: self.assign(stmt.target, items, None, e, stmt))
        elif type(stmt) is ast.While:
            truth = self.guard.constant_truth(stmt.test, env)
            if truth is False:
                return self.block(stmt.orelse, env)
            return self.loop(env, stmt.body, stmt.orelse, lambda e: self.eval(stmt.test, e))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                label = self.eval(item.context_expr, env)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, label, item.context_expr, env, stmt)
            return self.block(stmt.body, env)
        elif isinstance(stmt, TRY_STATEMENTS):
            return self.try_statement(stmt, env)
        elif type(stmt) is ast.Raise:
            if stmt.exc is not None:
                self.eval(stmt.exc, env)
                if isinstance(stmt.exc, ast.Call):
                    self.raised(stmt.exc, env)
            return None
        elif type(stmt) is ast.Match:
            return self.match(stmt, env)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in stmt.decorator_list:
                self.eval(decorator, env)
            if type(stmt) is ast.ClassDef:  # a class body runs once, in order (its methods are units of their own)
                self.block(stmt.body, dict(env))
            env[stmt.name] = CLEAN
        elif type(stmt) is ast.Delete:
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    env.pop(target.id, None)
        elif type(stmt) is ast.Assert:
            self.eval(stmt.test, env)
            narrow(env, self.guard.guards(stmt.test, env), True)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                bound = alias.asname or alias.name.split(".")[0]
                env.pop(bound, None)
        return env

    def branch(self, test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt], env: Env) -> Env | None:
        truth = self.guard.constant_truth(test, env)
        if truth is True:
            return self.block(body, env)
        if truth is False:
            return self.block(orelse, env)
        self.eval(test, env)
        checks = self.guard.guards(test, env)
        return merge(self.block(body, narrow(dict(env), checks, True)),
                     self.block(orelse, narrow(dict(env), checks, False)))

    def loop(self, env: Env, body: list[ast.stmt], orelse: list[ast.stmt], bind: Callable[[Env], object]) -> Env | None:
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

    def try_statement(self, stmt: ast.Try | ast.TryStar, env: Env) -> Env | None:
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

    def raised(self, call: ast.Call, env: Env) -> None:
        """`raise X(...)`: the exception's arguments are its message, whatever class X is (a project
        exception formats its keyword arguments into it), so they are an `exception_message` sink."""
        args = [self.eval(a, env) for a in call.args]
        keywords = [(kw.arg, self.eval(kw.value, env)) for kw in call.keywords]
        if any(args) or any(label for _, label in keywords):
            name = self.ctx.call_name(call) or self.ctx.segment(call.func) or "?"
            self.sinks.check_sink(call, RAISE_SINK, args, keywords, name)


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

