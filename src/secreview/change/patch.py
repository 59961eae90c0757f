"""Unified diffs (from git or from a file) to `ChangedFile`s, and images rebuilt from hunks.

Parsing is `unidiff`'s; here we only decide what each file's change means for a review:
which post-image lines were added or modified, which lie inside the hunks, and which
paths are safe to open (a path that leaves the review root is refused, never followed).
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from unidiff import PatchSet, UnidiffParseError
from unidiff.patch import Hunk, PatchedFile

from secreview.model import ChangedFile

_INDEX = re.compile(r"^index ([0-9a-f]+)\.\.([0-9a-f]+)", re.MULTILINE)
_DRIVE = re.compile(r"^[A-Za-z]:")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


class PatchError(Exception):
    """A patch that cannot be parsed, or that names a path outside the review root."""


@dataclass(frozen=True, slots=True)
class FilePatch:
    """One file's part of a patch: the model's ChangedFile plus what is needed to rebuild images."""

    changed: ChangedFile
    hunks: tuple[Hunk, ...]
    old_blob: str | None  # blob ids from git's `index` line, when present
    new_blob: str | None


def parse_patch(text: str) -> list[FilePatch]:
    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        raise PatchError(f"not a valid unified diff: {exc}") from None
    if not len(patch) and text.strip():
        raise PatchError("not a unified diff: no file headers (---/+++ or diff --git) found")
    return [_file_patch(pf) for pf in patch]


def _file_patch(pf: PatchedFile) -> FilePatch:
    source, target = _strip(pf.source_file, "a/"), _strip(pf.target_file, "b/")
    if pf.is_added_file:
        status, path, old = "added", target, None
    elif pf.is_removed_file:
        status, path, old = "deleted", source, source
    elif pf.is_rename:
        status, path, old = "renamed", target, source
    elif "\ncopy from " in "\n" + str(pf.patch_info):
        status, path, old = "copied", target, source
    else:
        status, path, old = "modified", target, source
    if path is None:  # both sides /dev/null: no file to review, and no path to report one by
        raise PatchError(f"a file in the patch has no name on either side ({pf.source_file} -> {pf.target_file})")
    for name in (path, old):
        if name is not None:
            check_path(name)
    changed: list[int] = []
    inside: list[int] = []
    for hunk in pf:
        for line in hunk:
            if line.target_line_no is None:
                continue
            inside.append(line.target_line_no)
            if line.is_added:
                changed.append(line.target_line_no)
    if status == "deleted":
        changed, inside = [], []
    match = _INDEX.search(str(pf.patch_info))
    old_blob, new_blob = (match.group(1), match.group(2)) if match else (None, None)
    cf = ChangedFile(path, old, status, tuple(sorted(set(changed))), tuple(sorted(set(inside))), pf.is_binary_file)
    return FilePatch(cf, tuple(pf), old_blob, new_blob)


def _strip(name: str, prefix: str) -> str | None:
    if name in ("/dev/null", "a/dev/null", "b/dev/null"):
        return None
    if name.startswith('"') and name.endswith('"') and len(name) > 1:
        name = _unquote(name[1:-1])
    return name[len(prefix):] if name.startswith(prefix) else name


def _unquote(body: str) -> str:
    """git's C-style quoting of unusual file names (octal bytes and backslash escapes)."""
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and re.match(r"[0-7]{3}", body[i + 1:i + 4]):
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, ord(nxt)))
            i += 2
            continue
        out.extend(ch.encode("utf-8", "surrogateescape"))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def check_path(name: str) -> None:
    """Refuse paths that would reach outside the review root."""
    if not name or "\x00" in name:
        raise PatchError(f"refusing patch path {name!r}: empty or contains a NUL byte")
    posix = name.replace("\\", "/")
    if posix.startswith("/") or _DRIVE.match(posix):
        raise PatchError(f"refusing patch path {name!r}: absolute paths escape the review root")
    if ".." in PurePosixPath(posix).parts:
        raise PatchError(f"refusing patch path {name!r}: '..' escapes the review root")


def _same(a: str, b: str) -> bool:
    return a.rstrip("\r\n") == b.rstrip("\r\n")


def _apply(lines: list[str], hunks: tuple[Hunk, ...], reverse: bool) -> list[str] | None:
    """Apply the hunks to a full image (forward: pre → post; reverse: post → pre).
    None when the image does not match the hunks' context and removed lines."""
    keep, drop = ("-", "+") if reverse else ("+", "-")
    out: list[str] = []
    pos = 0
    for hunk in hunks:
        start, length = (hunk.target_start, hunk.target_length) if reverse else (hunk.source_start, hunk.source_length)
        start = start if length == 0 else start - 1  # an empty side names the line after which text goes
        if start < pos or start > len(lines):
            return None
        out.extend(lines[pos:start])
        pos = start
        for line in hunk:
            if line.line_type == keep:
                out.append(line.value)
            elif line.line_type in (" ", drop):
                if pos >= len(lines) or not _same(lines[pos], line.value):
                    return None
                if line.line_type == " ":
                    out.append(lines[pos])
                pos += 1
    out.extend(lines[pos:])
    return out


