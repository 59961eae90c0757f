"""Per-file facts shared by every rule: the tree, parents, and name resolution.

One walk over the tree records each node's parent, the imports, and the nodes
each rule asked for; rules then read these facts instead of walking again.
Names are resolved to qualified names through imports and simple aliases, so a
rule matches `yaml.load` whether the file wrote `import yaml`, `from yaml import
load` or `import yaml as y` (never by the source text).
"""

from __future__ import annotations

import ast
import builtins
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar, cast

from secreview.analysis.memo import MemoKey

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
T = TypeVar("T")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_BUILTINS = frozenset(dir(builtins))
# Fields that never hold a node (names, flags, a Constant's value): the walk does not look at them.
_SCALAR_FIELDS = frozenset({"ctx", "id", "attr", "arg", "module", "level", "kind", "type_comment", "asname",
                            "is_async", "conversion"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: ()}


def _child_fields(kind: type) -> tuple[str, ...]:
    fields: tuple[str, ...] = getattr(kind, "_fields", ())
    return tuple(f for f in fields if f not in _SCALAR_FIELDS)


_NAMED = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler})
_Named = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.ExceptHandler
_BOUND_NAMES: MemoKey[frozenset[str]] = MemoKey("bound-names")
_CALLS_BY_LINE: MemoKey[dict[int, list[ast.Call]]] = MemoKey("calls-by-line")
_IDENTIFIERS: MemoKey[str] = MemoKey("identifiers")
_IDENTIFIERS_FOLDED: MemoKey[str] = MemoKey("identifiers-folded")
_CALLED_NAMES: MemoKey[frozenset[str]] = MemoKey("called-names")


