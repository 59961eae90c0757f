#!/usr/bin/env python3
"""Speed benchmark: secreview against Bandit and the CPython parse floor on a large real project.

Usage: python benchmarks/speed.py [--project Django==5.1.4] [--repeat 3] [--workdir DIR] [--json FILE]
Downloads the sdist with pip once (cached), installs Bandit if missing, and times every tool on the
same tree in one run. benchmarks/README.md says what each figure means."""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from importlib import metadata, util
from pathlib import Path

DEFAULT_PROJECT = "Django==5.1.4"
# Tried in order only when the default cannot be had for a reason other than the network (e.g. yanked).
FALLBACKS = ("Django==5.1.3", "Django==5.0.10")
# How pip's output reads when the index cannot be reached at all, as opposed to "no such version".
NETWORK_SIGNS = ("NewConnectionError", "Failed to establish", "Name or service not known", "name resolution",
                 "ConnectTimeout", "ProxyError", "SSLError", "Network is unreachable", "ReadTimeoutError")

TOOLS = ("parse floor", "secreview 1 core", "secreview all cores", "bandit", "secreview warm 1 core",
         "secreview no taint 1 core")


class BenchError(Exception):
    """Anything that stops the benchmark: reported as one line, exit code 2."""


def pip(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--no-input", "--retries", "1"]
    return subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def pip_failure(what: str, result: subprocess.CompletedProcess) -> BenchError:
    text = result.stderr + result.stdout  # below: pip's "ERROR: ..." verdict, else its last words
    last = ([ln for ln in text.splitlines() if ln.startswith("ERROR")] or text.splitlines() or ["?"])[-1]
    if any(sign in text for sign in NETWORK_SIGNS):
        return BenchError(f"cannot reach the package index to {what} (no network?): {last}")
    return BenchError(f"pip could not {what}: {last}")


def fetch(spec: str, workdir: Path) -> Path:
    """The extracted sdist tree for NAME==VERSION, downloading and extracting only what is not cached."""
    slug = spec.replace("==", "-")
    tree, downloads = workdir / "src" / slug, workdir / "sdist" / slug
    if not tree.is_dir():  # it only appears, by rename, once fully extracted
        archives = sorted(downloads.glob("*.tar.gz"))
        if not archives:
            print(f"downloading the {spec} sdist with pip into {downloads} ...", file=sys.stderr)
            # --no-binary :all: forces the sdist: a wheel would lack the tests, most of the files.
            result = pip("download", "--no-deps", "--no-binary", ":all:", spec, "-d", str(downloads))
            archives = sorted(downloads.glob("*.tar.gz"))
            if result.returncode != 0 or not archives:
                raise pip_failure(f"download {spec}", result)
        partial = tree.with_name(slug + ".partial")
        shutil.rmtree(partial, ignore_errors=True)  # left over from an interrupted run
        # The "data" filter (3.12+, 3.11.4+) refuses absolute paths, links out of the tree and devices.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        with tarfile.open(archives[0]) as tf:
            tf.extractall(partial, **safe)
        partial.rename(tree)
    children = list(tree.iterdir())  # sdists hold one top folder (Django-5.1.4/): scan that
    return children[0] if len(children) == 1 and children[0].is_dir() else tree


def obtain(project: str, workdir: Path) -> tuple[str, Path]:
    specs = [project, *(FALLBACKS if project == DEFAULT_PROJECT else ())]
    for spec in specs[:-1]:
        try:
            return spec, fetch(spec, workdir)
        except BenchError as exc:
            if "no network" in str(exc):  # no other version will download either
                raise
            print(f"{exc}; trying the next version", file=sys.stderr)
    return specs[-1], fetch(specs[-1], workdir)


def ensure_bandit() -> str:
    if util.find_spec("bandit") is None:
        print("bandit is not installed: running pip install bandit ...", file=sys.stderr)
        result = pip("install", "bandit")
        if result.returncode != 0:
            raise pip_failure("install bandit", result)
    return metadata.version("bandit")


def parse_floor(tree: Path) -> dict:
    """Child-process mode: read + ast.parse every file secreview would review, on one core, timed here
    so that interpreter start-up is left out: the least any AST-based tool must pay."""
    try:  # the same file list secreview reviews, so the two figures are comparable
        from secreview.source import discover
        files = [f.path for f in discover([str(tree)], cwd=tree)[0]]
    except Exception:  # secreview's internals moved: every .py file is close enough
        files = sorted(tree.rglob("*.py"))
    failed = []
    warnings.simplefilter("ignore")  # SyntaxWarnings (bad escapes) would bury the result line
    wall, cpu = time.perf_counter(), time.process_time()
    for path in files:
        try:
            ast.parse(path.read_bytes(), filename=str(path))  # bytes: the parser honours coding cookies
        except (SyntaxError, ValueError, OSError):
            failed.append(str(path))
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "files": len(files),
            "findings": None, "errors": failed}


