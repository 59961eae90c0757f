#!/usr/bin/env python3
"""Change-review speed: `secreview diff` on a one-file change in a large git repository, cold and warm.

Usage: python benchmarks/diff_speed.py [--project Django==5.1.4] [--repeat 5] [--workdir DIR] [--no-scan]
Gets the project's sdist as benchmarks/speed.py does (same cache), commits its files to a fresh git
repository in a temporary directory, reviews the whole tree once with `secreview scan` (which fills a
private result cache), changes one file, and times `secreview diff` with an empty cache (cold) and
again with the cache the first run filled (warm). benchmarks/README.md says what each figure means."""

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
from speed import DEFAULT_PROJECT, BenchError, obtain  # noqa: E402  (the sibling script, not a package)

# A function whose flaw every secreview version flags (unsafe-yaml-load), appended to the changed file.
ADDED = "\n\ndef _diff_speed_probe(data):\n    import yaml\n    return yaml.load(data)\n"
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.invalid", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


def build_repo(tree: Path, repo: Path) -> int:
    """Copy the project into a new repository with one commit; returns the number of Python files."""
    shutil.copytree(tree, repo, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "import")
    return sum(1 for _ in repo.rglob("*.py"))


def pick_file(repo: Path) -> Path:
    """A typical, mid-sized module: the median-sized .py file outside tests."""
    files = sorted((p for p in repo.rglob("*.py") if "tests" not in p.parts), key=lambda p: p.stat().st_size)
    return files[len(files) // 2]


def timed(cmd: list[str], cwd: Path, cache: Path) -> tuple[float, float, dict]:
    """Wall seconds, CPU seconds (user + system of the child and its workers) and the JSON report."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECREVIEW_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["SECREVIEW_CACHE_DIR"] = str(cache)
    # Compiled bytecode as an installed package has it, kept out of the source tree.
    env["PYTHONPYCACHEPREFIX"] = str(cache.parent / "pycache")
    out = cwd.parent / "report.json"
    out.unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # --allow-incomplete: a tree may hold a file that does not parse on purpose (Django does); timing goes on
    result = subprocess.run([*cmd, "--format", "json", "--allow-incomplete", "--output", str(out)], cwd=cwd, env=env,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode not in (0, 1) or not out.is_file():  # a crash also exits 1: check the report exists
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BenchError(f"{' '.join(cmd[2:])} failed (exit code {result.returncode}): {last}")
    return seconds, cpu, json.loads(out.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default=DEFAULT_PROJECT, metavar="NAME==VERSION")
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "secreview-bench",
                        help="where speed.py keeps downloaded sdists (shared with it)")
    parser.add_argument("--repeat", type=int, default=5, metavar="N", help="warm runs per mode (default: 5)")
    parser.add_argument("--no-scan", dest="scan", action="store_false",
                        help="skip the full scan (no ratio; the warm runs then rely on the first diff run)")
    args = parser.parse_args()
    sr = [sys.executable, "-m", "secreview"]
    try:
        spec, tree = obtain(args.project, args.workdir.expanduser())
        with tempfile.TemporaryDirectory(prefix="secreview-diff-speed-") as tmp:
            repo = Path(tmp) / "repo"
            count = build_repo(tree, repo)
            caches = Path(tmp) / "caches"
            scan_s = scan_cpu = None
            if args.scan:
                scan_s, scan_cpu, scan = timed([*sr, "scan", ".", "--no-progress"], repo, caches / "shared")
                print(f"full scan: {scan['stats']['files']} files in {scan_s:.2f} s (fills the warm cache)",
                      file=sys.stderr)
            target = pick_file(repo)
            target.write_text(target.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
            rel = target.relative_to(repo).as_posix()
            rows = []
            for label, extra, commit in (("working tree vs HEAD", [], False), ("--new-only", ["--new-only"], False),
                                         ("HEAD~1..HEAD", ["HEAD~1..HEAD"], True)):
                if commit:
                    git(repo, "commit", "-q", "-am", "change one file")
                cmd = [*sr, "diff", *extra]
                cold_s, cold_cpu, report = timed(cmd, repo, caches / f"cold-{len(rows)}")  # an empty cache
                timed(cmd, repo, caches / "shared")  # the first run with the shared cache fills it for this file
                warm = [timed(cmd, repo, caches / "shared")[:2] for _ in range(args.repeat)]
                found = [(f["path"], f["line"], f["rule"]) for f in report["findings"]]
                rows.append((label, cold_s, cold_cpu, statistics.median(w for w, _ in warm), min(w for w, _ in warm),
                             statistics.median(c for _, c in warm), found))
    except (BenchError, OSError, subprocess.CalledProcessError, ValueError, KeyboardInterrupt) as exc:
        print(f"diff_speed.py: error: {str(exc) or 'interrupted'}", file=sys.stderr)
        return 2
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{spec}: {count} Python files in a fresh git repository; changed: {rel} (+{ADDED.count(chr(10))} lines)")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.2f}, {args.repeat} warm runs")
    print(f"{'mode':<22} {'cold s':>7} {'cold CPU':>8} {'warm s':>7} {'warm min':>8} {'warm CPU':>8} "
          f"{'warm/full':>9}  findings")
    for label, cold_s, cold_cpu, warm_s, warm_min, warm_cpu, found in rows:
        ratio = f"{warm_s / scan_s:.4f}" if scan_s else "-"
        shown = ", ".join(f"{p}:{n} {r}" for p, n, r in found) or "none"
        print(f"{label:<22} {cold_s:>7.3f} {cold_cpu:>8.3f} {warm_s:>7.3f} {warm_min:>8.3f} {warm_cpu:>8.3f} "
              f"{ratio:>9}  {shown}")
    if scan_s:
        print(f"{'full scan (all cores)':<22} {scan_s:>7.3f} {scan_cpu:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
