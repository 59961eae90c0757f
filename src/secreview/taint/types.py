"""Just enough typing to name methods the way specs do (`sqlite3.Cursor.execute`).

Types come from the specs' `[[type]]` entries: module objects (`flask.request` ->
`flask.Request`), call results (`sqlite3.connect()` -> `sqlite3.Connection`, then
`conn.cursor()` -> `sqlite3.Cursor`), parameters by name or annotation in modules
that import the library (Django's `request`, FastAPI's `request: Request`), plus
the built-in types of literals and strings built from them (`str`, `bytes`, ...).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from secreview.analysis.context import FileContext

if TYPE_CHECKING:
    from secreview.taint.loader import SpecIndex

_LITERAL_TYPES = {str: "str", bytes: "bytes", int: "int", float: "float", bool: "bool"}
_CONTAINERS = {ast.List: "list", ast.ListComp: "list", ast.Dict: "dict", ast.DictComp: "dict", ast.Set: "set",
               ast.SetComp: "set", ast.Tuple: "tuple", ast.JoinedStr: "str"}
# str/bytes methods whose result is again a str/bytes (so chains like `x.strip().lower()` keep a type)
_SAME_TYPE_METHODS = frozenset({
    "strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "capitalize", "swapcase", "replace",
    "format", "format_map", "join", "zfill", "ljust", "rjust", "center", "expandtabs", "removeprefix",
    "removesuffix", "translate",
})


_NUMBERS = frozenset({"int", "float", "bool", "complex"})
_STR_METHODS = frozenset(name for name in dir(str) if not name.startswith("_"))
_SPEC_TYPES: dict[int, tuple[object, frozenset[str]]] = {}


def _spec_types(index: SpecIndex) -> frozenset[str]:
    """Every `Type` that some spec entry names a member of (`Type.member`)."""
    cached = _SPEC_TYPES.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    keys: set[str] = set()
    for table in (index.sources_by_call, index.sources_by_attribute, index.sinks_by_call, index.sanitizers_by_call,
                  index.propagators_by_call, index.types_by_call, index.types_by_attribute):
        keys.update(key.rpartition(".")[0] for key in table)
    found = frozenset(keys)
    _SPEC_TYPES[id(index)] = (index, found)
    return found


class Typer:
    """Types of expressions in one file. `local` is the current function's own table
    (name -> type), filled by the flow analysis as it walks assignments."""

    def __init__(self, ctx: FileContext, index: SpecIndex, imported: Callable[[str], str | None] | None = None):
        self.ctx = ctx
        self.index = index
        self.imported = imported  # the type of a module-level name of another project module
        roots = {q.lstrip(".").split(".")[0] for q in ctx.imports.values()}
        self.libraries = frozenset(lib for lib, mods in index.library_imports.items() if roots & set(mods))
        self.module_types: dict[str, str] = {}
        self._function_types: dict[str, object] | None = None  # module-level functions' return types
        self._annotation_types = {rule.type for rules in index.types_by_parameter.values() for rule in rules}
        self._spec_types = _spec_types(index)
        for stmt in ctx.tree.body:  # `app = Flask(__name__)`, `conn = sqlite3.connect(...)` at module level
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                found = self.type_of(stmt.value, {})
                if found:
                    self.module_types[stmt.targets[0].id] = found

    def type_of(self, expr: ast.AST, local: dict[str, str], depth: int = 0) -> str | None:
        if depth > 12:
            return None
        if isinstance(expr, ast.Await):  # `session = await get_session(request)`: what the coroutine gives
            return self.type_of(expr.value, local, depth + 1)
        if isinstance(expr, ast.Constant):
            return _LITERAL_TYPES.get(type(expr.value))
        kind = _CONTAINERS.get(type(expr))
        if kind:
            return kind
        if isinstance(expr, ast.Name):
            if expr.id in local:
                return local[expr.id]
            if expr.id in self.module_types:
                return self.module_types[expr.id]
            name = self.ctx.qualname(expr)
            if not name:
                return None
            found = self.index.types_by_attribute.get(name)
            if found is None and self.imported is not None and expr.id in self.ctx.imports:
                found = self.imported(name)
            return found
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and f"{expr.value.id}.{expr.attr}" in local:
                return local[f"{expr.value.id}.{expr.attr}"]  # a typed `self` attribute
            if isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls"):
                stored = self.parameter_type(expr.attr, None)  # `self.request` in a class-based view
                if stored:
                    return stored
            for name in self.names(expr, local, depth):
                found = self.index.types_by_attribute.get(name)
                if found:
                    return found
            return None
        if isinstance(expr, ast.Call):
            for name in self.names(expr.func, local, depth):
                found = self.index.types_by_call.get(name)
                if found:
                    return found
            if isinstance(expr.func, ast.Attribute) and expr.func.attr in _SAME_TYPE_METHODS:
                receiver = self.type_of(expr.func.value, local, depth + 1)
                if receiver in ("str", "bytes"):
                    return receiver
            if isinstance(expr.func, ast.Name) and expr.func.id not in local:
                return self.function_type(expr.func.id, depth)
            return None
        if isinstance(expr, ast.BinOp):
            left = self.type_of(expr.left, local, depth + 1)
            if isinstance(expr.op, (ast.Add, ast.Mod)):
                return left if left in ("str", "bytes") else None
            if isinstance(expr.op, ast.Div) and left and left not in _NUMBERS:
                return left  # `Path(root) / name` is a Path
        return None

    def function_type(self, name: str, depth: int) -> str | None:
        """The type a module-level function of this file returns, when every `return` in it gives
        one spec type (`def _tree(): return etree.parse(PATH)`): `_tree().xpath(q)` is lxml's."""
        if self._function_types is None:
            self._function_types = {}
            for stmt in self.ctx.tree.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._function_types[stmt.name] = stmt  # the last definition wins, as at run time
        found = self._function_types.get(name)
        if isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function_types[name] = None  # a recursive function gives no type while its own is asked
            values = [n.value for n in ast.walk(found) if isinstance(n, ast.Return)]
            kinds = {self.type_of(v, {}, depth + 1) if v is not None else None for v in values}
            typed = kinds.pop() if len(kinds) == 1 else None
            found = typed if typed in self._spec_types else None
            self._function_types[name] = found
        return found if isinstance(found, str) else None

    def names(self, func: ast.AST, local: dict[str, str], depth: int = 0) -> list[str]:
        """The qualified names a callee or attribute may be known by in specs: the
        import-resolved one (`subprocess.run`) and, for a member of a typed value,
        `Type.member`."""
        out: list[str] = []
        if isinstance(func, ast.Attribute):
            receiver = self.type_of(func.value, local, depth + 1)
            if receiver:
                out.extend(f"{alternative}.{func.attr}" for alternative in receiver.split("|"))
            elif func.attr in _STR_METHODS and not self._imported_root(func.value, local):
                out.append(f"str.{func.attr}")  # an untyped value with a string method: most likely a string
            if isinstance(func.value, ast.Name) and func.value.id in local:
                return out  # a local variable: its import-style name would be meaningless
        name = self.ctx.qualname(func)
        if name:
            out.append(name)
        return out

    def _imported_root(self, expr: ast.AST, local: dict[str, str]) -> bool:
        while isinstance(expr, ast.Attribute):
            expr = expr.value
        if isinstance(expr, ast.Call):
            return True  # `something().format`: the call's own result, type unknown
        return isinstance(expr, ast.Name) and expr.id in self.ctx.imports and expr.id not in local

    def class_type(self, bases: tuple[str, ...]) -> str | None:
        """The type a spec knows among a class's bases (`http.server.BaseHTTPRequestHandler`):
        `self` then has it, so `self.path` and `self.send_header` are named as specs name them."""
        for base in bases:
            if base in self._spec_types:
                return base
        return None

    def parameter_type(self, name: str, annotation: ast.AST | None) -> str | None:
        if annotation is not None:
            written = self.ctx.qualname(annotation)
            if written in self._annotation_types or written in self._spec_types:
                return written  # annotated with a type the specs name members of (`request: fastapi.Request`)
            if written:
                found = self.index.types_by_attribute.get(written) or self.index.types_by_call.get(written)
                if found:
                    return found
        # Several libraries the module imports may name it (`request` in a file using Django and
        # Starlette): then it has every such type, written `A|B`, and a member is looked up in each.
        named = [rule.type for rule in self.index.types_by_parameter.get(name, ()) if rule.library in self.libraries]
        return "|".join(dict.fromkeys(named)) if named else None
