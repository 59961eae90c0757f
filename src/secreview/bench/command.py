"""`secreview bench DATASET`: the run function the CLI dispatches to (arguments: secreview/cliargs.py).

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


def run(args: argparse.Namespace) -> int:
    try:
        if args.tolerance < 0 or args.jobs < 0:
            raise DatasetError("--tolerance and --jobs must not be negative")
        logs = [_named(value) for value in args.sarif]
        if not args.secreview and not logs:
            raise DatasetError("--no-secreview needs at least one --sarif NAME=FILE")
        dataset = load_dataset(args.dataset)
        results: dict[str, dict[str, object]] = {}
        notes: list[str] = []
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
