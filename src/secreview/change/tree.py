"""The project around a change: the repository's other Python files, which `secreview diff` hands to
the taint phase so a changed view is judged with its unchanged helpers and a changed helper with its
unchanged callers (`api.ProjectTree`).

A range's project is the tree of its head commit (or base, for `--new-only`'s base review), listed with
`git ls-tree` and read through one `git cat-file --batch`: never a checkout. The working tree's project
is the files on disk, found as `scan` finds them.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from secreview.api import ProjectTree
from secreview.change import git
from secreview.config import Config
from secreview.source import SourceFile, discover, read_source


def project_tree(root: Path, commit: str | None, config: Config) -> ProjectTree | None:
    """The project a change in the repository (or review root) `root` is judged in: the tree of `commit`,
    or the files on disk when `commit` is None; None when the configuration turns the project off. A
    `project` directory narrows it to the files under that directory."""
    if config.project is False:
        return None
    tree = _disk_tree(root, config) if commit is None else _git_tree(root, commit)
    if not isinstance(config.project, str):
        return tree
    under = _relative_under(Path(config.project), root)
    if under is None:  # a project outside the repository: its files on disk
        return _disk_tree(Path(config.project).resolve(), config, relative_to=root)
    if under == "":
        return tree
    return ProjectTree(tree.root, tuple(f for f in tree.files if f.startswith(under + "/")), tree.read)


def _relative_under(directory: Path, root: Path) -> str | None:
    try:
        return directory.resolve().relative_to(root.resolve()).as_posix().strip(".")
    except ValueError:
        return None


def _git_tree(root: Path, commit: str) -> ProjectTree:
    listing = git.run_git(root, "ls-tree", "-r", "-z", "--full-tree", commit)
    blobs: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, blob = meta.split()
        path = raw_path.decode("utf-8", "surrogateescape")
        # regular files with a Python suffix: a module the import system could load (links are not followed)
        if kind == b"blob" and mode in (b"100644", b"100755") and PurePosixPath(path).suffix in (".py", ".pyw"):
            blobs[path] = blob.decode()
    reader = git.BlobReader(root)

    def read(paths: list[str]) -> dict[str, bytes | None]:
        found = reader.read_many([blobs[p] for p in paths if p in blobs])
        return {p: found.get(blobs[p]) if p in blobs else None for p in paths}

    return ProjectTree(root, tuple(sorted(blobs)), read)


def _disk_tree(directory: Path, config: Config, relative_to: Path | None = None) -> ProjectTree:
    base = relative_to or directory
    files, _ = discover([str(directory)], config.excludes, config.respect_gitignore, base)
    by_display = {f.display: f for f in files}

    def read(paths: list[str]) -> dict[str, bytes | None]:
        out: dict[str, bytes | None] = {}
        for p in paths:
            file = by_display.get(p) or SourceFile(p, base / p)
            data, error = read_source(file, config.max_file_size)
            out[p] = None if error else data
        return out

    return ProjectTree(base, tuple(by_display), read)
