"""Tar archive extracted without a member filter.

## What it flags
`extractall()` / `extract()` on a `tarfile` object (from `tarfile.open(...)`,
`tarfile.TarFile(...)`, through a `with ... as` target or an assignment) that
passes no `filter=` (or `filter="fully_trusted"`) and no filtered `members=`
(a helper call or a comprehension with a condition), in a function that does
not check member paths itself and does not set `extraction_filter`; and
`shutil.unpack_archive()` without `filter=` unless the format is zip.
`zipfile` extraction is not flagged: it strips `..` and absolute paths.

## Why it matters
Tar members can be named `../../etc/cron.d/job` or be absolute paths, symlinks
or hard links pointing outside the target directory; extracting an untrusted
archive then overwrites arbitrary files (CWE-22, the CVE-2007-4559 family).
Python 3.12+ offers `filter="data"`, which rejects all of these.

## Example
```python
import tarfile

def install_bundle(path, dest):
    with tarfile.open(path) as tar:
        tar.extractall(dest)
```

## Use instead
```python
import tarfile

def install_bundle(path, dest):
    with tarfile.open(path) as tar:
        tar.extractall(dest, filter="data")
```

## References
- CWE-22: Improper Limitation of a Pathname to a Restricted Directory
- Python docs, tarfile "Extraction filters" (PEP 706)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.values import argument, keyword
from secreview.model import Confidence, Severity
from secreview.rules._access.function_facts import calls_any, scope_of
from secreview.rules._access.object_facts import constant_str, created_by
from secreview.rules._access.vocabulary import word_set
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR209",
    name="tar-path-traversal",
    title="Tar archive extracted without a member filter",
    cwe=22,
    type="access",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Pass filter='data' (Python 3.12+, backported to 3.8.17+/3.9.17+/3.10.12+/3.11.4+), or extract only "
    "members whose resolved path stays inside the target directory and that are not links or devices.",
    bandit=("B202",),
)
NODES = (ast.Call,)
# shutil.unpack_archive, or an extract()/extractall() call.
NEEDS = ("unpack_archive", "extract")

_OPENERS = word_set(
    """
    tarfile.open tarfile.TarFile tarfile.TarFile.open tarfile.TarFile.taropen tarfile.TarFile.gzopen
    tarfile.TarFile.bz2open tarfile.TarFile.xzopen tarfile.TarFile.zstopen
    """
)
_CONTAINMENT = word_set(
    """
    commonpath commonprefix is_relative_to relative_to is_within_directory data_filter tar_filter
    safe_extract safe_members
    """
)
_NORMALIZERS = {"realpath", "abspath", "resolve", "normpath"}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    func = node.func
    name = ctx.call_name(node) or ""
    if name == "shutil.unpack_archive":
        fmt = constant_str(argument(node, 2, "format"), ctx) or ""
        path = constant_str(argument(node, 0, "filename"), ctx) or ""
        if keyword(node, "filter") is None and fmt != "zip" and not path.endswith(".zip"):
            yield Hit(
                node,
                "`shutil.unpack_archive` extracts a possibly-tar archive without `filter=`; member "
                "paths such as `../x` or links can escape the target directory.",
                confidence=Confidence.LOW,
            )
        return
    if not isinstance(func, ast.Attribute) or func.attr not in ("extractall", "extract"):
        return
    if created_by(ctx, func.value, _OPENERS) is None:
        return
    flt = keyword(node, "filter")
    if flt is not None:
        value = flt.value
        if constant_str(value, ctx) != "fully_trusted" and not (ctx.qualname(value) or "").endswith(
            "fully_trusted_filter"
        ):
            return
    elif _filtered_members(node, ctx) or _guarded(ctx, node):
        return
    what = ctx.segment(func) or func.attr
    yield Hit(
        node,
        f"`{what}()` extracts tar members without a filter; names like `../x`, absolute paths and "
        "links can write outside the target directory.",
    )


def _filtered_members(node: ast.Call, ctx: FileContext) -> bool:
    method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
    members = argument(node, 1 if method == "extractall" else None, "members")
    if method == "extract":
        return False
    if isinstance(members, ast.Name):
        members = reaching_value(ctx, members) or members
    if isinstance(members, ast.Call):
        return not (isinstance(members.func, ast.Attribute) and members.func.attr == "getmembers")
    if isinstance(members, (ast.ListComp, ast.GeneratorExp)):
        return any(gen.ifs for gen in members.generators)
    return False


def _guarded(ctx: FileContext, node: ast.Call) -> bool:
    """The function checks member paths, or the file sets an extraction filter (on an archive or on TarFile)."""
    scope = scope_of(ctx, node)
    if calls_any(ctx, scope, _CONTAINMENT) or (
        calls_any(ctx, scope, _NORMALIZERS) and calls_any(ctx, scope, {"startswith"})
    ):
        return True
    if any(
        isinstance(sub, ast.Compare) and isinstance(sub.left, ast.Constant) and sub.left.value == ".."
        for sub in ast.walk(scope)
    ):
        return True  # `if ".." in member.name: continue`
    return any(
        isinstance(sub, ast.Assign)
        and any(isinstance(t, ast.Attribute) and t.attr == "extraction_filter" for t in sub.targets)
        for sub in ctx.tree_nodes()
    )
