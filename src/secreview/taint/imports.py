"""Which project modules a module imports, read from its text without parsing it.

The project phase needs the import graph of every module before it summarises any, and
most modules (those nothing else imports) are never summarised there: parsing all of
them only to find their imports cost a third of the taint analysis on Django. A
scan of the text finds every `import` / `from ... import` statement, at any depth,
and every dotted use of a name bound to a package (`import pkg` then `pkg.sub.run()`
depends on `pkg.sub`, which an import list alone misses).

The scan over-approximates and never under-approximates statements a parse would see:
an import-looking line inside a string or docstring adds an edge. An extra edge costs
at most one more summary and a broader cache key; a missing one would hide a flow.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator
from functools import lru_cache

_NAMES = r"(?:\([^)]*\)|(?:[^\n;#\\]|\\\r?\n)*)"
# one statement, matched where a logical line (or a `;`-separated statement) starts
_STATEMENT = re.compile(
    rf"[ \t]*(?:from[ \t]+(?P<module>\.*[\w.]*)[ \t]+import\b[ \t]*(?P<names>{_NAMES})"
    rf"|import[ \t]+(?P<plain>{_NAMES}))",
)
_COMMENT = re.compile(r"#[^\n]*")
_DOTTED = re.compile(r"^\.*[^\W\d][\w.]*$|^\.+$")
_IDENTIFIER = re.compile(r"^[^\W\d]\w*$")


def modules_imported_by_text(text: str, module: str, is_package: bool, known: Container[str],
                             packages: Container[str]) -> set[str]:
    """The modules of `known` that `module` (whose text this is) imports or uses through an
    imported name. `packages`: the known modules that have submodules (only a name bound to
    one of them can reach another module through a dotted use)."""
    targets, bound = _statements(text)
    found = resolve(targets, module, is_package, known)
    expandable = {}
    for local, names in bound.items():
        absolute = {absolute_name(n, module, is_package) for n in names}
        absolute = {n for n in absolute if n in packages}
        if absolute:
            expandable[local] = absolute
    if expandable:
        found |= resolve(_dotted_uses(text, expandable), module, is_package, known)
    return found


def _statements(text: str) -> tuple[set[str], dict[str, set[str]]]:
    """Every dotted name the text imports (`a.b`, `pkg.mod.name`, `.sibling.name`), and what
    each local name an import binds may stand for."""
    targets: set[str] = set()
    bound: dict[str, set[str]] = {}
    for match in _matches(text):
        plain = match.group("plain")
        if plain is not None:
            for name, alias in _aliases(plain):
                if name != "*" and not name.startswith("."):
                    targets.add(name)
                    local = alias or name.split(".")[0]
                    bound.setdefault(local, set()).add(name if alias else local)
            continue
        module = match.group("module") or ""
        if not _DOTTED.match(module):
            continue
        for name, alias in _aliases(match.group("names") or ""):
            if name == "*":
                targets.add(module)
            elif _IDENTIFIER.match(name):
                target = f"{module}.{name}" if not module.endswith(".") else module + name
                targets.add(target)
                bound.setdefault(alias or name, set()).add(target)
    return targets, bound


def _matches(text: str) -> Iterator[re.Match[str]]:
    """The statements that start a line, or follow a `;`, on every line that spells `import`.
    Finding the word first is what makes the scan cheap: a pattern tried at every position of
    the text cost five times as much."""
    lines_done: set[int] = set()
    at = text.find("import")
    while at != -1:
        start = text.rfind("\n", 0, at) + 1
        if start not in lines_done:
            lines_done.add(start)
            starts = [start]
            semicolon = text.find(";", start, at)
            while semicolon != -1:
                starts.append(semicolon + 1)
                semicolon = text.find(";", semicolon + 1, at)
            for position in starts:
                match = _STATEMENT.match(text, position)
                if match is not None:
                    yield match
        at = text.find("import", at + 6)


def _aliases(names: str) -> Iterable[tuple[str, str | None]]:
    names = _COMMENT.sub("", names).replace("\\\r\n", " ").replace("\\\n", " ").strip().strip("()")
    for part in names.split(","):
        words = part.split()
        if len(words) == 1 and (words[0] == "*" or _DOTTED.match(words[0])):
            yield words[0], None
        elif len(words) == 3 and words[1] == "as" and _DOTTED.match(words[0]) and _IDENTIFIER.match(words[2]):
            yield words[0], words[2]


def _dotted_uses(text: str, bound: dict[str, set[str]]) -> set[str]:
    # The character before a match is not checked (`x.local.attr`, `my_local.attr` match too):
    # a look-behind would make every search several times slower, and such a match adds an
    # edge to a submodule of a package the file imports, over-approximating.
    found: set[str] = set()
    for local, targets in bound.items():
        if local + "." not in text:
            continue
        for rest in set(_chain(local).findall(text)):
            found.update(target + rest for target in targets)
    return found


@lru_cache(maxsize=4096)
def _chain(local: str) -> re.Pattern[str]:
    """`local.attr.attr...`; a literal start keeps the search on the fast path."""
    return re.compile(re.escape(local) + r"((?:\.[^\W\d]\w*)+)")


def absolute_name(target: str, module: str, is_package: bool) -> str:
    """`.helpers.build` -> `pkg.helpers.build` for a module of package `pkg`."""
    if not target.startswith("."):
        return target
    level = len(target) - len(target.lstrip("."))
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(level - 1):
        base = base.rpartition(".")[0]
    rest = target[level:]
    return f"{base}.{rest}" if base and rest else base or rest


def resolve(targets: Iterable[str], module: str, is_package: bool, known: Container[str]) -> set[str]:
    """The modules of `known` that these import targets name, relative targets resolved against
    `module`: for each target, its longest dotted prefix that is a known module (`pkg.mod.func`
    -> `pkg.mod`)."""
    found: set[str] = set()
    for target in targets:
        parts = absolute_name(target, module, is_package).split(".")
        for cut in range(len(parts), 0, -1):
            candidate = ".".join(parts[:cut])
            if candidate in known:
                found.add(candidate)
                break
    found.discard(module)
    return found


def dotted_module(parts: list[str]) -> str:
    """`pkg.sub.mod` for the path parts `pkg/sub/mod.py` below a module root."""
    if not parts:
        return ""
    last = parts[-1]
    for suffix in (".pyw", ".py", ".pyi"):
        if last.endswith(suffix):
            parts[-1] = last[: -len(suffix)]
            break
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)
