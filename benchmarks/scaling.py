#!/usr/bin/env python3
"""Scaling benchmark: how a one-file review's cost grows with the file's size.

Usage: python benchmarks/scaling.py [--sizes 0.1,0.3,1,3,10] [--repeat N] [--timeout S] [--profile] [--json FILE]

Generates Python files of growing size (a Flask-style module: imports, handlers reading the request,
helpers, classes with methods, calls between them, loops, try/except, and real flows into
`subprocess.run(..., shell=True)`, `cursor.execute(f"...")` and `open(path)`), reviews each one with
`secreview scan FILE --no-cache --jobs 1 --format json` in a fresh child process, and prints CPU and wall
seconds, seconds per KLOC and findings per size, then the log-log slope of time against size (issue 12's
target: at most 1.1 from 0.1 to 10 MB). `--profile` adds a cProfile of the largest size. benchmarks/README.md
says what each figure means."""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scaling_code import generate, startup_module  # beside this script (its folder is on sys.path)

DEFAULT_SIZES = "0.1,0.3,1,3,10"  # megabytes (10**6 bytes)
SLOPE_TARGET = 1.1



class BenchError(Exception):
    """Anything that stops the benchmark: reported as one line, exit code 2."""


# -- timing --------------------------------------------------------------------------------------

def scan_command(path: Path, report: Path, max_size: int) -> list[str]:
    return [sys.executable, "-m", "secreview", "scan", str(path), "--no-cache", "--jobs", "1",
            "--max-file-size", str(max_size), "--format", "json", "--no-progress", "--output", str(report)]


def run_child(cmd: list[str], cwd: Path, timeout: float) -> dict:
    """Wall and CPU seconds (user + sys, from os.wait4) of one fresh child; None seconds if it timed out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECREVIEW_")}
    env["SECREVIEW_CACHE_DIR"] = str(cwd / "cache")  # --no-cache, but never touch the user's cache
    with tempfile.TemporaryFile("w+", errors="replace") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()  # our own child, by its pid
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                return {"seconds": None, "cpu": None, "code": None, "output": ""}
            time.sleep(0.02)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        return {"seconds": wall, "cpu": usage.ru_utime + usage.ru_stime, "code": proc.returncode,
                "output": out.read(), "rss_mb": usage.ru_maxrss / 1024}


def review(path: Path, tmp: Path, max_size: int, repeat: int, timeout: float) -> dict:
    """The fastest of `repeat` runs (CPU seconds), with its findings; {"timeout": True} if one timed out."""
    report = tmp / "report.json"
    best: dict | None = None
    for _ in range(repeat):
        report.unlink(missing_ok=True)
        run = run_child(scan_command(path, report, max_size), tmp, timeout)
        if run["cpu"] is None:
            return {"timeout": True}
        if not report.exists():
            raise BenchError(f"secreview exited {run['code']} without a report: {run['output'].strip()[-500:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
        if data["errors"]:
            raise BenchError(f"secreview could not review {path.name}: {data['errors'][0]}")
        run["findings"] = len(data["findings"])
        if best is None or run["cpu"] < best["cpu"]:
            best = run
    assert best is not None
    return {"timeout": False, "seconds": best["seconds"], "cpu": best["cpu"], "rss_mb": best["rss_mb"],
            "findings": best["findings"]}


def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) against log(x); None with fewer than two usable points."""
    logs = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(logs) < 2:
        return None
    mx = sum(x for x, _ in logs) / len(logs)
    my = sum(y for _, y in logs) / len(logs)
    var = sum((x - mx) ** 2 for x, _ in logs)
    return sum((x - mx) * (y - my) for x, y in logs) / var if var else None


