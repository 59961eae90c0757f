"""Guards: what a condition proves about a value in the branch it protects.

A spec sanitizer used as a predicate (`if not name.isdigit(): return`), membership in a
literal collection (`if cmd in ALLOWED`), equality with a literal, a full match of a
literal regex, `startswith` on a path normalised in the function (`realpath`), a URL
host checked against an allowlist (`urlparse(url).hostname in HOSTS`), a boolean name
bound to such a test (`ok = is_safe(url)`), and `not`/`and` of these. The branch where the
test holds sees the value cleared for the kinds the check covers; a call that never
returns (`abort(403)`, `sys.exit()`) ends its path.
"""

from __future__ import annotations

import ast

from secreview.analysis.values import is_literal, literal_value, module_constant
from secreview.taint.facts import Env, ModuleFacts
from secreview.taint.labels import Guard
from secreview.taint.regexes import pattern_clears
from secreview.taint.state import FunctionState

ALL = frozenset({"*"})
_PREDICATE_PREFIXES = ("is", "has", "valid", "check", "url_has", "allowed")
# Their result is harmless data, but as a test they only prove that a file exists: `../../etc/passwd`
# exists too. Not guards.
_EXISTENCE_TESTS = frozenset({"exists", "lexists", "isfile", "isdir", "islink", "ismount", "is_file", "is_dir",
                              "is_symlink", "getsize"})

NO_RETURN = frozenset({
    "flask.abort", "werkzeug.exceptions.abort", "pecan.abort", "sys.exit", "builtins.exit", "builtins.quit",
    "os._exit", "os.abort",
})
# a host checked against an allowlist: the URL goes where the program meant, not elsewhere
HOST_CHECKED = frozenset({"url", "redirect"})


def is_url_parser(name: str | None) -> bool:
    if not name:
        return False
    return name.rsplit(".", 1)[-1] in ("urlparse", "urlsplit", "parse_url")


_NORMALISERS = frozenset({"realpath", "abspath", "normpath", "resolve"})


def normalises(value: ast.AST) -> bool:
    """The value is built by a call that resolves `..` (`os.path.realpath(...)`, `Path(...).resolve()`)."""
    for node in ast.walk(value):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in _NORMALISERS:
                return True
    return False


