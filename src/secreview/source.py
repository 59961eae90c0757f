"""From paths on disk to decoded, parsed Python sources — never imported, never run.

Discovery walks directories (skipping VCS folders, virtualenvs, build output,
`node_modules` and what `.gitignore` ignores), decoding honours PEP 263 coding
cookies, and every way a file can fail becomes a `FileError` for that file alone.
"""

from __future__ import annotations

import ast
import codecs
import functools
import io
import os
import re
import tokenize
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from secreview.model import FileError
from secreview.paths import PathPatterns

if TYPE_CHECKING:  # pathspec costs 25 ms to import: only where a pattern or .gitignore needs it
    import pathspec

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".env", "node_modules", "__pycache__",
     "build", "dist", ".eggs", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".direnv"}
)
_SHEBANG = re.compile(rb"^#![^\n]*\bpython[0-9.]*\b")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file chosen for review: the path reports show and the path to read."""

    display: str
    path: Path


@dataclass(frozen=True, slots=True)
class Parsed:
    source: str
    tree: ast.Module


def display_path(path: Path, cwd: Path) -> str:
    if os.sep == "/":  # the common case by string slicing: Path.relative_to dominated a warm review's walk
        text, base = str(path), str(cwd)
        prefix = base if base.endswith("/") else base + "/"
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix):]
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def discover(
    paths: Iterable[str], excludes: Iterable[str] = (), respect_gitignore: bool = True, cwd: Path | None = None
) -> tuple[list[SourceFile], list[FileError]]:
    """Python files under `paths`, in a stable order, and the paths that could not be walked."""
    cwd = cwd or Path.cwd()
    excludes = tuple(excludes)
    files: dict[str, SourceFile] = {}
    errors: list[FileError] = []
    for raw in paths:
        given = Path(raw) if Path(raw).is_absolute() else cwd / raw
        shown = display_path(given, cwd)
        if given.is_symlink() and not given.exists():
            errors.append(_link_error(given, shown))
            continue
        if not given.exists():
            errors.append(FileError(shown, "not-found", f"{shown}: no such file or directory"))
            continue
        if given.is_file():
            if not excluded_path(given, excludes, cwd):
                files.setdefault(shown, SourceFile(shown, given))  # named files are always reviewed
            continue
        for path, error in _walk(given, excludes, respect_gitignore, cwd):
            if error:
                errors.append(error)
            elif path is not None:
                shown = display_path(path, cwd)
                files.setdefault(shown, SourceFile(shown, path))
    return sorted(files.values(), key=lambda f: f.display), errors


def _link_error(path: Path, shown: str) -> FileError:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return FileError(shown, "symlink-loop", f"{shown}: symbolic link loop")
    return FileError(shown, "unreadable", f"{shown}: broken symbolic link")


def excluded(shown: str, excludes: tuple[str, ...], base: Path | None = None) -> bool:
    """`shown` (a path relative to `base`, default the current directory) matches one of the exclude
    patterns (`secreview.paths`: Ruff's semantics), itself or through a directory it is in."""
    base = base or Path.cwd()
    return bool(excludes) and _patterns(excludes, str(base)).matches(base / shown)


@functools.lru_cache(maxsize=64)
def _patterns(excludes: tuple[str, ...], base: str) -> PathPatterns:
    return PathPatterns(excludes, Path(base))


def excluded_path(path: Path, excludes: tuple[str, ...], cwd: Path) -> bool:
    return bool(excludes) and _patterns(excludes, str(cwd)).matches(path)


def _walk(
    root: Path, excludes: tuple[str, ...], respect_gitignore: bool, cwd: Path
) -> Iterator[tuple[Path | None, FileError | None]]:
    # Strings, not Path objects, for the thousands of entries that are not Python (a large tree's walk
    # was mostly pathlib); a directory's real path is its parent's plus its name unless it is a link, so
    # `realpath` runs only for the root and for linked directories.
    seen_dirs: set[str] = set()
    ignores: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
    stack: list[tuple[str, str]] = [(str(root), os.path.realpath(root))]
    while stack:
        directory, real = stack.pop()
        if real in seen_dirs:
            parent = os.path.realpath(os.path.dirname(directory))
            if parent == real or parent.startswith(real.rstrip(os.sep) + os.sep):
                shown_dir = display_path(Path(directory), cwd)
                yield None, FileError(shown_dir, "symlink-loop", f"{shown_dir}: symbolic link loop back to {real}")
            continue  # otherwise the same directory reached through a second link: review it once
        seen_dirs.add(real)
        if respect_gitignore and os.path.isfile(os.path.join(directory, ".gitignore")):
            ignores.append((Path(directory), _load_gitignore(Path(directory) / ".gitignore")))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            shown_dir = display_path(Path(directory), cwd)
            yield None, FileError(shown_dir, "unreadable", f"{shown_dir}: {exc.strerror or exc}")
            continue
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError:  # a link loop makes even the type unknowable
                is_dir = is_file = False
            if not is_dir and not (is_file and _maybe_python(entry.name)) and not entry.is_symlink():
                continue  # neither reviewed nor walked nor an error: no pattern needs to see it
            # a Path only where a pattern or a file needs one (a tree's directories outnumber its modules)
            path = Path(entry.path) if excludes or ignores or not is_dir else None
            if path is not None and ((excludes and excluded_path(path, excludes, cwd))
                                     or (ignores and _ignored(path, is_dir, ignores))):
                continue
            if path is not None and entry.is_symlink() and not is_dir and not is_file:
                yield None, _link_error(path, display_path(path, cwd))
            elif is_dir:
                name = entry.name
                if name in SKIP_DIRS or name.endswith(".egg-info") or os.path.exists(os.path.join(entry.path,
                                                                                                  "pyvenv.cfg")):
                    continue
                linked = entry.is_symlink()
                subdirs.append((entry.path, os.path.realpath(entry.path) if linked else os.path.join(real, name)))
            elif is_file and path is not None and _is_python(path):
                yield path, None
        stack.extend(reversed(subdirs))


def _maybe_python(name: str) -> bool:
    """A name `_is_python` may accept: a .py/.pyw suffix, or none (a script with a shebang), with
    pathlib's idea of a suffix (a leading or trailing dot is none)."""
    dot = name.rfind(".")
    return not 0 < dot < len(name) - 1 or name[dot:] in (".py", ".pyw")


def _load_gitignore(path: Path) -> pathspec.GitIgnoreSpec:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(path: Path, is_dir: bool, ignores: list[tuple[Path, pathspec.GitIgnoreSpec]]) -> bool:
    for base, spec in ignores:
        try:
            rel = path.relative_to(base).as_posix()
        except ValueError:
            continue
        if spec.match_file(rel + "/" if is_dir else rel):
            return True
    return False


def _is_python(path: Path) -> bool:
    if path.suffix:
        return is_python(path.name, b"")
    try:
        with open(path, "rb") as handle:
            return is_python(path.name, handle.read(128))
    except OSError:
        return False


def is_python(name: str, head: bytes) -> bool:
    """What discovery reviews: a .py/.pyw name, or no suffix and a python shebang in `head` (the
    file's first bytes). `secreview diff` applies it to git blobs too."""
    suffix = PurePosixPath(name).suffix
    if suffix in (".py", ".pyw"):
        return True
    return not suffix and bool(_SHEBANG.match(head[:128]))


def read_source(file: SourceFile, max_bytes: int) -> tuple[bytes | None, FileError | None]:
    shown = file.display
    try:
        size = file.path.stat().st_size
    except OSError as exc:
        kind = "symlink-loop" if exc.errno == 40 else "unreadable"
        return None, FileError(shown, kind, f"{shown}: {exc.strerror or exc}")
    if size > max_bytes:
        return None, FileError(shown, "too-large", f"{shown}: {size} bytes is over the {max_bytes}-byte limit")
    try:
        return file.path.read_bytes(), None
    except OSError as exc:
        return None, FileError(shown, "unreadable", f"{shown}: {exc.strerror or exc}")


def decode(data: bytes, shown: str) -> tuple[str | None, FileError | None]:
    """Decode as Python does: BOM, then a PEP 263 cookie, else UTF-8."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, FileError(shown, "nul-bytes", f"{shown}: contains a NUL byte (line {line}); not Python source",
                               line)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return None, FileError(shown, "decode", f"{shown}: {exc}")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        return None, FileError(shown, "decode", f"{shown}: cannot decode as {encoding}: {exc}")
    if encoding == "utf-8-sig" or text.startswith(codecs.BOM_UTF8.decode("utf-8")):
        text = text.lstrip("\ufeff")
    return text, None


def parse(text: str, shown: str) -> tuple[Parsed | None, FileError | None]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not our report
            tree = ast.parse(text, filename=shown, type_comments=False)
    except SyntaxError as exc:
        # Only for a file that does not parse: newer Python than this one, Python 2, or a plain error.
        from secreview.grammar import explain

        line, message = explain(text, exc)
        return None, FileError(shown, "syntax", f"{shown}:{line}: {message}" if line else f"{shown}: {message}", line)
    except (ValueError, RecursionError, MemoryError) as exc:
        return None, FileError(shown, "syntax", f"{shown}: cannot parse: {type(exc).__name__}: {exc}")
    return Parsed(text, tree), None
