#!/usr/bin/env python3
"""Tally the precision survey (docs/precision-survey.md) against today's findings.

Usage: python scripts/survey_tally.py [--trees /work/corpora] [--json-dir DIR] [--unjudged]

Reviews each surveyed release tree (fetched by scripts/fetch_survey_trees.py) with this checkout's
secreview — or reads DIR/<tree>.json when --json-dir holds earlier reports — keeps the findings in
production code (`test_code` false) at medium confidence or above (what `--confidence medium` shows),
and matches each to the judgement the survey recorded for it (`path:line rule` with **W** wanted, **X**
wrong, **N** not worth a reviewer's time). Prints per-rule and per-tree tallies of the judged ones and,
with --unjudged, every finding the survey has no judgement for yet (each must be judged and added to the
survey before its figures are quoted). Exit code 1 when any finding is unjudged.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ("glance-33.0.0", "cinder-29.0.0", "nova-34.0.0", "Django-5.1.4")
JUDGED = re.compile(r"^- `(?P<path>[^`:]+):(?P<line>\d+)` (?P<rule>[\w-]+) \*\*(?P<verdict>[WXN])\*\*")
SHOWN = ("medium", "high")


def judgements(survey: Path) -> dict[tuple[str, int, str], str]:
    out = {}
    for line in survey.read_text(encoding="utf-8").splitlines():
        match = JUDGED.match(line)
        if match:
            out[(match["path"], int(match["line"]), match["rule"])] = match["verdict"]
    return out


def review(tree: Path) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SECREVIEW_CACHE_DIR": cache}
        result = subprocess.run([sys.executable, "-m", "secreview", "scan", ".", "--format", "json",
                                 "--confidence", "low", "--allow-incomplete", "--no-progress"],
                                cwd=tree, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"survey_tally.py: review of {tree} failed: {result.stderr.strip()[-400:]}")
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", type=Path, default=Path("/work/corpora"))
    parser.add_argument("--json-dir", type=Path, help="read <tree>.json reports here (written when absent)")
    parser.add_argument("--unjudged", action="store_true", help="list the findings the survey has not judged")
    args = parser.parse_args()
    judged = judgements(ROOT / "docs" / "precision-survey.md")
    by_rule: dict[str, Counter] = defaultdict(Counter)
    by_tree: dict[str, Counter] = defaultdict(Counter)
    unjudged: list[str] = []
    for name in TREES:
        tree = args.trees / name
        saved = args.json_dir / f"{name}.json" if args.json_dir else None
        if saved is not None and saved.is_file():
            report = json.loads(saved.read_text(encoding="utf-8"))
        else:
            if not tree.is_dir():
                print(f"survey_tally.py: {tree} is missing: run scripts/fetch_survey_trees.py", file=sys.stderr)
                return 2
            report = review(tree)
            if saved is not None:
                saved.parent.mkdir(parents=True, exist_ok=True)
                saved.write_text(json.dumps(report), encoding="utf-8")
        for f in report["findings"]:
            if f.get("test_code") or f["confidence"] not in SHOWN:
                continue
            verdict = judged.get((f["path"], f["line"], f["name"]))
            if verdict is None:
                unjudged.append(f"{name}: `{f['path']}:{f['line']}` {f['name']} ({f['confidence']}) — {f['message']}")
                verdict = "?"
            by_rule[f["name"]][verdict] += 1
            by_tree[name][verdict] += 1
    total = sum((c for c in by_tree.values()), Counter())
    judged_count = total["W"] + total["X"] + total["N"]
    print(f"medium+ findings in production code: {sum(total.values())}; judged {judged_count}, wanted "
          f"{total['W']} ({total['W'] / judged_count:.0%} of judged)" if judged_count else "no judged findings")
    print("\n| tree | medium+ | wanted | wrong | not worth it | unjudged |\n|---|---|---|---|---|---|")
    for name in TREES:
        c = by_tree[name]
        print(f"| {name} | {sum(c.values())} | {c['W']} | {c['X']} | {c['N']} | {c['?']} |")
    print("\n| rule | medium+ | wanted | share wanted | unjudged |\n|---|---|---|---|---|")
    for rule in sorted(by_rule):
        c = by_rule[rule]
        known = c["W"] + c["X"] + c["N"]
        share = f"{c['W'] / known:.0%}" if known else "-"
        flag = " **below 30%, more than 5**" if known > 5 and c["W"] / known < 0.3 else ""
        print(f"| {rule} | {sum(c.values())} | {c['W']} | {share}{flag} | {c['?']} |")
    if args.unjudged and unjudged:
        print("\nUnjudged:")
        print("\n".join(f"- {u}" for u in unjudged))
    return 1 if unjudged else 0


if __name__ == "__main__":
    sys.exit(main())
