"""What the reviewed file holds, for checking what answers say about it: the names it defines, calls,
imports and references (from the AST), dotted chains (`self.api.post_server_action`, import paths and
their aliases expanded), each line's class (blank, comment, docstring, code), the facts of the
statement(s) on each line, and where any text occurs (code, string, comment, docstring).

The file is never imported or run. A file that is not valid Python is indexed as text: names are
word tokens, `#` and `//` lines are comments, and there are no docstrings or statement facts.
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
from dataclasses import dataclass, field

from secreview.source import parse as parse_source

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_HEADER_FIELDS = ("decorator_list", "args", "returns", "bases", "keywords", "test", "target", "iter", "items",
                  "subject", "type", "name")


@dataclass(frozen=True, slots=True)
class Occurrence:
    line: int
    kind: str  # code | string | comment | docstring
    role: str = ""  # def | class | import | call | attribute | name | assign | keyword | parameter


@dataclass(frozen=True, slots=True)
class Facts:
    """What the statement(s) on a line contain: names (and their lower-case word parts), node kinds, strings."""

    names: frozenset[str] = frozenset()
    parts: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    strings: tuple[str, ...] = ()


@dataclass
class CodeIndex:
    path: str
    text: str
    lines: list[str]
    parsed: bool
    error: str | None
    classes: list[str] = field(default_factory=list)  # classes[n - 1] is line n's class
    names: dict[str, list[Occurrence]] = field(default_factory=dict)
    chains: set[tuple[str, ...]] = field(default_factory=set)
    chain_lines: dict[tuple[str, ...], list[tuple[int, str]]] = field(default_factory=dict)  # (line, role)
    facts: dict[int, Facts] = field(default_factory=dict)
    tokens: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # line -> (col, end, kind)
    constructs: dict[str, list[int]] = field(default_factory=dict)
    scopes: dict[int, set[str]] = field(default_factory=dict)  # line -> names of the defs/classes around it

    def line_class(self, line: int) -> str:
        return self.classes[line - 1] if 1 <= line <= len(self.lines) else "out-of-range"

    def line_facts(self, line: int) -> Facts:
        return self.facts.get(line, Facts())

    def find_name(self, parts: tuple[str, ...]) -> list[Occurrence]:
        """Code occurrences of a name (one part) or a dotted name (a contiguous piece of some chain)."""
        if len(parts) == 1:
            return list(self.names.get(parts[0], ()))
        hits = {hit for chain in self.chains if _contains(chain, parts) and chain[-1] == parts[-1]
                for hit in self.chain_lines[chain]}
        hits |= {(n, "attribute") for chain in self.chains if _contains(chain, parts) and chain[-1] != parts[-1]
                 for n, _ in self.chain_lines[chain]}
        best: dict[int, str] = {}
        for n, role in sorted(hits):
            best[n] = role if best.get(n, "attribute") == "attribute" else best[n]
        return [Occurrence(n, "code", role) for n, role in sorted(best.items())]

    def find_text(self, value: str) -> list[Occurrence]:
        """Where `value` occurs as a whole word (or whole token) anywhere in the file, and in what."""
        if not value or len(value) > 500:
            return []
        pattern = re.compile(r"(?<![\w-])" + re.escape(value) + r"(?![\w-])"
                             if re.match(r"\w", value) and re.search(r"\w$", value) else re.escape(value))
        out = []
        for no, line in enumerate(self.lines, 1):
            if value[:1] not in line:
                continue
            for match in pattern.finditer(line):
                out.append(Occurrence(no, self._kind_at(no, match.start())))
        return out

    def _kind_at(self, line: int, col: int) -> str:
        cls = self.line_class(line)
        if cls in ("comment", "docstring", "blank"):
            return cls
        for start, end, kind in self.tokens.get(line, ()):
            if start <= col < end:
                return kind
        return "code"


def build(text: str, path: str) -> CodeIndex:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    parsed, error = parse_source(text, path)
    index = CodeIndex(path, text, lines, parsed is not None, error.message if error else None)
    docstrings: set[int] = set()
    if parsed is not None:
        index.tokens = _tokens(text)
        _walk(parsed.tree, index, docstrings)
    else:  # not Python: Python's tokenizer would misread it, so lines are read as plain text
        _text_names(index)
    index.classes = [_classify(no, line, index.tokens, docstrings) for no, line in enumerate(lines, 1)]
    return index


def _contains(chain: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    k = len(parts)
    return any(chain[i:i + k] == parts for i in range(len(chain) - k + 1))


def _tokens(text: str) -> dict[int, list[tuple[int, int, str]]]:
    """Per line, the column spans of strings and comments, and of code tokens."""
    spans: dict[int, list[tuple[int, int, str]]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            kind = {tokenize.COMMENT: "comment", tokenize.STRING: "string"}.get(tok.type, "code")
            if kind == "code" and tok.type not in (tokenize.NAME, tokenize.OP, tokenize.NUMBER):
                kind = "string" if "FSTRING" in tokenize.tok_name.get(tok.type, "") else "code"
            (l1, c1), (l2, c2) = tok.start, tok.end
            for line in range(l1, l2 + 1):
                spans.setdefault(line, []).append((c1 if line == l1 else 0, c2 if line == l2 else 10**9, kind))
    except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
        pass
    return spans


def _classify(no: int, line: str, tokens: dict[int, list[tuple[int, int, str]]], docstrings: set[int]) -> str:
    if no in docstrings:
        return "docstring"
    kinds = {k for _, _, k in tokens.get(no, ())}
    if kinds - {"comment"}:
        return "code"
    if "comment" in kinds:
        return "comment"
    stripped = line.strip()
    if not stripped:
        return "blank"
    if not tokens and stripped.startswith(("#", "//", "/*", "*")):
        return "comment"
    return "code"


def _add(index: CodeIndex, name: str | None, line: int, role: str) -> None:
    if name:
        index.names.setdefault(name, []).append(Occurrence(line, "code", role))


def _chain(node: ast.AST) -> tuple[str, ...] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return tuple(reversed(parts))
    return tuple(reversed(parts)) if parts else None


def _walk(tree: ast.Module, index: CodeIndex, docstrings: set[int]) -> None:
    aliases: dict[str, tuple[str, ...]] = {}
    calls: set[int] = set()
    chain_parents: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            calls.add(id(node.func))
        elif isinstance(node, ast.Attribute):
            chain_parents.add(id(node.value))
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            docstrings.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _add(index, node.name, line, "def")
            _scope(index, node)
        elif isinstance(node, ast.ClassDef):
            _add(index, node.name, line, "class")
            _scope(index, node)
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    _add_chain(index, (node.name, item.name), item.lineno, "def")
        elif isinstance(node, ast.arg):
            _add(index, node.arg, line, "parameter")
        elif isinstance(node, ast.Name):
            role = "call" if id(node) in calls else ("assign" if isinstance(node.ctx, ast.Store) else "name")
            _add(index, node.id, line, role)
        elif isinstance(node, ast.Attribute):
            role = "call" if id(node) in calls else ("assign" if isinstance(node.ctx, ast.Store) else "attribute")
            _add(index, node.attr, node.end_lineno or line, role)
            chain = _chain(node)
            if chain and id(node) not in chain_parents:
                _add_chain(index, chain, line, role)
        elif isinstance(node, ast.keyword) and node.arg:
            _add(index, node.arg, line, "keyword")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            module = tuple(node.module.split(".")) if isinstance(node, ast.ImportFrom) and node.module else ()
            for part in module:
                _add(index, part, line, "import")
            for alias in node.names:
                full = module + tuple(alias.name.split("."))
                for part in alias.name.split("."):
                    _add(index, part, line, "import")
                _add(index, alias.asname, line, "import")
                _add_chain(index, full, line, "import")
                aliases[alias.asname or alias.name.split(".")[0]] = full if alias.asname or module else full[:1]
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                _add(index, name, line, "name")
        elif isinstance(node, ast.ExceptHandler):
            _add(index, node.name, line, "assign")
            index.constructs.setdefault("exception-handling", []).append(line)
        if isinstance(node, ast.Call) and _is_logging(node.func):
            index.constructs.setdefault("logging", []).append(line)
        if isinstance(node, ast.stmt):
            _statement_facts(node, index)
    for chain in list(index.chains):
        expanded = aliases[chain[0]] + chain[1:] if chain[0] in aliases and len(chain) > 1 else chain
        if expanded != chain:
            for line, role in list(index.chain_lines[chain]):
                _add_chain(index, expanded, line, role)


def _scope(index: CodeIndex, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
    for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
        index.scopes.setdefault(line, set()).add(node.name)


def _add_chain(index: CodeIndex, chain: tuple[str, ...], line: int, role: str = "attribute") -> None:
    index.chains.add(chain)
    index.chain_lines.setdefault(chain, []).append((line, role))


def _is_logging(func: ast.expr) -> bool:
    chain = _chain(func) or ()
    return bool(chain) and (any("log" in p.lower() for p in chain[:-1]) or chain[-1] in ("log", "exception")) and (
        chain[-1] in ("debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"))


def _statement_facts(stmt: ast.stmt, index: CodeIndex) -> None:
    """Facts of a simple statement, or of a compound statement's header (its `if`/`for`/`def` line(s))."""
    compound = any(isinstance(getattr(stmt, f, None), list) and getattr(stmt, f) and isinstance(
        getattr(stmt, f)[0], ast.stmt) for f in ("body", "orelse", "finalbody", "handlers"))
    if compound:
        nodes: list[ast.AST] = []
        for name in _HEADER_FIELDS:
            value = getattr(stmt, name, None)
            if isinstance(value, list):
                nodes.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                nodes.append(value)
        if isinstance(stmt, ast.Try) or hasattr(ast, "TryStar") and isinstance(stmt, ast.TryStar):
            for handler in stmt.handlers:
                last_line = (handler.type.end_lineno or handler.lineno) if handler.type else handler.lineno
                _record(index, [handler] + ([handler.type] if handler.type else []), handler.lineno, last_line,
                        {"ExceptHandler"})
        last = max([getattr(n, "end_lineno", 0) or 0 for n in nodes] + [stmt.lineno])
        first = min([getattr(n, "lineno", stmt.lineno) for n in nodes] + [stmt.lineno])
        extra = {type(stmt).__name__}
        own_name = getattr(stmt, "name", None)
        names = [own_name] if isinstance(own_name, str) else []
        _record(index, nodes, first, last, extra, names)
    else:
        _record(index, [stmt], stmt.lineno, stmt.end_lineno or stmt.lineno, set())


