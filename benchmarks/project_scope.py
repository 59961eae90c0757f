#!/usr/bin/env python3
"""Project-scope review speed, side by side with a baseline revision of secreview, on one core.

Usage: python benchmarks/project_scope.py [--project Django==5.1.4] [--baseline-ref 562dec7] [--repeat 3]
                                          [--history GITDIR --commits 20] [--workdir DIR]

For a project's sdist (fetched as benchmarks/speed.py does) committed to a fresh git repository:
  cold full      `scan .` with an empty cache (both sides): the project phase must cost no more than before
                 (the default review leaves test directories out when it would hide their findings);
  every file     the same with `--confidence low`: every file reviewed on both sides, like for like;
  one file       `scan FILE` of a mid-sized module, the tree already reviewed (warm cache);
  diff           `diff` of a one-file change in the working tree, the tree already reviewed.
With --history (a git repository with real history, e.g. a clone of cinder): the tree at HEAD~N is
reviewed cold, then HEAD is checked out and reviewed with that cache, then HEAD cold: `later/cold` is the
figure the project-scope cache is for (a nearby commit recomputes only what changed and what depends on
it), taken --repeat times with the sides interleaved (CPU time of one run varies by 20% on a shared host).

Every run is `--jobs 1 --allow-incomplete --format json` in a fresh process; CPU is user + system time of
the child (it barely moves when other jobs load the machine; wall time does). Figures go to stdout."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from diff_speed import ADDED, build_repo, git, pick_file  # noqa: E402  (sibling scripts, not a package)
from speed import DEFAULT_PROJECT, BenchError, obtain  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ENTRY = "import sys; from secreview.cli import main; sys.exit(main())"


class Side:
    """One secreview: this checkout, or a revision checked out in a temporary worktree."""

    def __init__(self, name: str, src: Path, tmp: Path) -> None:
        self.name, self.src, self.tmp = name, src, tmp

    def run(self, args: list[str], cwd: Path, cache: Path) -> tuple[float, float, dict]:
        # PYTHONDONTWRITEBYTECODE would make every run compile secreview from source again (half a second
        # of a warm run): bytecode goes to this side's own prefix instead
        env = {k: v for k, v in os.environ.items() if not k.startswith("SECREVIEW_") and k != "PYTHONDONTWRITEBYTECODE"}
        env.update(SECREVIEW_CACHE_DIR=str(cache), PYTHONPATH=str(self.src),
                   PYTHONPYCACHEPREFIX=str(self.tmp / f"pycache-{self.name}"))
        out = self.tmp / "report.json"
        out.unlink(missing_ok=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        quiet = ["--no-progress"] if args[0] == "scan" else []  # `diff` shows no progress
        result = subprocess.run([sys.executable, "-c", ENTRY, *args, "--jobs", "1", "--allow-incomplete",
                                 *quiet, "--format", "json", "--output", str(out)],
                                cwd=cwd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode not in (0, 1) or not out.is_file():
            last = (result.stderr.strip().splitlines() or ["no message"])[-1]
            raise BenchError(f"{self.name}: {' '.join(args)} failed (exit code {result.returncode}): {last}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, json.loads(out.read_text(encoding="utf-8"))


def checkout(ref: str, where: Path) -> Path:
    result = subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(where), ref],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"cannot check out {ref!r}: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    return where / "src"


def findings(report: dict) -> set[tuple[str, int, str]]:
    return {(f["path"], f["line"], f["rule"]) for f in report["findings"]}


def tree_figures(sides: list[Side], repo: Path, repeat: int, tmp: Path) -> list[tuple[str, dict[str, float]]]:
    target = pick_file(repo)
    rel = target.relative_to(repo).as_posix()
    every = "cold full, every file (--confidence low)"
    rows: dict[str, dict[str, float]] = {"cold full": {}, every: {}, f"one file ({rel})": {},
                                         "diff (one-file change)": {}}
    for side in sides:  # like for like: every file reviewed (a default review leaves hidden test code out)
        _, cpu, report = side.run(["scan", ".", "--confidence", "low"], repo, tmp / f"cache-low-{side.name}")
        rows[every][side.name] = cpu
        print(f"{side.name}: cold review of every file ({report['stats']['reviewed']} reviewed): {cpu:.1f} s CPU",
              file=sys.stderr)
    for side in sides:
        cache = tmp / f"cache-{side.name}"
        _, cpu, report = side.run(["scan", "."], repo, cache)
        rows["cold full"][side.name] = cpu
        print(f"{side.name}: cold full review of {report['stats']['files']} files "
              f"({report['stats']['reviewed']} reviewed): {cpu:.1f} s CPU, {len(report['findings'])} findings",
              file=sys.stderr)
        side.run(["scan", rel], repo, cache)  # the first one-file run stores what the full review did not
        rows[f"one file ({rel})"][side.name] = statistics.median(side.run(["scan", rel], repo, cache)[1]
                                                                  for _ in range(repeat))
        original = target.read_text(encoding="utf-8")
        target.write_text(original + ADDED, encoding="utf-8")
        try:
            side.run(["diff"], repo, cache)
            rows["diff (one-file change)"][side.name] = statistics.median(side.run(["diff"], repo, cache)[1]
                                                                          for _ in range(repeat))
        finally:
            target.write_text(original, encoding="utf-8")
    return list(rows.items())


def history_figures(sides: list[Side], source: Path, commits: int, repeat: int,
                    tmp: Path) -> tuple[list[tuple[str, dict[str, float]]], dict[str, float]]:
    """Each repetition, for each side in turn (so both see the same moments of a noisy machine): HEAD~N
    reviewed cold, HEAD reviewed with that cache, HEAD reviewed cold. Medians of each, and the median of
    the paired ratios warm/cold (a pair ran back to back: the figure the target is about)."""
    labels = (f"HEAD~{commits} cold", "HEAD after it (warm cache)", "HEAD cold")
    runs: dict[str, dict[str, list[float]]] = {label: {s.name: [] for s in sides} for label in labels}
    ratios: dict[str, list[float]] = {s.name: [] for s in sides}
    clones = {}
    for side in sides:
        clone = clones[side.name] = tmp / f"history-{side.name}"
        subprocess.run(["git", "clone", "-q", "--shared", str(source), str(clone)], check=True)
    for attempt in range(repeat):
        for side in sides:
            clone = clones[side.name]
            git(clone, "checkout", "-q", f"HEAD~{commits}")
            cache, cold_cache = tmp / f"hcache-{side.name}-{attempt}", tmp / f"hcold-{side.name}-{attempt}"
            runs[labels[0]][side.name].append(side.run(["scan", "."], clone, cache)[1])
            git(clone, "checkout", "-q", "-")
            _, later, warm_report = side.run(["scan", "."], clone, cache)
            _, cold, cold_report = side.run(["scan", "."], clone, cold_cache)
            runs[labels[1]][side.name].append(later)
            runs[labels[2]][side.name].append(cold)
            ratios[side.name].append(later / cold)
            if findings(warm_report) != findings(cold_report):
                raise BenchError(f"{side.name}: the warm review of HEAD differs from a cold one")
            shutil.rmtree(cache)
            shutil.rmtree(cold_cache)
    for clone in clones.values():
        shutil.rmtree(clone)
    rows = [(label, {name: statistics.median(values) for name, values in by_side.items()})
            for label, by_side in runs.items()]
    return rows, {name: statistics.median(values) for name, values in ratios.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default=DEFAULT_PROJECT, metavar="NAME==VERSION")
    parser.add_argument("--baseline-ref", default="562dec7", metavar="REF",
                        help="the secreview revision to compare with (default: 562dec7, before project scope)")
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="warm runs per figure (median)")
    parser.add_argument("--history", type=Path, metavar="GITDIR", help="a git repository with real history")
    parser.add_argument("--commits", type=int, default=20, metavar="N")
    parser.add_argument("--no-tree", dest="tree", action="store_false", help="only the --history figures")
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "secreview-bench")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="secreview-project-scope-") as name:
        tmp = Path(name)
        baseline = tmp / "baseline"
        try:
            sides = [Side("current", REPO / "src", tmp), Side(args.baseline_ref[:11], checkout(args.baseline_ref,
                                                                                               baseline), tmp)]
            rows = []
            ratios: dict[str, float] = {}
            if args.tree:
                spec, tree = obtain(args.project, args.workdir.expanduser())
                repo = tmp / "repo"
                count = build_repo(tree, repo)
                print(f"{spec}: {count} Python files", file=sys.stderr)
                rows += tree_figures(sides, repo, args.repeat, tmp)
            if args.history:
                history, ratios = history_figures(sides, args.history.resolve(), args.commits, args.repeat, tmp)
                rows += history
        except (BenchError, OSError, subprocess.CalledProcessError) as exc:
            print(f"project_scope.py: error: {exc}", file=sys.stderr)
            return 2
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(baseline)],
                           capture_output=True)
    load = os.getloadavg()[0]
    print(f"Python {sys.version.split()[0]}, --jobs 1, load average {load:.2f}; CPU seconds (median of the warm runs;"
          f" with --history, of {args.repeat} runs of each)")
    names = [s.name for s in sides]
    print(f"{'figure':<44} {names[0]:>10} {names[1]:>12} {'ratio':>7}")
    for label, by_side in rows:
        a, b = by_side.get(names[0]), by_side.get(names[1])
        ratio = f"{a / b:.3f}" if a and b else "-"
        print(f"{label:<44} {a if a is not None else float('nan'):>10.3f} "
              f"{b if b is not None else float('nan'):>12.3f} {ratio:>7}")
    for name, ratio in ratios.items():
        print(f"{name}: a review {args.commits} commits later costs {ratio:.1%} of a cold one "
              f"(median of {args.repeat} back-to-back pairs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
