#!/usr/bin/env python3
"""Start-up benchmark: how long secreview takes to answer when there is almost nothing to review.

Usage: python benchmarks/startup.py [--repeat 10] [--baseline-ref main | --baseline-python PATH] [--json FILE]

Times, each in a fresh process: `python -c pass` (the floor), `secreview --version`, `secreview rules`,
and `secreview scan ONE_FILE` cold (an empty cache directory) and warm (the result cached by an untimed
run). With a baseline (a git revision checked out in a temporary worktree, or another interpreter that
has secreview installed) both are timed side by side in the same rounds. benchmarks/README.md says what
each figure means."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# What the `secreview` console script runs; `-c` keeps the secreview found on PYTHONPATH in charge.
ENTRY = "import sys; from secreview.cli import main; sys.exit(main())"
# The file every scan reviews: one finding (SR101), so a scan exits 1 on both sides.
ONE_FILE = 'import os\n\n\ndef list_directory(name):\n    return os.system("ls " + name)\n'
COMMANDS = ("python -c pass", "--version", "rules", "scan cold", "scan warm")
EXPECTED_EXIT = {"python -c pass": 0, "--version": 0, "rules": 0, "scan cold": 1, "scan warm": 1}
TARGETS = {"--version": 0.15, "scan warm": 0.3}  # issue 12, point 6: median wall seconds


class BenchError(Exception):
    """Anything that stops the benchmark: reported as one line, exit code 2."""


class Side:
    """One secreview to time: an interpreter, and the source tree put first on its path (None: the
    interpreter's own installed secreview)."""

    def __init__(self, name: str, python: str, src: Path | None, tmp: Path) -> None:
        self.name, self.python, self.src = name, python, src
        self.warm_cache = tmp / f"cache-{name}"  # kept between runs: the warm scan's result is there
        self.scratch = tmp / f"scratch-{name}"  # a fresh cache directory for each cold scan goes in here
        self.scratch.mkdir()

    def command(self, which: str, target: Path) -> tuple[list[str], Path | None]:
        """The command line and the cache directory of one run (None: the command needs none)."""
        if which == "python -c pass":
            return [self.python, "-c", "pass"], None
        if which == "--version":
            return [self.python, "-c", ENTRY, "--version"], self.warm_cache
        if which == "rules":
            return [self.python, "-c", ENTRY, "rules"], self.warm_cache
        cache = Path(tempfile.mkdtemp(dir=self.scratch)) if which == "scan cold" else self.warm_cache
        return [self.python, "-c", ENTRY, "scan", str(target)], cache


def run_child(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system of the child, from os.wait4: it barely moves when other
    jobs load the machine, wall time does), exit code and output of one fresh process."""
    with tempfile.TemporaryFile("w+", errors="replace") as out:  # a file, not a pipe: cannot fill and block
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, proc.returncode, out.read()


def child_env(side: Side, pycache: Path, cache: Path | None) -> dict[str, str]:
    """The environment of every child: no SECREVIEW_* setting of the caller, bytecode cached in
    `pycache` as an installed package has it (this machine sets PYTHONDONTWRITEBYTECODE, which would
    compile every module again on every start), and this side's source tree first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECREVIEW_")
           and k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONPYCACHEPREFIX")}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["CI"] = "1"  # no progress bar, whatever the caller's terminal
    if side.src is not None:
        env["PYTHONPATH"] = str(side.src)
    if cache is not None:
        env["SECREVIEW_CACHE_DIR"] = str(cache)
    return env


def measure(sides: list[Side], repeat: int, tmp: Path) -> dict[str, dict[str, dict]]:
    """rows[command][side] = the runs and their medians. One untimed round first (bytecode compiled,
    the OS file cache and the warm result cache filled); then each round runs every command on every
    side in turn, so that a slow moment of the machine is shared rather than charged to one of them."""
    target = tmp / "work" / "one_file.py"
    target.parent.mkdir()
    target.write_text(ONE_FILE, encoding="utf-8")
    pycache = tmp / "pycache"
    runs: dict[str, dict[str, list[tuple[float, float]]]] = {c: {s.name: [] for s in sides} for c in COMMANDS}
    for round_number in range(repeat + 1):
        for which in COMMANDS:
            for side in sides:
                cmd, cache = side.command(which, target)
                wall, cpu, code, output = run_child(cmd, child_env(side, pycache, cache), target.parent)
                if code != EXPECTED_EXIT[which]:
                    last = (output.strip().splitlines() or ["(no output)"])[-1]
                    raise BenchError(f"{side.name}: `{which}` exited {code}, not {EXPECTED_EXIT[which]}: {last}")
                if round_number:
                    runs[which][side.name].append((wall, cpu))
    rows: dict[str, dict[str, dict]] = {}
    for which, by_side in runs.items():
        rows[which] = {}
        for name, timed in by_side.items():
            walls, cpus = [w for w, _ in timed], [c for _, c in timed]
            rows[which][name] = {"median": statistics.median(walls), "min": min(walls),
                                 "cpu_median": statistics.median(cpus), "cpu_min": min(cpus),
                                 "runs": [{"seconds": w, "cpu": c} for w, c in timed]}
    return rows


def print_table(rows: dict[str, dict[str, dict]], sides: list[Side]) -> None:
    print(f"{'command':<16}{'side':<12}{'median s':>9}{'min s':>8}{'CPU s':>8}{'min CPU':>8}")
    print("-" * 61)
    for which, by_side in rows.items():
        for name, row in by_side.items():
            print(f"{which:<16}{name:<12}{row['median']:>9.3f}{row['min']:>8.3f}{row['cpu_median']:>8.3f}"
                  f"{row['cpu_min']:>8.3f}")
    if len(sides) == 2:
        current, baseline = sides[0].name, sides[1].name
        print(f"\n{baseline} / {current}       wall    CPU")
        for which in COMMANDS[1:]:
            a, b = rows[which][current], rows[which][baseline]
            print(f"{which:<24}{b['median'] / a['median']:>6.2f}x{b['cpu_median'] / a['cpu_median']:>6.2f}x")
    print()
    for which, limit in TARGETS.items():
        row = rows[which][sides[0].name]
        wall, cpu = row["median"], row["cpu_median"]
        verdict = "met" if wall <= limit else "met by CPU s" if cpu <= limit else "not met"
        print(f"{sides[0].name} {which}: median {wall:.3f} s wall, {cpu:.3f} s CPU [target <= {limit} s: {verdict}]")


def checkout(ref: str, where: Path) -> Path:
    """A detached git worktree of `ref` at `where` (removed by `remove_checkout`)."""
    result = subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(where), ref],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"cannot check out {ref!r}: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    return where / "src"