def _record(index: CodeIndex, nodes: list[ast.AST], first: int, last: int, kinds: set[str],
            names: list[str] | None = None) -> None:
    found = set(names or ())
    strings = []
    for root in nodes:
        for node in ast.walk(root):
            kinds.add(type(node).__name__)
            if isinstance(node, ast.Name):
                found.add(node.id)
            elif isinstance(node, ast.Attribute):
                found.add(node.attr)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(node.name)
            elif isinstance(node, (ast.keyword, ast.arg)) and node.arg:  # `**kwargs` in a call has no name
                found.add(node.arg)
            elif isinstance(node, ast.alias):
                found.update(node.name.split("."))
                if node.asname:
                    found.add(node.asname)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.append(node.value[:200])
    parts = {p.lower() for name in found for p in _PARTS.findall(name)} | {n.lower() for n in found}
    for line in range(first, last + 1):
        old = index.facts.get(line, Facts())
        index.facts[line] = Facts(old.names | found, old.parts | parts, old.kinds | kinds,
                                  old.strings + tuple(strings))


def _text_names(index: CodeIndex) -> None:
    """Without an AST: every word on a code line (outside strings and comments) is a name; dotted words are
    chains."""
    for no, line in enumerate(index.lines, 1):
        spans = index.tokens.get(no)
        if spans:
            chars = list(line)
            for a, b, kind in spans:
                if kind != "code":
                    chars[a:min(b, len(chars))] = " " * (min(b, len(chars)) - a)
            line = "".join(chars)
        elif line.lstrip().startswith(("#", "//", "/*", "*")):
            continue
        for match in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*", line):
            parts = tuple(match.group().split("."))
            for part in parts:
                if not keyword.iskeyword(part):
                    _add(index, part, no, "name")
            if len(parts) > 1:
                _add_chain(index, parts, no, "name")


def split_words(name: str) -> set[str]:
    """`addCleanup` -> {"add", "cleanup"}; `FakeImageService_reset` -> {"fake", "image", "service", "reset"}."""
    return {p.lower() for p in _PARTS.findall(name)}
