"""Reviewing a change: the whole new version of each changed Python file is reviewed (from git
objects, the working tree, or a patch), and only findings on the lines the change touches are kept;
with `new_only`, also minus those the base version already had.

Paths in the report are relative to the repository root (git) or the review root (patch), in
POSIX form, so review systems can place comments with them.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from secreview import api
from secreview.change import git
from secreview.change.patch import FilePatch, PatchError, check_path, image_from_hunks, images_from_file, parse_patch
from secreview.change.select import minus_known, on_changed_lines
from secreview.change.tree import project_tree
from secreview.config import Config
from secreview.llm.settings import LLMSettings
from secreview.model import Change, FileError, Finding, Report
from secreview.source import excluded, is_python


@dataclass
class _Images:
    """What to review for one changed file: the new version and, for `new_only`, the old one."""

    path: str
    post: bytes | None
    pre: bytes | None = None


def _worth_reviewing(fp: FilePatch, config: Config, root: Path) -> bool:
    """Worth reading: a file with added lines that may be Python (a shebang is checked once read)."""
    cf = fp.changed
    maybe_python = PurePosixPath(cf.path).suffix in ("", ".py", ".pyw")
    return (cf.status != "deleted" and not cf.binary and bool(cf.changed_lines) and maybe_python
            and not excluded(cf.path, config.excludes, root))


def review_git(directory: Path, spec: str | None, config: Config, new_only: bool = False,
               llm: LLMSettings | None = None) -> Report:
    root = git.repository_root(directory)
    rng = git.resolve_range(root, spec)
    text = git.diff_text(root, rng).decode("utf-8", "surrogateescape")
    try:
        patches = parse_patch(text)
    except PatchError as exc:
        raise git.GitError(f"cannot read git's diff: {exc}") from None
    wanted = [fp for fp in patches if _worth_reviewing(fp, config, root)]
    reader = git.BlobReader(root)
    errors: list[FileError] = []
    posts: dict[str, bytes | None] = {}
    if rng.head is None:
        for fp in wanted:
            posts[fp.changed.path], error = _read_worktree(root, fp.changed.path)
            if error:
                errors.append(error)
    else:
        names = {fp.changed.path: _object_name(fp.new_blob, rng.head, fp.changed.path) for fp in wanted}
        blobs = reader.read_many(list(names.values()))
        posts = {path: blobs[name] for path, name in names.items()}
        errors.extend(FileError(path, "unreadable", f"{path}: cannot be read from git objects ({names[path]})")
                      for path, data in posts.items() if data is None)
    pres: dict[str, bytes | None] = {}
    if new_only:
        names = {fp.changed.path: _object_name(fp.old_blob, rng.base, fp.changed.old_path or fp.changed.path)
                 for fp in wanted if fp.changed.old_path is not None}
        blobs = reader.read_many(list(names.values()))
        pres = {path: blobs[name] for path, name in names.items()}
    images = [_Images(fp.changed.path, posts.get(fp.changed.path), pres.get(fp.changed.path)) for fp in wanted]
    change = Change(rng.description, rng.base, rng.head, tuple(fp.changed for fp in patches), new_only=new_only)
    message = git.range_messages(root, rng) if llm is not None else None
    # the head's tree (the working tree when there is no head); the base's for --new-only's base review
    project = project_tree(root, rng.head, config)
    base_project = project_tree(root, rng.base, config) if new_only else None
    return _review(images, change, config, errors, llm, root, message, project, base_project)


def _object_name(blob: str | None, commit: str, path: str) -> str:
    # The diff's `index` line names the blob exactly; a rename with no content change has none.
    if blob and set(blob) != {"0"} and len(blob) >= 40:
        return blob
    return f"{commit}:{path}"


def _read_worktree(root: Path, path: str) -> tuple[bytes | None, FileError | None]:
    full = root / path
    if full.is_symlink():
        return None, None  # git diffs a link's target text, not a file to review
    try:
        return full.read_bytes(), None
    except OSError as exc:
        return None, FileError(path, "unreadable", f"{path}: {exc.strerror or exc}")


def review_patch(text: str, name: str, root: Path, config: Config, new_only: bool = False,
                 llm: LLMSettings | None = None) -> Report:
    patches = parse_patch(text)
    limited: list[str] = []
    images: list[_Images] = []
    for fp in patches:
        if not _worth_reviewing(fp, config, root):
            continue
        post, pre, whole = _patch_images(fp, root)
        if not whole:
            limited.append(fp.changed.path)
        images.append(_Images(fp.changed.path, _encode(post), _encode(pre)))
    change = Change(f"patch {name}", None, None, tuple(fp.changed for fp in patches), tuple(limited), new_only)
    # a patch applies to the files under the review root: they are its project (the pre-images, for the
    # base review, replace the changed ones)
    project = project_tree(root, None, config) if root.is_dir() else None
    report = _review(images, change, config, [], llm, root, None, project, project)
    if not limited:
        return report
    return replace(report, errors=tuple(_limited_context_error(e, root) if e.path in limited and e.kind == "syntax"
                                        else e for e in report.errors))


def _limited_context_error(error: FileError, root: Path) -> FileError:
    """A file rebuilt from its hunks alone that does not parse: the missing context is the likely cause,
    not the author's code (nor Python 2), and the user can give the context."""
    detail = error.message.split(" (this looks like Python 2", 1)[0]
    if (root / error.path).is_file():
        why = f"{error.path} under {root} does not match the patch's original, so only its hunks were used"
    else:
        why = f"only the patch hunks were available ({error.path} is not under {root})"
    return replace(error, message=f"{detail} — {why}, and they do not parse on their own; run in the checkout "
                                  "the patch applies to, or pass --root DIR")