def images_from_file(present: str, fp: FilePatch) -> tuple[str, str] | None:
    """(pre-image, post-image) when the file on disk is either one of them in full; else None."""
    lines = present.splitlines(keepends=True)
    pre = _apply(lines, fp.hunks, reverse=True)
    if pre is not None:
        return "".join(pre), present
    post = _apply(lines, fp.hunks, reverse=False)
    if post is not None:
        return present, "".join(post)
    return None


def image_from_hunks(hunks: tuple[Hunk, ...], post: bool) -> str:
    """One side of the change rebuilt from the hunks alone, at its real line numbers. Lines outside the
    hunks are blank; an indented hunk gets `if True:` headers on blank lines above it so it still parses.
    A hunk that starts inside a construct (a bracket opened above it, a string) does not parse: the
    context lines from its start down to where the parser fails are blanked, a few times at most,
    never a changed line — the changed code is what the review is for."""
    side = ("+", " ") if post else ("-", " ")
    total = 0
    for hunk in hunks:
        start, length = (hunk.target_start, hunk.target_length) if post else (hunk.source_start, hunk.source_length)
        total = max(total, start + length - 1)
    image = ["\n"] * total
    known = [False] * total
    context = [False] * total
    for hunk in hunks:
        for line in hunk:
            number = line.target_line_no if post else line.source_line_no
            if line.line_type in side and number is not None:
                image[number - 1] = line.value if line.value.endswith("\n") else line.value + "\n"
                known[number - 1] = True
                context[number - 1] = line.line_type == " "
    starts = [(hunk.target_start if post else hunk.source_start) - 1 for hunk in hunks]
    # A hunk holding a triple quote may start or end inside a string: blanking lines there could turn the
    # string's text (a docstring's example) into code, and a finding in it would be invented. Such a hunk
    # is left as it is: if it does not parse, the review says the context was missing.
    repairable = [not any(q in line.value for line in hunk for q in ('"""', "'''")) for hunk in hunks]
    text = _with_headers(image, known, starts)
    for _ in range(MAX_REPAIRS):
        failed = _parse_error_line(text)
        if failed is None or not _blank_context_around(image, known, context, starts, failed - 1, repairable):
            break
        text = _with_headers(image, known, starts)
    return text


MAX_REPAIRS = 8


def _with_headers(image: list[str], known: list[bool], starts: list[int]) -> str:
    out = list(image)
    for first in starts:
        _add_headers(out, known, first)
    return "".join(out)


def _parse_error_line(text: str) -> int | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        return exc.lineno or 1
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def _blank_context_around(image: list[str], known: list[bool], context: list[bool], starts: list[int],
                          failed: int, repairable: list[bool]) -> bool:
    """Blank context lines of the hunk holding line index `failed`, where a hunk cut out of its file
    breaks: above the first changed line (a closing bracket fails where it stands, its opening was above
    the hunk), else below the last changed line before `failed` (a `def` header whose body was cut off).
    Changed lines are never blanked. False when there was nothing left to blank."""
    failed = min(failed, len(image) - 1)
    while failed > 0 and not known[failed]:
        failed -= 1  # an error reported past the end of the text: the hunk's last line is the culprit
    first = max((s for s in starts if s <= failed), default=None)
    if first is None or not repairable[starts.index(first)]:
        return False
    changed_above = [i for i in range(first, failed + 1) if known[i] and not context[i]]
    span = range(first, failed + 1) if not changed_above else range(changed_above[-1] + 1, len(image))
    blanked = False
    for i in span:
        if known[i] and not context[i]:
            break  # a changed line: keep it and everything after it
        if not known[i] and i > failed:
            break  # the end of the hunk
        if known[i] and image[i].strip():
            image[i] = "\n"
            known[i] = False
            blanked = True
    return blanked


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _add_headers(image: list[str], known: list[bool], first: int) -> None:
    # The hunk's code starts at its first known line (its leading context may have been blanked).
    first = next((i for i in range(first, len(image)) if known[i]), len(image))
    body = [i for i in range(first, len(image)) if known[i]]
    code = [i for i in body if image[i].strip() and not image[i].lstrip().startswith("#")]
    if not code or _indent(image[code[0]]) == 0:
        return
    # Stop at the hunk's end: the first unknown line after its start.
    end = next((i for i in range(first, len(image)) if not known[i]), len(image))
    width = _indent(image[code[0]])
    levels = sorted({0} | {_indent(image[i]) for i in code if i < end and 0 < _indent(image[i]) < width})
    slots = [i for i in range(first - len(levels), first) if i >= 0 and not known[i]]
    if len(slots) < len(levels):
        return  # no room: the parse error will say this file could not be reviewed
    for slot, level in zip(slots, levels, strict=True):
        image[slot] = " " * level + "if True:\n"
