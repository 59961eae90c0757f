"""Module names of a project's files: the root each file's dotted name is read from (the directory
given, widened upwards through packages), on disk (`module_roots`, `collect`) or from a listing alone
(`names_from_listing`: a git tree, files held in memory)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from secreview.source import SourceFile
from secreview.taint.imports import dotted_module
from secreview.taint.project import ProjectModule


def module_roots(paths: Iterable[str], cwd: Path) -> list[Path]:
    """The directory each given path names modules from: the path itself (a file's
    directory), widened upwards while it is a package (has `__init__.py`). Strings and a cache per
    directory: on a project of thousands of files, pathlib made this cost more than reading them."""
    roots: dict[str, Path] = {}  # a directory -> its root (the files of one directory share it)
    out = []
    base = str(cwd)
    for raw in paths:
        given = raw if os.path.isabs(raw) else os.path.join(base, raw)
        start = os.path.dirname(given) if os.path.isfile(given) else given
        if start not in roots:
            root = os.path.realpath(start)
            while os.path.isfile(os.path.join(root, "__init__.py")) and os.path.dirname(root) != root:
                root = os.path.dirname(root)
            roots[start] = Path(root)
        out.append(roots[start])
    return out


def collect(files: Sequence[SourceFile], roots: Sequence[Path]) -> dict[str, ProjectModule]:
    modules: dict[str, ProjectModule] = {}
    known = {str(r) for r in roots}
    real_dirs: dict[str, str] = {}  # a directory as given -> its real path
    root_of: dict[str, str] = {}  # a real directory -> the deepest root that holds it
    for file in files:
        given = os.path.abspath(file.path)
        if os.path.islink(given):
            real = os.path.realpath(given)
        else:
            folder = os.path.dirname(given)
            if folder not in real_dirs:
                real_dirs[folder] = os.path.realpath(folder)
            real = os.path.join(real_dirs[folder], os.path.basename(given))
        folder = os.path.dirname(real)
        if folder not in root_of:
            ancestor = folder  # the first of its ancestors that is a root, else its own directory
            while ancestor not in known and os.path.dirname(ancestor) != ancestor:
                ancestor = os.path.dirname(ancestor)
            root_of[folder] = ancestor if ancestor in known else folder
        root = root_of[folder]
        relative = real[len(root):].lstrip(os.sep) if root != os.sep else real.lstrip(os.sep)
        modules[file.display] = ProjectModule(file, dotted_module(relative.split(os.sep)))
    return modules


def names_from_listing(displays: Iterable[str]) -> dict[str, str]:
    """Display path (POSIX, relative to one root) -> dotted module name, from a listing alone (a git
    tree, files held in memory): a file's module is named from the highest directory reached upwards
    through packages (directories that hold `__init__.py` in the listing), as `module_roots` does on disk."""
    listed = set(displays)
    packages = {d.rsplit("/", 1)[0] for d in listed if d.endswith("/__init__.py")}
    out: dict[str, str] = {}
    for display in listed:
        parts = display.split("/")
        top = len(parts) - 1  # index of the first part under the module's root
        while top > 0 and "/".join(parts[:top]) in packages:
            top -= 1
        out[display] = dotted_module(parts[top:])
    return out