def remove_checkout(where: Path) -> None:
    subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(where)], capture_output=True)


def report(args: argparse.Namespace, sides: list[Side], tmp: Path) -> None:
    load = os.getloadavg()  # other jobs on the machine inflate wall times: record how busy it was
    rows = measure(sides, args.repeat, tmp)
    load = (*load, *os.getloadavg())
    print(f"\n{os.cpu_count()} CPUs, Python {platform.python_version()}; median of {args.repeat} after "
          f"1 warm-up; load average (1/5/15 min) {[round(x, 2) for x in load[:3]]} before, "
          f"{[round(x, 2) for x in load[3:]]} after\n")
    print_table(rows, sides)
    if args.json:
        now = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        args.json.write_text(json.dumps({
            "date": now, "cpu_count": os.cpu_count(), "python": platform.python_version(),
            "repeat": args.repeat, "load_average_before_after": load,
            "sides": {s.name: {"python": s.python, "src": str(s.src) if s.src else None} for s in sides},
            "commands": rows}, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time secreview's start-up: --version, rules, a one-file scan.")
    parser.add_argument("--repeat", type=int, default=10, metavar="N", help="timed runs per command (default: 10)")
    baseline = parser.add_mutually_exclusive_group()
    baseline.add_argument("--baseline-ref", metavar="REF", help="also time this git revision (e.g. main), side by side")
    baseline.add_argument("--baseline-python", metavar="PATH",
                          help="also time the secreview installed for this interpreter, side by side")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        with tempfile.TemporaryDirectory(prefix="secreview-startup-") as tmp_name:
            tmp = Path(tmp_name)
            sides = [Side("current", sys.executable, REPO / "src", tmp)]
            if args.baseline_python:
                sides.append(Side("baseline", args.baseline_python, None, tmp))
            if not args.baseline_ref:
                report(args, sides, tmp)
                return 0
            worktree = tmp / "baseline"
            sides.append(Side(args.baseline_ref[:11], sys.executable, checkout(args.baseline_ref, worktree), tmp))
            try:
                report(args, sides, tmp)
            finally:
                remove_checkout(worktree)
    except (BenchError, OSError, KeyboardInterrupt) as exc:  # one line, not a traceback
        print(f"startup.py: error: {str(exc) or 'interrupted'}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