class FileContext:
    """What rules know about one parsed file. Built once; rules must not mutate it."""

    def __init__(self, path: str, source: str, tree: ast.Module, wanted: frozenset[type] = frozenset()):
        self.path = path
        self.source = source
        # Python numbers lines at \n, \r\n and \r only; str.splitlines() also breaks at form
        # feeds, U+2028 and friends, which would shift every line after one.
        self.lines = _LINE_BREAKS.split(source)
        self.tree = tree
        self._parents: dict[int, ast.AST] = {}
        self.nodes_by_type: dict[type, list[ast.AST]] = {t: [] for t in wanted}
        self.imports: dict[str, str] = {}
        self._module_bound: set[str] = set()
        self._cache: dict[tuple[object, int], object] = {}
        self._call_names: dict[int, str | None] = {}
        self._stored_anywhere: set[str] = set()  # every name bound anywhere (cheap shadowing pre-check)
        # every identifier the code spells (names, attributes, imports, keywords, defs, parameters): what
        # rules' NEEDS prefilters search, far smaller than the text
        self._identifiers: set[str] = set()
        self._nodes: list[ast.AST] = []
        self._walk(wanted)
        self._collect_module_aliases()

    # -- construction -------------------------------------------------------------------
    def _walk(self, wanted: frozenset[type]) -> None:
        # The one walk over the tree (hot: it visits every node of every file), so the
        # child iteration is inlined instead of going through ast.iter_child_nodes.
        parents = self._parents
        by_type = self.nodes_by_type
        stored = self._stored_anywhere
        spelled = self._identifiers.add
        child_fields = _CHILD_FIELDS
        node_type, name_type, arg_type, store = ast.AST, ast.Name, ast.arg, ast.Store
        attribute_type, keyword_type = ast.Attribute, ast.keyword
        stack: list[ast.AST] = [self.tree]
        visited = self._nodes  # every node, the leaves (contexts, operators) too: `tree_nodes`
        visit = visited.append
        while stack:
            node = stack.pop()
            visit(node)
            kind = type(node)
            if kind in by_type:
                by_type[kind].append(node)
            # `kind is X` is tested rather than isinstance (hot loop, and no node type is subclassed);
            # the casts tell the checker what that test proved (they check nothing at run time).
            if kind is name_type:
                name = cast(ast.Name, node)
                spelled(name.id)
                if type(name.ctx) is store:
                    stored.add(name.id)
                visit(name.ctx)
                continue  # a Name's only child is its ctx
            if kind is attribute_type:
                spelled(cast(ast.Attribute, node).attr)
            elif kind is arg_type:
                arg = cast(ast.arg, node).arg
                stored.add(arg)
                spelled(arg)
            elif kind is keyword_type:
                keyword_arg = cast(ast.keyword, node).arg
                if keyword_arg:
                    spelled(keyword_arg)
            elif kind in _NAMED:
                named = cast(_Named, node).name
                if named:
                    spelled(named)
            elif kind is ast.Import or kind is ast.ImportFrom:
                self._record_import(cast(ast.Import | ast.ImportFrom, node))
            fields = child_fields.get(kind)
            if fields is None:
                fields = child_fields[kind] = _child_fields(kind)
            for field in fields:
                value = getattr(node, field, None)
                if isinstance(value, list):
                    for item in reversed(value):
                        if isinstance(item, node_type):
                            parents[id(item)] = node
                            stack.append(item)
                elif isinstance(value, node_type):
                    if isinstance(value, (ast.expr_context, ast.operator)):
                        visit(value)  # a leaf, shared between nodes: no parent
                    else:
                        parents[id(value)] = node
                        stack.append(value)
        by_position = operator.attrgetter("lineno", "col_offset")
        for kind, nodes in by_type.items():  # source order (a stable sort: ties keep walk order)
            if len(nodes) > 1 and "lineno" in getattr(kind, "_attributes", ()):
                nodes.sort(key=by_position)

    def _record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        # The first binding wins: `try: import simplejson as json / except: import json`
        # keeps the first, which is the one a reviewer reads first too.
        spelled = self._identifiers.add
        if isinstance(node, ast.ImportFrom) and node.module:
            spelled(node.module)
        for alias in node.names:
            spelled(alias.name)
            if alias.asname:
                spelled(alias.asname)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports.setdefault(alias.asname, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    self.imports.setdefault(top, top)
            return
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                continue
            target = f"{module}.{alias.name}" if module and not module.endswith(".") else module + alias.name
            self.imports.setdefault(alias.asname or alias.name, target)

    def _collect_module_aliases(self) -> None:
        """Module-level `run = subprocess.run` style aliases, when bound exactly once."""
        counts: dict[str, int] = {}
        values: dict[str, ast.expr] = {}
        for stmt in self.tree.body:
            targets: list[ast.expr] = []
            if isinstance(stmt, ast.Assign):
                targets = list(stmt.targets)
            elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
                targets = [stmt.target]
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._module_bound.add(stmt.name)
            for target in targets:
                for name in _target_names(target):
                    self._module_bound.add(name)
                    counts[name] = counts.get(name, 0) + 1
                    if isinstance(stmt, ast.Assign) and isinstance(target, ast.Name):
                        values[name] = stmt.value
        for name, value in values.items():
            if counts[name] == 1 and name not in self.imports and isinstance(value, (ast.Name, ast.Attribute)):
                resolved = self.qualname(value)
                if resolved and "." in resolved:
                    self.imports[name] = resolved

    # -- tree navigation ----------------------------------------------------------------
    def parent(self, node: ast.AST) -> ast.AST | None:
        return self._parents.get(id(node))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self._parents.get(id(node))
        while current is not None:
            yield current
            current = self._parents.get(id(current))

    def enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        for anc in self.ancestors(node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return anc
            if isinstance(anc, ast.ClassDef):
                return None
        return None

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        for anc in self.ancestors(node):
            if isinstance(anc, ast.ClassDef):
                return anc
        return None

    def statement_of(self, node: ast.AST) -> ast.stmt | None:
        """The innermost statement containing the node (the node itself if a statement)."""
        if isinstance(node, ast.stmt):
            return node
        for anc in self.ancestors(node):
            if isinstance(anc, ast.stmt):
                return anc
        return None

    def scope_name(self, node: ast.AST) -> str:
        """Dotted name of the enclosing classes/functions, e.g. `Api.get` (stable across edits)."""
        parts = [
            anc.name
            for anc in self.ancestors(node)
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        ]
        return ".".join(reversed(parts))

    def memo(self, key: MemoKey[T], node: ast.AST, compute: Callable[[], T]) -> T:
        """Cache a fact derived from `node` and shared by several rules (e.g. a function's assignments).
        Only derived facts: a value cached here must follow from the tree alone, whoever asks first."""
        slot = (key, id(node))
        cache = self._cache
        if slot not in cache:
            cache[slot] = compute()
        return cast(T, cache[slot])

    # -- names ---------------------------------------------------------------------------
    def qualname(self, expr: ast.AST | None) -> str | None:
        """Resolve `y.load` to `yaml.load` through imports; builtins become `builtins.x`.

        Unbound names stay bare (`request.args`); a call in the chain is written `f()`
        (`requests.Session().get`). Anything else (subscripts, literals) gives None.
        """
        if isinstance(expr, ast.Name):
            name = expr.id
            if name in self.imports:
                return self.imports[name]
            if name in _BUILTINS and name not in self._module_bound and not self._locally_bound(expr):
                return f"builtins.{name}"
            return name
        if isinstance(expr, ast.Attribute):
            base = self.qualname(expr.value)
            return f"{base}.{expr.attr}" if base else None
        if isinstance(expr, ast.Call):
            base = self.qualname(expr.func)
            return f"{base}()" if base else None
        return None

    def call_name(self, call: ast.Call) -> str | None:
        key = id(call)
        if key not in self._call_names:  # every rule asks; resolve each call once
            self._call_names[key] = self.qualname(call.func)
        return self._call_names[key]

    def _locally_bound(self, name: ast.Name) -> bool:
        if name.id not in self._stored_anywhere:
            return False
        func = self.enclosing_function(name)
        if func is None:
            return False
        return name.id in self.memo(_BOUND_NAMES, func, lambda: _bound_names(func))

    # -- source text ---------------------------------------------------------------------
    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def segment(self, node: ast.AST) -> str:
        """The node's source text, cut from the cached lines (ast.get_source_segment
        re-splits the whole file on every call, which dominated large files)."""
        start: int | None = getattr(node, "lineno", None)
        end: int | None = getattr(node, "end_lineno", None)
        col: int | None = getattr(node, "col_offset", None)
        end_col: int | None = getattr(node, "end_col_offset", None)
        if start is None or end is None or col is None or end_col is None or end > len(self.lines):
            return ""
        if start == end:
            return self.lines[start - 1].encode()[col:end_col].decode("utf-8", "replace")
        first = self.lines[start - 1].encode()[col:].decode("utf-8", "replace")
        last = self.lines[end - 1].encode()[:end_col].decode("utf-8", "replace")
        return "\n".join([first, *self.lines[start:end - 1], last])

    def tree_nodes(self) -> list[ast.AST]:
        """Every node of the file, each statement before what it holds (depth first, not `ast.walk`'s
        breadth-first order): listed by the construction walk, for all the rules that scan the file."""
        return self._nodes

    def calls_on_line(self, line: int) -> list[ast.Call]:
        """The calls that start on `line`, in `tree_nodes` order: one index per file, so that a question
        asked once per finding does not scan the whole tree each time."""
        by_line = self.memo(_CALLS_BY_LINE, self.tree, self._calls_by_line)
        return by_line.get(line, [])

    def _calls_by_line(self) -> dict[int, list[ast.Call]]:
        by_line: dict[int, list[ast.Call]] = {}
        for node in self.tree_nodes():
            if isinstance(node, ast.Call):
                by_line.setdefault(node.lineno, []).append(node)
        return by_line

    def mentions(self, words: Iterable[str], fold_case: bool = False) -> bool:
        """Whether any of the words is part of an identifier the code spells: a name, an attribute, an
        imported module or name (`os.path`), a keyword argument, a def, class, parameter or `except ... as`
        name. Every qualified name `qualname()` can give is made of these, so it is the cheapest sound
        prefilter for rules that match names (not for rules that match string contents or comments).
        Identifiers are NFKC-normalised by the parser already. With fold_case the words must be lower
        case and match in any case."""
        key = _IDENTIFIERS_FOLDED if fold_case else _IDENTIFIERS
        spelled = self.memo(key, self.tree, lambda: "\n".join(self._identifiers).lower() if fold_case
                            else "\n".join(self._identifiers))
        return any(word in spelled for word in words)

    def called_names(self) -> frozenset[str]:
        """Qualified names of every call in the file: a cheap first test for rules that
        only matter when a module is used at all (no `ssl` call, no TLS finding)."""
        calls = cast("list[ast.Call] | None", self.nodes_by_type.get(ast.Call))
        if calls is None:
            calls = [n for n in self.tree_nodes() if isinstance(n, ast.Call)]
        return self.memo(_CALLED_NAMES, self.tree, lambda: frozenset(filter(None, map(self.call_name, calls))))

    def char_column(self, line: int, byte_offset: int) -> int:
        """ast columns are UTF-8 byte offsets; reports use 1-based character columns."""
        text = self.line_text(line)
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def walk(node: ast.AST) -> list[ast.AST]:
    """`list(ast.walk(node))`, in the same breadth-first order, about three times faster (no generator
    chain through iter_child_nodes/iter_fields). For whole subtrees; `any(... ast.walk(x))` that stops
    early on small trees gains nothing."""
    out = [node]
    append, node_type = out.append, ast.AST
    i = 0
    while i < len(out):
        current = out[i]
        i += 1
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, node_type):
                append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, node_type):
                        append(item)
    return out