def run_child(cmd: list[str], cwd: Path, env: dict) -> tuple[dict, int, str]:
    """Wall seconds, CPU seconds, peak RSS (MB), exit code and output of one fresh child process.
    os.wait4 gives this child's own rusage: CPU time (user + sys, workers included) barely moves when other
    jobs load the machine, wall time does. On Linux ru_maxrss (KiB) is that of the child's largest process
    (itself or a worker it waited for), not their sum."""
    with tempfile.TemporaryFile("w+", errors="replace") as out:  # a file, not a pipe: cannot fill and block
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        _, status, usage = os.wait4(proc.pid, 0)
        run = {"seconds": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
               "rss_mb": usage.ru_maxrss / 1024}
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        return run, proc.returncode, out.read()


def read_report(name: str, path: Path) -> dict:
    report = json.loads(path.read_text(encoding="utf-8"))
    if name == "bandit":  # "metrics" holds one entry per file plus "_totals"
        return {"files": len(report["metrics"]) - 1, "findings": len(report["results"]),
                "errors": report["errors"]}
    return {"files": report["stats"]["files"], "rules": report["stats"]["rules"],
            "findings": len(report["findings"]), "errors": report["errors"]}


def taint_rule_codes() -> list[str]:
    """The rules with a taint part (secreview/taint/README.md): ignoring them all gives the rules-only time.
    Nine of them also keep a pattern part, whose (small) cost is then charged to taint too."""
    from secreview.ruleset import load_rules, taint_rules

    return [r.meta.code for r in taint_rules(load_rules())]


