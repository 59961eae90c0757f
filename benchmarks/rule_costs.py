#!/usr/bin/env python3
"""Where a cold review spends its time, rule by rule, on one tree (one core, no cache).

Usage: python benchmarks/rule_costs.py TREE [--top N] [--clock cpu|wall]

For every Python file under TREE (secreview's own discovery) it times, separately: reading and
decoding, `ast.parse`, building the FileContext (the one shared walk), each rule's prefilter and
`check()` calls over the nodes it asked for, and turning hits into grounded findings. It prints
each phase's seconds and share of the total, the rules sorted by cost, and how many files each
rule's prefilter let through. The figures are for finding hot spots: the timer calls add a little
overhead per rule and file, so the total is a bit above a plain `secreview scan --jobs 1`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from secreview import suppress
from secreview.analysis.context import FileContext
from secreview.cwe import load_catalog
from secreview.engine import ground
from secreview.ruleset import load_rules, wanted_nodes
from secreview.source import decode, discover, parse, read_source


def measure(tree: Path, clock) -> tuple[dict[str, float], dict[str, float], dict[str, int], int]:  # noqa: ANN001
    rules = load_rules()
    wanted = wanted_nodes(rules)
    catalog = load_catalog()
    phases: dict[str, float] = defaultdict(float)
    per_rule: dict[str, float] = defaultdict(float)
    ran: dict[str, int] = defaultdict(int)
    files, _ = discover([str(tree)], cwd=tree)
    reviewed = 0
    for file in files:
        t0 = clock()
        data, error = read_source(file, 10_000_000)
        text, error = (None, error) if error else decode(data or b"", file.display)
        t1 = clock()
        phases["read + decode"] += t1 - t0
        if text is None:
            continue
        parsed, error = parse(text, file.display)
        t2 = clock()
        phases["ast.parse"] += t2 - t1
        if parsed is None:
            continue
        ctx = FileContext(file.display, parsed.source, parsed.tree, wanted)
        suppress.find_comments(text)
        t3 = clock()
        phases["FileContext + comments"] += t3 - t2
        reviewed += 1
        for rule in rules:
            start = clock()
            hits = []
            if rule.applies(ctx):
                ran[rule.meta.name] += 1
                hits = [hit for kind in rule.nodes for node in ctx.nodes_by_type.get(kind, ())
                        for hit in rule.check(node, ctx)]
            middle = clock()
            for hit in hits:
                ground(hit, rule, ctx, catalog)
            end = clock()
            per_rule[rule.meta.name] += middle - start
            phases["rules"] += middle - start
            phases["ground"] += end - middle
    return phases, per_rule, ran, reviewed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Per-rule share of secreview's time on a tree.")
    parser.add_argument("tree", type=Path)
    parser.add_argument("--top", type=int, default=25, help="rules to list (default: 25)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="process CPU time (default; steady on a busy machine) or wall time")
    args = parser.parse_args(argv)
    if not args.tree.is_dir():
        parser.error(f"not a directory: {args.tree}")
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    phases, per_rule, ran, reviewed = measure(args.tree.resolve(), clock)
    total = sum(phases.values())
    parse_s = phases["ast.parse"] or 1e-9
    print(f"{reviewed} files reviewed, {len(per_rule)} rules, {args.clock} clock; total {total:.2f} s "
          f"= {total / parse_s:.2f}x ast.parse\n")
    print(f"{'phase':<24} {'s':>7} {'share':>6} {'x parse':>7}")
    for name, seconds in sorted(phases.items(), key=lambda kv: -kv[1]):
        print(f"{name:<24} {seconds:7.2f} {seconds / total:6.1%} {seconds / parse_s:7.2f}")
    print(f"\n{'rule':<36} {'s':>7} {'share':>6} {'x parse':>7} {'files run':>9}")
    for name, seconds in sorted(per_rule.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{name:<36} {seconds:7.3f} {seconds / total:6.1%} {seconds / parse_s:7.3f} {ran[name]:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