class Guards:
    """What a condition proves (`guards`) and whether it is fixed in the source (`constant_truth`). It
    reads the function's bindings and what its assignments recorded (`FunctionState.facts`,
    `parsed_urls`, `normalized`), never evaluates an expression."""

    def __init__(self, module: ModuleFacts, state: FunctionState):
        self.m = module
        self.ctx = module.ctx
        self.index = module.index
        self.state = state

    def guards(self, test: ast.expr, env: Env, depth: int = 0) -> list[Guard]:
        found = self._guards(test, env, depth)
        for path, _, _ in found:  # `narrow` may bind these paths (`body.url`) in an environment
            self.state.note_key(path)
        return found

    def _guards(self, test: ast.expr, env: Env, depth: int = 0) -> list[Guard]:
        """What passing (`True`) or failing (`False`) the condition proves about a value:
        a spec sanitizer used as a predicate (`x.isdigit()`), membership in a literal
        collection (`x in ALLOWED`), equality with a literal, a full-match of a literal
        regex (`re.fullmatch(r"[a-z]+", x)`), and `not`/`and`/`or` of these."""
        if depth > 10:
            return []
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return [(path, clears, not holds) for path, clears, holds in self.guards(test.operand, env, depth + 1)]
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return [g for value in test.values for g in self.guards(value, env, depth + 1) if g[2]]
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            # `if not A(x) or not B(y): return` - past it, every operand was false
            return [g for value in test.values for g in self.guards(value, env, depth + 1) if not g[2]]
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            path, clears = self.state.path_of(test.left), ALL
            if path is None or path not in env:
                host_of = self.host_of(test.left)  # `urlparse(url).hostname in ALLOWED_HOSTS`
                if host_of is not None:
                    path, clears = host_of, HOST_CHECKED
            op, right = test.ops[0], test.comparators[0]
            if path is None:
                return []
            if isinstance(op, (ast.In, ast.NotIn)) and self.literal_collection(right):
                return [(path, clears, isinstance(op, ast.In))]
            if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)) and is_literal(right, self.ctx):
                if isinstance(right, ast.Constant) and right.value is None:
                    return []  # `x is None` proves nothing about a value that is not None
                return [(path, clears, isinstance(op, (ast.Eq, ast.Is)))]
            return []
        if isinstance(test, ast.Call):
            return self.predicate(test) or self.contained(test)
        if isinstance(test, ast.Name):
            return self.state.facts.get(test.id, [])
        return []

    def host_of(self, expr: ast.AST) -> str | None:
        """The URL whose host (or netloc) `expr` is: `urlparse(url).netloc`, or `parts.hostname`
        after `parts = urlsplit(url)`."""
        if not (isinstance(expr, ast.Attribute) and expr.attr in ("netloc", "hostname", "host")):
            return None
        base = expr.value
        if isinstance(base, ast.Call) and base.args and is_url_parser(self.ctx.call_name(base)):
            return self.state.path_of(base.args[0])
        if isinstance(base, ast.Name):
            return self.state.parsed_urls.get(base.id)
        return None

    def contained(self, call: ast.Call) -> list[Guard]:
        """`full.startswith(BASE)` (or `is_relative_to`) on a path normalised in this function
        (`realpath`/`abspath`/`normpath`/`resolve`) keeps it inside BASE: clean for `path`."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in ("startswith", "is_relative_to") and call.args):
            return []
        path = self.state.path_of(func.value)
        if path is None or path not in self.state.normalized:
            return []
        return [(path, frozenset({"path"}), True)]

    def literal_collection(self, expr: ast.expr) -> bool:
        if isinstance(expr, ast.Dict):
            return all(isinstance(k, ast.Constant) for k in expr.keys)
        if isinstance(expr, ast.Name):
            value = module_constant(self.ctx, expr.id)
            return expr.id not in self.state.types and value is not None and self.literal_collection(value)
        return isinstance(expr, (ast.Tuple, ast.List, ast.Set)) and is_literal(expr, self.ctx)

    def predicate(self, call: ast.Call) -> list[Guard]:
        func = call.func
        names = self.m.typer.names(func, self.state.types)
        if isinstance(func, ast.Attribute) and self.m.typer.type_of(func.value, self.state.types) is None:
            names.append(f"str.{func.attr}")  # request values are strings: `q.isdigit()`
        clears = frozenset().union(*(s.clears for n in names for s in self.index.sanitizers_by_call.get(n, ())))
        short = names[-1].rsplit(".", 1)[-1].lstrip("_") if names else ""
        if clears and short.startswith(_PREDICATE_PREFIXES) and short not in _EXISTENCE_TESTS:
            # (`quote(x)` in a test proves nothing about x; nor does `isfile(x)`)
            given = [*call.args, *(kw.value for kw in call.keywords if kw.arg)]
            subject = func.value if isinstance(func, ast.Attribute) and not given else (given[0] if given else None)
            path = self.state.path_of(subject) if subject is not None else None
            return [(path, clears, True)] if path is not None else []
        target = self.m.resolve_call(self.state, func)
        if target is not None and target[0].validates:  # a project function that checks its argument
            given = [*call.args, *(kw.value for kw in call.keywords if kw.arg)]
            path = self.state.path_of(given[0]) if given else None
            kinds = target[0].validates
            return [(path, ALL if "*" in kinds else frozenset(kinds), True)] if path is not None else []
        checked = self.regex_check(call, names)
        if checked is not None:
            subject, clears = checked
            path = self.state.path_of(subject)
            return [(path, clears, True)] if path is not None and clears else []
        return []

    def regex_check(self, call: ast.Call, names: list[str]) -> tuple[ast.expr, frozenset[str]] | None:
        """`re.fullmatch(P, x)`, `re.match(P, x)`, `re.search(P, x)` or the same methods of a pattern
        compiled from a literal (`NAME_RE = re.compile(P)` at module level, or inline): the subject
        and the sink kinds a match clears it for (what the pattern admits, `regexes.py`)."""
        func = call.func
        how = func.attr if isinstance(func, ast.Attribute) else ""
        if any(n in ("re.fullmatch", "re.match", "re.search") for n in names) and len(call.args) >= 2:
            how = next(n for n in names if n in ("re.fullmatch", "re.match", "re.search"))[3:]
            pattern, flags, subject = call.args[0], call.args[2:3], call.args[1]
        elif how in ("fullmatch", "match", "search") and call.args and isinstance(func, ast.Attribute):
            compiled = func.value
            if isinstance(compiled, ast.Name) and compiled.id not in self.state.types:
                compiled = module_constant(self.ctx, compiled.id) or compiled
            if not (isinstance(compiled, ast.Call) and compiled.args
                    and self.ctx.call_name(compiled) == "re.compile"):
                return None
            pattern, flags, subject = compiled.args[0], compiled.args[1:2], call.args[0]
        else:
            return None
        text = literal_value(pattern, self.ctx)
        if not isinstance(text, str):
            return None
        if any("VERBOSE" in (self.ctx.segment(f) or "") or (self.ctx.segment(f) or "").endswith(".X")
               for f in flags):
            text = "(?x)" + text
        return subject, pattern_clears(text, how)

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