def profile(path: Path, tmp: Path, max_size: int, top: int) -> None:
    """cProfile of one review of `path` in a child process; prints the top functions by cumulative
    time (what calls the cost) and by own time (where it is spent)."""
    stats_file, report = tmp / "scan.prof", tmp / "profiled.json"
    cmd = scan_command(path, report, max_size)
    cmd[1:1] = ["-m", "cProfile", "-o", str(stats_file)]  # its default clock: a CPU clock costs more than it
    # tells (a system call per event inflates the functions called most); shares barely move under load
    run = run_child(cmd, tmp, float("inf"))
    if not stats_file.exists():
        raise BenchError(f"the profiled run exited {run['code']} without a profile: {run['output'][-500:]}")
    for order in ("cumulative", "tottime"):
        print(f"\nprofile of the {path.stat().st_size:,}-byte file: top {top} by {order} "
              f"(CPU {run['cpu']:.1f} s under cProfile)")
        sys.stdout.flush()
        pstats.Stats(str(stats_file), stream=sys.stdout).sort_stats(order).print_stats(top)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted(int(float(s) * 1_000_000) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes takes megabytes separated by commas, not {text!r}") from None
    if not sizes or sizes[0] < 1000:
        raise argparse.ArgumentTypeError("--sizes: every size must be at least 0.001 MB")
    return sizes


def print_table(rows: list[dict], startup: dict) -> dict:
    head = (f"{'target MB':>9} {'bytes':>11} {'KLOC':>7} {'CPU s':>8} {'net s':>8} {'wall s':>8} "
            f"{'s/KLOC':>7} {'RSS MB':>6} {'findings':>8}")
    print(head + "\n" + "-" * len(head))
    print(f"{'start-up':>9} {startup['bytes']:>11,} {startup['lines'] / 1000:>7.2f} {startup['cpu']:>8.2f} "
          f"{'-':>8} {startup['seconds']:>8.2f} {'-':>7} {startup['rss_mb']:>6.0f} {startup['findings']:>8}")
    for r in rows:
        if r["timeout"]:
            print(f"{r['target'] / 1e6:>9g} {r['bytes']:>11,} {r['lines'] / 1000:>7.1f}   timed out")
            continue
        print(f"{r['target'] / 1e6:>9g} {r['bytes']:>11,} {r['lines'] / 1000:>7.1f} {r['cpu']:>8.2f} "
              f"{r['net']:>8.2f} {r['seconds']:>8.2f} {r['cpu'] / (r['lines'] / 1000):>7.3f} {r['rss_mb']:>6.0f} "
              f"{r['findings']:>8}")
    done = [r for r in rows if not r["timeout"]]
    slopes = {"cpu": slope([(r["bytes"], r["cpu"]) for r in done]),
              "net": slope([(r["bytes"], r["net"]) for r in done]),
              "steps": [{"from": a["target"], "to": b["target"], "cpu": slope([(a["bytes"], a["cpu"]),
                                                                                (b["bytes"], b["cpu"])]),
                         "net": slope([(a["bytes"], a["net"]), (b["bytes"], b["net"])])}
                        for a, b in zip(done, done[1:], strict=False)]}
    fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    print("\nlog-log slope of time against bytes (1.0 = linear; 2.0 = quadratic)")
    print(f"  least squares over all sizes: CPU s {fmt(slopes['cpu'])}, net of start-up {fmt(slopes['net'])}")
    for step in slopes["steps"]:
        print(f"  {step['from'] / 1e6:g} -> {step['to'] / 1e6:g} MB: CPU s {fmt(step['cpu'])}, "
              f"net {fmt(step['net'])}")
    judged = slopes["net"]
    if judged is not None:
        verdict = "met" if judged <= SLOPE_TARGET and len(done) == len(rows) else "NOT met"
        print(f"target: slope <= {SLOPE_TARGET} (net of start-up, all sizes): {verdict}")
    return slopes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time secreview on generated files of growing size.")
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes(DEFAULT_SIZES), metavar="MB,MB,...",
                        help=f"file sizes in megabytes (default: {DEFAULT_SIZES})")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="runs per size, the fastest (CPU) is kept (default: 1)")
    parser.add_argument("--timeout", type=float, default=900.0, metavar="S",
                        help="give up a size after S wall seconds; larger sizes are skipped (default: 900)")
    parser.add_argument("--profile", action="store_true", help="also profile the largest size (cProfile)")
    parser.add_argument("--top", type=int, default=25, metavar="N", help="profile lines to print (default: 25)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the generated files here and keep them")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.timeout <= 0 or args.top < 1:
        parser.error("--repeat and --top must be at least 1, --timeout above 0")
    try:
        with tempfile.TemporaryDirectory(prefix="secreview-scaling-") as tmp_name:
            tmp = Path(tmp_name)
            out_dir = args.keep or tmp
            out_dir.mkdir(parents=True, exist_ok=True)
            max_size = 2 * args.sizes[-1] + 1_000_000
            load = os.getloadavg()
            # The fixed cost: interpreter, imports, specs and the CWE catalog, and a report with findings
            # (one handler), so that the sizes' "net" seconds are what the size itself costs.
            tiny = out_dir / "scaling_startup.py"
            tiny.write_text(startup_module(), encoding="utf-8")
            startup = review(tiny, tmp, max_size, args.repeat, args.timeout)
            if startup["timeout"]:
                raise BenchError("the start-up run (a 1 KB file) timed out")
            startup.update(bytes=tiny.stat().st_size, lines=tiny.read_text().count("\n"))
            rows, files = [], []
            for target in args.sizes:
                path = out_dir / f"scaling_{target}.py"
                text = generate(target)
                path.write_text(text, encoding="utf-8")
                files.append(path)
                row = {"target": target, "bytes": len(text.encode()), "lines": text.count("\n")}
                skipped = bool(rows) and rows[-1]["timeout"]
                print(f"{'skipping' if skipped else 'reviewing'} {path.name} ({row['bytes']:,} bytes)",
                      file=sys.stderr)
                row.update({"timeout": True} if skipped else review(path, tmp, max_size, args.repeat, args.timeout))
                if not row["timeout"]:
                    row["net"] = max(row["cpu"] - startup["cpu"], 1e-3)
                rows.append(row)
            load = [round(x, 2) for x in (*load, *os.getloadavg())]
            print(f"\n{os.cpu_count()} CPUs, Python {platform.python_version()}, secreview --jobs 1 --no-cache; "
                  f"fastest CPU of {args.repeat} run(s) per size; load average (1/5/15 min) {load[:3]} before, "
                  f"{load[3:]} after\n")
            slopes = print_table(rows, startup)
            if args.profile:
                largest = [f for f, r in zip(files, rows, strict=True) if not r["timeout"]]
                if not largest:
                    raise BenchError("no size finished in time: nothing to profile")
                profile(largest[-1], tmp, max_size, args.top)
            if args.json:
                now = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
                args.json.write_text(json.dumps({
                    "date": now, "cpu_count": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "repeat": args.repeat, "load_average_before_after": load,
                    "startup": startup, "sizes": rows, "slopes": slopes, "target": SLOPE_TARGET,
                }, indent=2) + "\n", encoding="utf-8")
    except (BenchError, OSError, KeyboardInterrupt) as exc:  # one line, not a traceback
        print(f"scaling.py: error: {str(exc) or 'interrupted'}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
