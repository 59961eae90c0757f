"""`secreview bench DATASET`: argument registration and the run function the CLI dispatches to.

Exit codes: 0 the benchmark ran; 2 usage error, or a dataset or SARIF file that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secreview.bench.datasets import DatasetError, load_dataset
from secreview.bench.render import render_json, render_text, summary
from secreview.bench.sarif_input import SarifError, read_sarif
from secreview.bench.score import score, secreview_hits
from secreview.output import emit

EXIT_OK, EXIT_ERROR = 0, 2


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="score secreview (or another tool's SARIF) against labeled data",
                       description="Precision, recall and F1 at line and file level, paired TPR/FPR/Youden and "
                                   "top-k detection rates, for secreview and any SARIF logs, side by side.")
    p.add_argument("dataset", metavar="DATASET",
                   help="JSON Lines of labels, or a directory (labels.jsonl files, or fixtures with markers)")
    p.add_argument("--sarif", action="append", default=[], metavar="NAME=FILE",
                   help="also score another tool's SARIF log (repeatable; NAME defaults to the file name)")
    p.add_argument("--no-secreview", dest="secreview", action="store_false",
                   help="score only the --sarif logs, do not run secreview")
    p.add_argument("--tolerance", "-k", type=int, default=2, metavar="K",
                   help="a finding within K lines of a labeled line matches it (default: 2)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the tables here instead of stdout")
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: all cores)")


def run(args: argparse.Namespace) -> int:
    try:
        if args.tolerance < 0 or args.jobs < 0:
            raise DatasetError("--tolerance and --jobs must not be negative")
        logs = [_named(value) for value in args.sarif]
        if not args.secreview and not logs:
            raise DatasetError("--no-secreview needs at least one --sarif NAME=FILE")
        dataset = load_dataset(args.dataset)
        results, notes = {}, []
        if args.secreview:
            hits, more = secreview_hits(dataset, args.jobs)
            results["secreview"], notes = score(dataset, hits, args.tolerance), notes + more
        for name, file in logs:
            if name in results:
                raise DatasetError(f"--sarif: tool name {name!r} is given twice")
            hits, more = read_sarif(file, dataset.root, dataset.files)
            results[name], notes = score(dataset, hits, args.tolerance), notes + more
    except (DatasetError, SarifError) as exc:
        print(f"secreview: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    data = summary(dataset, args.tolerance, results, notes)
    out = render_json(data) if args.format == "json" else render_text(data)
    if not emit(out, args.output):
        return EXIT_ERROR
    return EXIT_OK


def _named(value: str) -> tuple[str, str]:
    name, sep, file = value.partition("=")
    if not sep:
        return Path(value).stem, value
    if not name.strip() or not file:
        raise DatasetError(f"--sarif: expected NAME=FILE, got {value!r}")
    return name.strip(), file
