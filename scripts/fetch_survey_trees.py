#!/usr/bin/env python3
"""Download and unpack the release trees that docs/precision-survey.md judges, so its figures can be
reproduced.

Usage: python scripts/fetch_survey_trees.py [--dest /work/corpora] [--print-paths]
Each tree is a PyPI sdist fetched with pip (`--no-deps --no-binary :all:`: a wheel lacks the tests and
the packaging files) and unpacked to DEST/NAME-VERSION; a tree already there is left as it is. The
trees are third-party code: they stay outside the repository. Then review each as the survey did:

    SECREVIEW_CACHE_DIR=$(mktemp -d) secreview scan DEST/nova-34.0.0 --format json --allow-incomplete
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# The versions the survey judged; changing one means judging its findings again.
SURVEY = ("nova==34.0.0", "cinder==29.0.0", "glance==33.0.0", "Django==5.1.4")


class FetchError(Exception):
    """Anything that stops the download: reported as one line, exit code 2."""


def fetch(spec: str, dest: Path) -> Path:
    """The unpacked tree DEST/NAME-VERSION for NAME==VERSION, downloading only when it is not there."""
    name, version = spec.split("==")
    tree = dest / f"{name}-{version}"
    if tree.is_dir():
        return tree
    with tempfile.TemporaryDirectory(prefix="survey-sdist-") as tmp:
        downloads = Path(tmp)
        print(f"downloading the {spec} sdist with pip ...", file=sys.stderr)
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", spec, "-d", tmp],
            capture_output=True, text=True)
        archives = sorted(downloads.glob("*.tar.gz"))
        if result.returncode != 0 or not archives:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no archive"]
            raise FetchError(f"pip could not download {spec}: {tail[0]}")
        # Unpacked beside the destination and renamed at the end, so an interrupted run leaves no
        # half tree that a later run would take for a whole one.
        partial = dest / f".{name}-{version}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        # The "data" filter (3.12+, 3.11.4+) refuses absolute paths, links out of the tree and devices.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        with tarfile.open(archives[0]) as tf:
            tf.extractall(partial, **safe)
        children = list(partial.iterdir())  # an sdist holds one top folder (nova-34.0.0/)
        top = children[0] if len(children) == 1 and children[0].is_dir() else partial
        top.rename(tree)
        shutil.rmtree(partial, ignore_errors=True)
    return tree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=Path("/work/corpora"),
                        help="folder the trees are unpacked into (default: /work/corpora)")
    parser.add_argument("--print-paths", action="store_true", help="print each tree's path on its own line")
    args = parser.parse_args(argv)
    args.dest.mkdir(parents=True, exist_ok=True)
    try:
        trees = [fetch(spec, args.dest) for spec in SURVEY]
    except FetchError as exc:
        print(f"fetch_survey_trees: {exc}", file=sys.stderr)
        return 2
    for tree in trees:
        print(tree if args.print_paths else f"ready: {tree}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