def measure(tree: Path, repeat: int, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECREVIEW_")}  # default settings only
    reports = {name: tmp / f"{i}.json" for i, name in enumerate(TOOLS)}
    # --allow-incomplete: Django holds a file that does not parse on purpose; the errors column counts it
    sr = [sys.executable, "-m", "secreview", "scan", str(tree), "--format=json", "--no-progress", "--allow-incomplete",
          "--output"]
    tools = {  # secreview's default --jobs is every core; cold runs bypass the result cache
        "parse floor": [sys.executable, os.path.abspath(__file__), "--parse-floor", str(tree)],
        "secreview 1 core": [*sr, str(reports["secreview 1 core"]), "--jobs", "1", "--no-cache"],
        "secreview all cores": [*sr, str(reports["secreview all cores"]), "--no-cache"],
        "bandit": [sys.executable, "-m", "bandit", "-r", str(tree), "-f", "json", "-q", "-o",
                   str(reports["bandit"])],
        # an unchanged re-review: the warm-up round fills this private cache, timed rounds reuse it
        "secreview warm 1 core": [*sr, str(reports["secreview warm 1 core"]), "--jobs", "1"],
        # the rules alone: every rule with a taint part ignored, so the taint engine never runs
        "secreview no taint 1 core": [*sr, str(reports["secreview no taint 1 core"]), "--jobs", "1", "--no-cache",
                                      "--ignore", ",".join(taint_rule_codes())],
    }
    warm_env = {**env, "SECREVIEW_CACHE_DIR": str(tmp / "cache")}
    runs: dict[str, list[dict]] = {name: [] for name in tools}
    # Round 0 is the warm-up (fills the OS file cache); runs interleave so drift (thermal, other jobs
    # on the machine) spreads over every tool instead of landing on one.
    for round_ in range(repeat + 1):
        for name, cmd in tools.items():
            print(f"{f'run {round_}/{repeat}' if round_ else 'warm-up'}: {name}", file=sys.stderr)
            reports[name].unlink(missing_ok=True)  # never read a previous run's report
            run, code, output = run_child(cmd, tree, warm_env if name.startswith("secreview warm") else env)
            if name == "parse floor":
                if code != 0:
                    raise BenchError(f"parse floor failed: {output.strip()[-500:]}")
                run.update(json.loads(output.strip().splitlines()[-1]))  # its own timer skips start-up
            elif not reports[name].exists() or (code == 2 and name != "bandit"):  # bandit's code: no meaning
                raise BenchError(f"{name} exited {code} without a report: {output.strip()[-500:]}")
            else:
                run.update(read_report(name, reports[name]))
            if round_:
                runs[name].append(run)
    rows = {}
    for name, rs in runs.items():
        last, med = rs[-1], statistics.median(r["seconds"] for r in rs)
        rows[name] = {"files": last["files"], "median": med, "min": min(r["seconds"] for r in rs),
                      "cpu": statistics.median(r["cpu"] for r in rs), "files_per_s": last["files"] / med,
                      "rss_mb": max(r["rss_mb"] for r in rs), "findings": last["findings"],
                      "errors": len(last["errors"]), "runs": rs}
    return rows


def print_table(rows: dict, ratio: dict) -> None:
    head = (f"{'tool':<25} {'files':>5} {'median s':>8} {'min s':>7} {'CPU s':>7} {'files/s':>7} "
            f"{'RSS MB':>6} {'findings':>8} {'errors':>6}")
    print(head + "\n" + "-" * len(head))
    for name, r in rows.items():
        findings = "-" if r["findings"] is None else r["findings"]
        print(f"{name:<25} {r['files']:>5} {r['median']:>8.2f} {r['min']:>7.2f} {r['cpu']:>7.2f} "
              f"{r['files_per_s']:>7.0f} {r['rss_mb']:>6.0f} {findings:>8} {r['errors']:>6}")
    print("\n" + "\n".join(f"{label:<34} {value:6.2f}x" for label, value in ratio.items()))
    taint_cost(rows)
    sr = [r for name, r in rows.items() if name.startswith("secreview") and "no taint" not in name]
    seen = sorted({(run["rules"], run["findings"]) for r in sr for run in r["runs"]})
    if len(seen) > 1:  # the two modes must agree; rules added mid-run (shared checkout) also show here
        print(f"\nwarning: secreview runs disagree, (rules, findings) seen: {seen}")
    errors = sr[0]["runs"][-1]["errors"]
    if errors:
        print(f"\nsecreview reported {len(errors)} file error(s):")
        print("\n".join(f"  {e.get('path')} [{e.get('kind')}] {e.get('message')}" for e in errors[:20]))


TAINT_TIME_TARGET = 100.0  # percent of the rules-only time (issue 3)
TAINT_RSS_TARGET_MB = 1024.0


def taint_cost(rows: dict) -> None:
    """What the taint rules (project phase + per-file flows) add to the rules alone, on one core."""
    with_taint, without = rows["secreview 1 core"], rows["secreview no taint 1 core"]
    wall = 100.0 * (with_taint["median"] - without["median"]) / without["median"]
    cpu = 100.0 * (with_taint["cpu"] - without["cpu"]) / without["cpu"]
    rss = max(with_taint["rss_mb"], rows["secreview all cores"]["rss_mb"])
    print(f"\ntaint adds {wall:.0f}% to the rules-only time (wall, 1 core; {cpu:.0f}% in CPU s) "
          f"[target <= {TAINT_TIME_TARGET:.0f}%: {'met' if cpu <= TAINT_TIME_TARGET else 'NOT met'} by CPU s]")
    print(f"peak RSS with taint {rss:.0f} MB (largest single process), rules only {without['rss_mb']:.0f} MB "
          f"[target < {TAINT_RSS_TARGET_MB:.0f} MB: {'met' if rss < TAINT_RSS_TARGET_MB else 'NOT met'}]")
    print(f"findings: {with_taint['findings']} with taint, {without['findings']} rules only")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time secreview against Bandit and the ast.parse floor.")
    parser.add_argument("--project", default=DEFAULT_PROJECT, metavar="NAME==VERSION",
                        help=f"the PyPI sdist to scan (default: {DEFAULT_PROJECT})")
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "secreview-bench",
                        help="where sdists are downloaded and extracted (default: ~/.cache/secreview-bench)")
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="timed runs per tool (default: 3)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON here")
    parser.add_argument("--parse-floor", type=Path, help=argparse.SUPPRESS)  # internal: the child mode
    args = parser.parse_args(argv)
    if args.parse_floor:
        print(json.dumps(parse_floor(args.parse_floor)))
        return 0
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.!+_-]+", args.project):
        parser.error(f"--project must read NAME==VERSION, not {args.project!r}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        spec, tree = obtain(args.project, args.workdir.expanduser())
        bandit_version = ensure_bandit()
        load = os.getloadavg()  # other jobs on the machine inflate wall times: record how busy it was
        with tempfile.TemporaryDirectory(prefix="secreview-bench-") as tmp:
            rows = measure(tree, args.repeat, Path(tmp))
        load = [round(x, 2) for x in (*load, *os.getloadavg())]
        floor, one, every, bandit, warm, no_taint = (rows[name]["median"] for name in TOOLS)
        ratio = {"bandit / secreview 1 core": bandit / one, "bandit / secreview all cores": bandit / every,
                 "secreview 1 core / parse floor": one / floor, "secreview warm / cold (1 core)": warm / one,
                 "secreview 1 core / no taint": one / no_taint}
        print(f"\n{spec}: {tree}\n{os.cpu_count()} CPUs, Python {platform.python_version()}, bandit "
              f"{bandit_version}; median of {args.repeat} after 1 warm-up; load average (1/5/15 min) "
              f"{load[:3]} before, {load[3:]} after\n")
        print_table(rows, ratio)
        if args.json:
            now = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
            args.json.write_text(json.dumps({
                "date": now, "project": spec, "tree": str(tree), "cpu_count": os.cpu_count(),
                "python": platform.python_version(), "platform": platform.platform(),
                "bandit": bandit_version, "repeat": args.repeat, "load_average_before_after": load,
                "tools": rows, "ratios": ratio,
            }, indent=2) + "\n", encoding="utf-8")
    except (BenchError, OSError, tarfile.TarError, KeyboardInterrupt) as exc:  # one line, not a traceback
        print(f"speed.py: error: {str(exc) or 'interrupted'}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
