"""Calls: what a call does to the taint of its receiver, its arguments and its result.

Policy for a call, in order (every matching rule applies):
1. a spec sink checks its arguments (a flow, or a parameter -> sink summary entry);
2. a project function applies its summary (its parameters' flows into the return
   value and into sinks, and the sources it returns);
3. a spec sanitizer returns its inputs cleared for its kinds (a call that is both a source
   and a sanitizer returns its source kind already cleared for them);
4. a spec propagator moves taint to the return value or to the receiver;
5. a spec source call adds its kind.
When neither 2, 3 nor 4 applied (an unknown call) the engine favours precision:
- a method call on a tainted object returns that taint (`x.strip()`, `x.encode()`,
  `request.args.get("q")`: anything called from a tainted object is tainted);
- a method on a string (`"...".format(x)`, `",".join(xs)`) also takes its
  arguments' taint, and container mutators (`l.append(x)`, `d.update(x)`) taint
  the container;
- a handful of built-in conversions (`str(x)`, `list(x)`, `sorted(x)`, ...) pass
  their argument's taint through;
- any other function (a library function no spec knows, a class constructor)
  returns a clean value: taint does not flow through code nobody described.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from secreview.analysis.values import looks_like_sql
from secreview.taint.escapes import METHODS as ESCAPE_METHODS
from secreview.taint.escapes import escaped_kinds
from secreview.taint.facts import Env, ModuleFacts
from secreview.taint.labels import (
    CLEAN,
    CONVERTED,
    PARAM,
    Label,
    clip,
    extend,
    is_param,
    join,
    join_all,
    sanitize,
    step,
)
from secreview.taint.named import called_name
from secreview.taint.reads import Reads
from secreview.taint.secrets import SECRET_SINKS, call_source, masked_mapping, masking_name, name_source, without_secret
from secreview.taint.sinks import Keywords, Sinks
from secreview.taint.spec import Sink
from secreview.taint.state import FunctionState

if TYPE_CHECKING:
    from secreview.taint.summaries import FunctionSummary

_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft"})
# A DB-API cursor the specs cannot type (a parameter, `self.cursor`, an unknown driver's
# connection): its `execute` family still runs SQL. Only for receivers of unknown type.
# (`exec_driver_sql` is SQLAlchemy's own name for the same: no other library spells it)
DBAPI_METHODS = frozenset({"execute", "executemany", "executescript", "exec_driver_sql"})
DBAPI_SINK = Sink(library="dbapi", kind="sql", call="<DB-API cursor>.execute", args=(0,),
                  keywords=("sql", "query", "operation", "statement"), note="PEP 249 cursor of unknown type")
# Query methods of async drivers and query builders (asyncpg, databases, aiomysql, clickhouse...):
# on a handle of unknown type they are SQL sinks only when the statement is visibly SQL text.
QUERY_METHODS = frozenset({"fetch", "fetchrow", "fetchval", "fetch_all", "fetch_one", "fetch_val", "query",
                           "iterate"})
QUERY_SINK = Sink(library="dbapi", kind="sql", call="<database handle>.query", args=(0,),
                  keywords=("sql", "query", "statement"), note="query method of a handle of unknown type, given SQL")
_NUMERIC = frozenset({"builtins.int", "builtins.float", "builtins.bool"})
_GETTERS = frozenset({"get", "getenv", "pop", "getheader", "get_header", "getlist"})
_STRING_TYPES = frozenset({"str", "bytes"})
_PASS_THROUGH = frozenset({
    "builtins.str", "builtins.bytes", "builtins.bytearray", "builtins.list", "builtins.tuple", "builtins.set",
    "builtins.frozenset", "builtins.dict", "builtins.sorted", "builtins.reversed", "builtins.iter", "builtins.next",
    "builtins.format", "builtins.repr", "builtins.ascii",
})


# Calls that call their first argument with the rest: the call they make is the one that matters.
CALL_FORWARDERS = frozenset({"asyncio.to_thread"})
# `Expressions.attribute(expr, env, elements)`: an attribute read again, without its element keys
Reread = Callable[[ast.Attribute, Env, bool], Label]


class Calls:
    """What a call does once its receiver and arguments are evaluated (`Expressions.call` evaluates
    them, in source order, and hands over their labels): the policy above."""

    def __init__(self, module: ModuleFacts, state: FunctionState, reads: Reads, sinks: Sinks):
        self.m = module
        self.ctx = module.ctx
        self.index = module.index
        self.state = state
        self.reads = reads
        self.sinks = sinks

    def call(self, node: ast.Call, env: Env, receiver: Label, receiver_path: str | None, args: list[Label],
             keywords: Keywords, reread: Reread) -> Label:
        result = self._call(node, env, receiver, receiver_path, args, keywords, reread)
        if result and isinstance(node.func, ast.Attribute) and node.func.attr in ESCAPE_METHODS:
            kinds = escaped_kinds(node, self.ctx)  # a hand-written escape (`escapes.py`)
            if kinds:
                what = ", ".join(sorted(kinds))
                result = extend(sanitize(result, kinds), (step(self.ctx, node, f"escaped for {what}"),))
        return result

    def forwarded_call(self, node: ast.Call) -> ast.Call | None:
        """`asyncio.to_thread(f, *args, **kw)` runs `f(*args, **kw)` in a thread: it is that call (at the
        same place), so a sink or a project function passed this way is judged as if called directly."""
        if not node.args or isinstance(node.args[0], ast.Starred) or self.ctx.call_name(node) not in CALL_FORWARDERS:
            return None
        inner = ast.Call(func=node.args[0], args=node.args[1:], keywords=node.keywords)
        return ast.copy_location(inner, node)

    def _call(self, node: ast.Call, env: Env, receiver: Label, receiver_path: str | None, args: list[Label],
              keywords: Keywords, reread: Reread) -> Label:
        func = node.func
        state = self.state
        if receiver_path == "self":
            state.snapshot_self(env)
        names = self.m.typer.names(func, state.types)
        index = self.index
        matched = False
        for name in names:
            for sink in index.sinks_by_call.get(name, ()):
                matched = True
                self.sinks.check_sink(node, sink, args, keywords, name, receiver)
        if not matched and isinstance(func, ast.Attribute) and func.attr in DBAPI_METHODS \
                and self.untyped_object(func.value):
            shown = f"{self.ctx.segment(func.value) or '?'}.{func.attr}"
            self.sinks.check_sink(node, DBAPI_SINK, args, keywords, shown)
        elif not matched and isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS and args and args[0] \
                and self.untyped_object(func.value) and self.sql_text(node.args[0]):
            shown = f"{self.ctx.segment(func.value) or '?'}.{func.attr}"
            self.sinks.check_sink(node, QUERY_SINK, args, keywords, shown)
        for kw, (key, label) in zip(node.keywords, keywords, strict=True):
            if key and label:
                self.sinks.reach_named("keyword", key, label, kw.value, node)
        if not matched and any(args):  # `set_secret(value)`, `_reset_link(code)`
            for arg, label in zip(node.args, args, strict=True):
                if label:
                    self.sinks.reach_named("called", called_name(func), label, arg, node)
        result = CLEAN
        handled = False
        target = self.m.resolve_call(state, func)
        if target is not None:
            summary, bound = target
            result = self.apply_summary(node, summary, bound, args, keywords, env if bound else None, receiver_path)
            handled = True
        every = join_all([receiver, *args, *(label for _, label in keywords)])
        for name in names:
            sanitizers = index.sanitizers_by_call.get(name, ())
            if sanitizers:
                if every:
                    clears = frozenset().union(*(s.clears for s in sanitizers))
                    cleaned = sanitize(every, clears)
                    result = join(result, extend(cleaned, (step(self.ctx, node, f"sanitized by `{name}()`"),)))
                handled = True
            for propagator in index.propagators_by_call.get(name, ()):
                moved = self.propagated(propagator.frm, receiver, args, keywords)
                handled = True
                if propagator.to == "receiver":
                    if moved and receiver_path is not None:
                        env[self.state.note_key(receiver_path)] = join(env.get(receiver_path, CLEAN), extend(
                            moved, (step(self.ctx, node, f"stored in `{receiver_path}`"),)))
                else:
                    result = join(result, moved)
            # a source call that is also a sanitizer gives a value already clean for those kinds
            # (`request.get_full_path()`: client data, but a path of this site, never another host)
            born_clean = frozenset().union(*(s.clears for s in index.sanitizers_by_call.get(name, ())))
            if "*" in born_clean:  # `hashlib.md5()`: a fast digest (source), clean of everything else
                born_clean = CONVERTED
            for source in index.sources_by_call.get(name, ()):
                result = dict(result)
                result.setdefault((source.kind, born_clean), (step(self.ctx, node, f"source: `{name}()`"),))
        if not handled:
            result = join(result, self.unknown_call(node, func, receiver, receiver_path, args, keywords, names, env,
                                                    reread))
        return self.secret_call(node, result)

    def secret_call(self, node: ast.Call, result: Label) -> Label:
        """The secret a call returns (`secrets.py`): a getter named for one, a parsed command line with a
        secret option, `d.get("password")`, `os.getenv("DB_PASSWORD")`; a masked copy of a mapping is not."""
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if result and ((name == "dict" and masked_mapping(node)) or masking_name(name)):
            return sanitize(result, SECRET_SINKS)  # a masked copy; `_obfuscate_credential(v)`
        if name.startswith("get_") or name.startswith("parse_"):
            result = join(result, call_source(self.ctx, node))
        elif name in _GETTERS and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            secret = name_source(self.ctx, node, node.args[0].value, self.ctx.segment(node) or name)
            # `creds.get("region")`: another key of a mapping that holds a secret is not the secret
            result = join(result, secret) if secret else without_secret(result)
        return result

    def untyped_object(self, expr: ast.AST) -> bool:
        """A local value, parameter or attribute path of no known type (not an imported name)."""
        if self.m.typer.type_of(expr, self.state.types) is not None:
            return False
        root = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        return isinstance(root, ast.Name) and (root.id not in self.ctx.imports or root.id in self.state.aliases)

    def sql_text(self, expr: ast.AST) -> bool:
        """The literal parts of the statement (of its expression, or of every value this function
        assigns to the name it is) read as SQL."""
        parts: list[ast.AST] = [expr, *(self.state.assigned(expr.id) if isinstance(expr, ast.Name) else ())]
        return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and looks_like_sql(n.value)
                   for part in parts for n in ast.walk(part))

    def unknown_call(self, node: ast.Call, func: ast.expr, receiver: Label, receiver_path: str | None,
                     args: list[Label], keywords: Keywords, names: list[str], env: Env, reread: Reread) -> Label:
        if isinstance(func, ast.Attribute):
            if func.attr == "get" and any(kw.arg == "type" and self.ctx.qualname(kw.value) in _NUMERIC
                                          for kw in node.keywords):
                return CLEAN  # `request.args.get("page", type=int)` converts (or falls back to the default)
            if func.attr == "get" and receiver_path is not None and node.args:
                key = self.reads.constant_key(node.args[0], env)
                element = f"{receiver_path}[{key!r}]" if key is not None else None
                if element is not None and element in env:
                    return join(env[element], join_all(args[1:]))
                if element is not None and self.state.has_elements:
                    if isinstance(func.value, ast.Attribute):
                        receiver = reread(func.value, env, False)
                    else:
                        receiver = self.reads.read_path(receiver_path, func.value, env, elements=False)
            inputs = join_all([*args, *(label for _, label in keywords)])
            if func.attr in _MUTATORS and receiver_path is not None and inputs:
                env[self.state.note_key(receiver_path)] = join(env.get(receiver_path, CLEAN), extend(
                    inputs, (step(self.ctx, node, f"stored in `{receiver_path}`"),)))
            if self.m.typer.type_of(func.value, self.state.types) in _STRING_TYPES:
                return join(receiver, inputs)
            return receiver
        if any(name in _PASS_THROUGH for name in names):
            return join_all([*args, *(label for _, label in keywords)])
        return CLEAN

    def propagated(self, frm: tuple[int | str, ...], receiver: Label, args: list[Label], keywords: Keywords) -> Label:
        moved = CLEAN
        for item in frm:
            if item == "receiver":
                moved = join(moved, receiver)
            elif item == "args":
                moved = join(moved, join_all([*args, *(label for _, label in keywords)]))
            elif isinstance(item, int) and item < len(args):
                moved = join(moved, args[item])
            elif isinstance(item, str):
                moved = join(moved, join_all(label for name, label in keywords if name == item))
        return moved

    def apply_summary(self, node: ast.Call, summary: FunctionSummary, bound: bool, args: list[Label],
                      keywords: Keywords, env: Env | None = None, receiver_path: str | None = None) -> Label:
        """`env`, `receiver_path`: for a bound call on a path (`job.run()`), what the receiver's attributes
        hold fills the method's `self.X` origins (what a constructor stored on this very instance)."""
        params = summary.params[1:] if bound else summary.params
        mapping: dict[str, list[tuple[Label, ast.expr]]] = {}
        if env is not None and receiver_path is not None and isinstance(node.func, ast.Attribute):
            self._receiver_attributes(node.func.value, summary, env, receiver_path, mapping)
        for position, (arg, label) in enumerate(zip(node.args, args, strict=True)):
            if isinstance(arg, ast.Starred):
                for name in [*params[position:], *([summary.vararg] if summary.vararg else [])]:
                    mapping.setdefault(name, []).append((label, arg))
            elif position < len(params):
                mapping.setdefault(params[position], []).append((label, arg))
            elif summary.vararg:
                mapping.setdefault(summary.vararg, []).append((label, arg))
        for (given, label), kw in zip(keywords, node.keywords, strict=True):
            if given is None:  # `**options`: any parameter not passed otherwise
                positional = 0 if any(isinstance(a, ast.Starred) for a in node.args) else len(node.args)
                named = {k.arg for k in node.keywords}
                for param in (*params[positional:], *summary.keyword_only, *([summary.kwarg] if summary.kwarg else [])):
                    if param not in named:
                        mapping.setdefault(param, []).append((label, kw.value))
            elif given in params or given in summary.keyword_only:
                mapping.setdefault(given, []).append((label, kw.value))
            elif summary.kwarg:
                mapping.setdefault(summary.kwarg, []).append((label, kw.value))
        result: Label = {}
        for (kind, cleared), inner in summary.returns.items():
            if is_param(kind):
                for label, arg in mapping.get(kind[len(PARAM):], ()):
                    if label:
                        enter = step(self.ctx, arg, f"passed to `{summary.name}()` as `{kind[len(PARAM):]}`")
                        back = step(self.ctx, node, f"returned by `{summary.name}()`")
                        result = join(result, extend(sanitize(label, cleared), (enter, *inner, back)))
            elif (kind, cleared) not in result:
                result[(kind, cleared)] = clip(inner + (step(self.ctx, node, f"returned by `{summary.name}()`"),))
        for (kind, cleared, sink), inner in summary.sinks.items():
            for label, arg in mapping.get(kind[len(PARAM):], ()):
                if label:
                    enter = step(self.ctx, arg, f"passed to `{summary.name}()` as `{kind[len(PARAM):]}`")
                    self.sinks.reach_sink(node, arg, sink, sanitize(label, cleared), (enter, *inner))
        for attr, stored in summary.stores.items() if bound else ():
            for (kind, cleared), inner in stored.items():
                for label, arg in mapping.get(kind[len(PARAM):], ()):
                    concrete = {k: t for k, t in label.items() if not is_param(k[0])}
                    if concrete:
                        enter = step(self.ctx, arg, f"passed to `{summary.name}()` as `{kind[len(PARAM):]}`")
                        kept = extend(sanitize(concrete, cleared), (enter, *inner))
                        self.m.store_on_instance(summary, attr, kept)
                        if summary.name.endswith(".__init__") and summary.path != self.ctx.path:
                            # another module's class: the new instance carries it (`Expressions.assign` binds it)
                            attrs = self.state.instance_stores.setdefault(id(node), {})
                            attrs[attr] = join(attrs.get(attr, CLEAN), kept)
        return result

    def _receiver_attributes(self, receiver: ast.expr, summary: FunctionSummary, env: Env,
                             receiver_path: str, mapping: dict[str, list[tuple[Label, ast.expr]]]) -> None:
        """`receiver`: the object of the bound call (`job` of `job.run()`)."""
        kinds = {k for k, _ in summary.returns} | {k for k, _, _ in summary.sinks} | \
            {k for stored in summary.stores.values() for k, _ in stored}
        for kind in kinds:
            if not kind.startswith(PARAM + "self."):
                continue
            attr = kind[len(PARAM) + 5:]
            path = f"{receiver_path}.{attr}"
            label = self.reads.read_path(path, receiver, env) if receiver_path == "self" else env.get(path, CLEAN)
            if label:
                mapping.setdefault(f"self.{attr}", []).append((label, receiver))
