"""Running git safely: argument lists only, no shell, and no repository setting that could
run a program (external diff drivers, textconv filters, fsmonitor hooks) or reshape the output
we parse (prefixes, relative paths, colour, quoting).

Blobs are read from git's object store (`git cat-file --batch`): a range is never checked out.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Settings that would otherwise let a repository's config run code or change the diff we parse.
_SAFE_CONFIG = ("-c", "core.quotepath=off", "-c", "core.fsmonitor=false", "-c", "diff.noprefix=false",
                "-c", "diff.mnemonicPrefix=false", "-c", "diff.relative=false", "-c", "color.ui=never")
DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--no-textconv", "-M", "--full-index", "-U3",
                "--src-prefix=a/", "--dst-prefix=b/", "--no-relative")
EMPTY_BLOB = "0" * 40


class GitError(Exception):
    """git is missing, the directory is not a repository, or a revision cannot be resolved."""


@dataclass(frozen=True, slots=True)
class Range:
    """What to compare: `base` and `head` commit ids; `head` None means the working tree."""

    description: str
    base: str
    head: str | None


def run_git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_EXTERNAL_DIFF"):
        env.pop(name, None)  # the repository is the one at `root`, whatever the caller's shell says
    try:
        result = subprocess.run(["git", *_SAFE_CONFIG, *args], cwd=root, input=stdin, capture_output=True, env=env,
                                check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except OSError as exc:
        raise GitError(f"cannot run git in {root}: {exc.strerror or exc}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else f'exit code {result.returncode}'}")
    return result.stdout


def repository_root(directory: Path) -> Path:
    try:
        out = run_git(directory, "rev-parse", "--show-toplevel")
    except GitError:
        raise GitError(f"{directory} is not inside a git repository (use --patch FILE to review a patch)") from None
    return Path(os.fsdecode(out.rstrip(b"\n")))


def resolve_commit(root: Path, rev: str) -> str:
    if not rev or rev.startswith("-"):  # never let a revision be read as an option
        raise GitError(f"invalid revision {rev!r}")
    try:
        out = run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except GitError:
        raise GitError(f"unknown revision {rev!r}: git cannot resolve it to a commit") from None
    return out.decode().strip()


def resolve_range(root: Path, spec: str | None) -> Range:
    """`None`: working tree and index against HEAD; `REV`: working tree against REV; `A..B`: B against A;
    `A...B`: B against the merge base of A and B. An empty side means HEAD, as in git."""
    if spec is None:
        try:
            head = resolve_commit(root, "HEAD")
        except GitError:
            raise GitError("HEAD does not name a commit (a repository with no commits yet?): nothing to compare "
                           "the working tree with") from None
        return Range("working tree and index against HEAD", head, None)
    if "..." in spec:
        left, right = spec.split("...", 1)
        a, b = resolve_commit(root, left or "HEAD"), resolve_commit(root, right or "HEAD")
        try:
            base = run_git(root, "merge-base", a, b).decode().strip()
        except GitError:
            raise GitError(f"{spec}: {left or 'HEAD'} and {right or 'HEAD'} have no common ancestor") from None
        return Range(spec, base, b)
    if ".." in spec:
        left, right = spec.split("..", 1)
        return Range(spec, resolve_commit(root, left or "HEAD"), resolve_commit(root, right or "HEAD"))
    return Range(f"working tree against {spec}", resolve_commit(root, spec), None)


def diff_text(root: Path, rng: Range) -> bytes:
    """The unified diff of the range, paths relative to the repository root."""
    revs = [rng.base] if rng.head is None else [rng.base, rng.head]
    return run_git(root, "diff", *DIFF_OPTIONS, *revs, "--")


def range_messages(root: Path, rng: Range, limit: int = 20) -> str | None:
    """The commit messages of a range (newest first), for prompts that use them; None for the
    working tree, where there is no commit yet."""
    if rng.head is None:
        return None
    span = f"{rng.base}..{rng.head}" if rng.base else rng.head
    text = run_git(root, "log", f"-n{limit}", "--format=%B", span, "--").decode("utf-8", "replace").strip()
    return text or None


class BlobReader:
    """Reads many blobs through one `git cat-file --batch` process."""

    def __init__(self, root: Path):
        self.root = root

    def read_many(self, names: list[str]) -> dict[str, bytes | None]:
        """Object names (blob ids or `commit:path`) to contents; None for a missing object."""
        wanted = [n for n in dict.fromkeys(names) if "\n" not in n]
        found: dict[str, bytes | None] = {n: None for n in names}
        if not wanted:
            return found
        out = run_git(self.root, "cat-file", "--batch", stdin="".join(f"{n}\n" for n in wanted).encode())
        pos = 0
        for name in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                found[name] = out[pos:pos + size]
                pos += size + 1  # the content is followed by a newline
            elif len(header) == 3:  # a tree or commit where a file was expected
                pos += int(header[2]) + 1
        return found