def _patch_images(fp: FilePatch, root: Path) -> tuple[str, str | None, bool]:
    """(post-image, pre-image or None, whether both are whole files rather than hunks)."""
    cf = fp.changed
    if cf.status == "added":
        return image_from_hunks(fp.hunks, post=True), None, True  # an added file's hunk is the whole file
    for candidate in dict.fromkeys((cf.path, cf.old_path or cf.path)):
        present = _read_present(root, candidate)
        if present is not None:
            both = images_from_file(present, fp)
            if both is not None:
                return both[1], both[0], True
    return image_from_hunks(fp.hunks, post=True), image_from_hunks(fp.hunks, post=False), False


def _read_present(root: Path, path: str) -> str | None:
    check_path(path)
    full = root / path
    real_root = os.path.realpath(root)
    real = os.path.realpath(full)
    if not real.startswith(real_root.rstrip(os.sep) + os.sep) or not os.path.isfile(real):
        return None  # absent, or a link leading out of the review root: never followed
    try:
        return Path(real).read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return None


def _encode(text: str | None) -> bytes | None:
    return None if text is None else text.encode("utf-8", "surrogateescape")


def _review(images: list[_Images], change: Change, config: Config, errors: list[FileError],
            llm: LLMSettings | None = None, root: Path | None = None, message: str | None = None,
            project: api.ProjectTree | None = None, base_project: api.ProjectTree | None = None) -> Report:
    """`project`: the tree the new images are judged in (their unchanged helpers and callers);
    `base_project`: the one the base images are judged in, for `new_only`."""
    items = [(i.path, i.post) for i in images if i.post is not None and is_python(i.path, i.post)]
    reviewed = {path for path, _ in items}
    report = api.review_sources(items, config, root, project)
    if llm is not None:
        # The model sees each changed file whole (with the static findings as candidates); its verified
        # findings are then kept to the changed lines like the static ones.
        from secreview.llm.context import PromptContext
        from secreview.llm.review import review_with_llm

        failed = {e.path for e in report.errors}
        texts = [(path, data.decode("utf-8", "surrogateescape")) for path, data in items if path not in failed]
        report = review_with_llm(report, texts, llm, config, context=PromptContext(commit_message=message),
                                 cwd=root)
    kept = on_changed_lines(report.findings, change.files)
    if change.new_only:
        # The base is reviewed under the NEW path: fingerprints include the path, and a rename is not new code.
        base_items = [(i.path, i.pre) for i in images if i.path in reviewed and i.pre is not None]
        base = api.review_sources(base_items, config, root, base_project) if base_items else None
        known = Counter(f.fingerprint for f in base.findings) if base else Counter()
        # Unchanged code claims its base occurrences first: when a change copies a flawed line, the copy
        # is what is new, not the line that was already there.
        on_changed = {id(f) for f in kept}
        known = _consume(known, [f for f in report.findings if id(f) not in on_changed])
        kept, _ = minus_known(kept, known)
    changed = {f.path: set(f.changed_lines) for f in change.files}
    unused = tuple(s for s in report.unused_suppressions if s.line in changed.get(s.path, ()))
    pillars = tuple(replace(p, findings=sum(1 for f in kept if f.pillar == p.pillar)) for p in report.pillars)
    return replace(report, findings=tuple(sorted(kept, key=lambda f: f.sort_key)), pillars=pillars,
                   errors=tuple(errors) + report.errors, unused_suppressions=unused, change=change)


def _consume(known: Counter[str], findings: list[Finding]) -> Counter[str]:
    """What is left of `known` once each of `findings` has claimed one matching occurrence."""
    left = Counter(known)
    for finding in findings:
        if left[finding.fingerprint] > 0:
            left[finding.fingerprint] -= 1
    return left