_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_LEAVES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop, ast.Name, ast.Constant)


def scope_nodes(scope: ast.AST) -> list[ast.AST]:
    """Every node inside a function or module body, not entering nested functions,
    lambdas or classes (their defining node itself is included). Pre-order, fast:
    several rules and the provenance tables walk each scope, so this avoids
    ast.walk's generator overhead."""
    out: list[ast.AST] = []
    node_type = ast.AST
    stack: list[ast.AST] = list(reversed(getattr(scope, "body", [])))
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, _LEAVES):
            continue
        if isinstance(node, _NESTED_SCOPES):
            # decorators and defaults are evaluated in the enclosing scope
            extra: list[ast.AST] = list(getattr(node, "decorator_list", []))
            args = getattr(node, "args", None)
            if isinstance(args, ast.arguments):
                extra += [d for d in (*args.defaults, *args.kw_defaults) if d is not None]
            stack.extend(reversed(extra))
            continue
        children: list[ast.AST] = []
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                children.extend(v for v in value if isinstance(v, node_type))
            elif isinstance(value, node_type):
                children.append(value)
        stack.extend(reversed(children))
    return out


def _target_names(target: ast.AST) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _bound_names(func: FunctionNode) -> frozenset[str]:
    names = {a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)}
    if func.args.vararg:
        names.add(func.args.vararg.arg)
    if func.args.kwarg:
        names.add(func.args.kwarg.arg)
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return frozenset(names)
