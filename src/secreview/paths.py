"""Path patterns for `exclude`, `extend-exclude` and `per-file-ignores`, with the semantics Ruff documents
(so a project's patterns mean the same in both tools):

- a *single-path* pattern (no `/` but a trailing one) matches any file or directory of that name anywhere
  in the tree: `migrations`, `.tox`, `conftest.py`, `test_*.py`, `build/`;
- a *relative* pattern (a `/` inside) is anchored at the directory it was written for — the directory of
  the `pyproject.toml` that holds it, or the current directory for the command line and the environment:
  `app/migrations/*`, `src/gen/*.py`, `**/migrations/*` (anywhere below that directory);
- glob syntax: `*` and `?` stay within one path component, `**` spans components, `[abc]` classes,
  `{a,b}` alternatives; a pattern that matches a directory matches everything in it.

`config.load` turns the relative patterns of a pyproject.toml into absolute ones, so a `Config` carries
patterns that no longer depend on where secreview runs.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pathspec costs 25 ms to import: only where a pattern or .gitignore needs it
    import pathspec



def split_patterns(text: str) -> list[str]:
    """Patterns given as one string (`--exclude a,b`, SECREVIEW_EXCLUDE): split on commas and
    semicolons outside `{...}` groups, which hold commas of their own."""
    out: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        depth += (ch == "{") - (ch == "}")
        if ch in ",;" and depth <= 0:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return [p.strip() for p in out if p.strip()]


def expand_braces(pattern: str) -> list[str]:
    """`a/{b,c}/*.py` -> `a/b/*.py`, `a/c/*.py` (nested and repeated groups too)."""
    match = re.search(r"\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end():]
    return [out for choice in match.group(1).split(",") for out in expand_braces(head + choice + tail)]


def is_single_path(pattern: str) -> bool:
    return "/" not in pattern.rstrip("/")


def anchored(pattern: str, base: Path) -> str:
    """A relative pattern made absolute at `base` (single-path and absolute patterns are kept as they are).
    A `{a,b}` group is expanded first, so `{migrations,docs/conf.py}` keeps `migrations` matching anywhere."""
    parts = []
    for text in expand_braces(pattern.strip()):
        if is_single_path(text) or os.path.isabs(text):
            parts.append(text)
        else:
            parts.append((Path(os.path.realpath(base)) / text.removeprefix("./")).as_posix())
    return parts[0] if len(parts) == 1 else "{" + ",".join(parts) + "}"


class PathPatterns:
    """A set of patterns; relative ones not yet anchored are anchored at `base`, and single-path ones
    match the components of a path below `base` (or the name of a path outside it)."""

    def __init__(self, patterns: Iterable[str], base: Path):
        self.base = PurePosixPath(os.path.realpath(base).replace(os.sep, "/"))
        self.names: list[str] = []  # single-path patterns, matched against every component
        self.rooted: list[tuple[str, pathspec.GitIgnoreSpec]] = []  # (anchor directory, spec of the rest)
        by_anchor: dict[str, list[str]] = {}
        for raw in patterns:
            for pattern in expand_braces(raw.strip()):
                if not pattern:
                    continue
                if is_single_path(pattern):
                    self.names.append(pattern.rstrip("/"))
                    continue
                absolute = anchored(pattern, base)
                anchor, rest = _split_anchor(absolute)
                by_anchor.setdefault(anchor, []).append("/" + rest)
        self.rooted = [(anchor, _spec(tuple(rest))) for anchor, rest in by_anchor.items()]

    def __bool__(self) -> bool:
        return bool(self.names or self.rooted)

    def matches(self, path: Path) -> bool:
        """The path, or a directory it is in, matches a pattern. `path` may be relative (to the cwd)."""
        text = PurePosixPath(_real(path).replace(os.sep, "/"))
        if self.names:
            # the components below the base (a checkout under /home/me/build/ is not excluded by `build`);
            # outside it, those below the file's project root, or its name alone
            if text.is_relative_to(self.base):
                parts = text.relative_to(self.base).parts
            else:
                below = below_project_root(Path(str(text)))
                parts = below.parts if below is not None else (text.name,)
            if any(fnmatch.fnmatchcase(part, name) for part in parts for name in self.names):
                return True
        for anchor, spec in self.rooted:
            prefix = anchor.rstrip("/") + "/"
            if not str(text).startswith(prefix):
                continue
            rel = PurePosixPath(str(text)[len(prefix):])
            candidates = [rel, *list(rel.parents)[:-1]]  # the path and each directory above it, below the anchor
            if any(spec.match_file(str(c)) for c in candidates):
                return True
        return False


PROJECT_MARKERS = (".git", "pyproject.toml", "setup.cfg", "setup.py")


@lru_cache(maxsize=4096)
def project_root(directory: str) -> str | None:
    """The nearest directory at or above `directory` that holds a `.git`, `pyproject.toml`, `setup.cfg`
    or `setup.py`: where a project's own paths start. None when there is none."""
    current = os.path.realpath(directory)
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in PROJECT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def below_project_root(path: Path) -> PurePosixPath | None:
    """`path` relative to its project root (None outside any project)."""
    real = _real(path)
    root = project_root(os.path.dirname(real))
    if root is None:
        return None
    return PurePosixPath(os.path.relpath(real, root).replace(os.sep, "/"))


def _real(path: Path) -> str:
    """The path with its directories' links resolved (a project reached through a symlink, macOS's /tmp),
    the last component as named: patterns speak of where a file is listed, not where a link leads."""
    absolute = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))


def _split_anchor(absolute: str) -> tuple[str, str]:
    """`/repo/app/*/x.py` -> (`/repo/app`, `*/x.py`): the longest prefix of plain components is the anchor,
    so the spec only sees the part with wildcards (and paths elsewhere are not even tried)."""
    parts = absolute.split("/")
    plain = 0
    for i, part in enumerate(parts[:-1]):
        if any(ch in part for ch in "*?[]"):
            break
        plain = i + 1
    anchor = "/".join(parts[:plain]) or "/"
    return anchor, "/".join(parts[plain:])


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)
