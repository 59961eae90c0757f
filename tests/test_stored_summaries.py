"""Summaries found in the cache stay there until a review looks into them (`summaries.StoredSummary`): a warm
review reads only the ones it needs, finds what a cold one finds, and a summary the cache can no longer give
back makes the review incomplete, never clean."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from secreview.api import review
from secreview.config import Config
from secreview.taint.summaries import StoredSummary

HELPERS = """import subprocess


def run(cmd):
    subprocess.run(cmd, shell=True)
"""
VIEW = """from flask import Flask, request

from helpers import run

app = Flask(__name__)


@app.route("/x")
def handler():
    run(request.args["c"])
"""
OTHER = """from helpers import run


def tidy(path):
    return path.strip()
"""


def project(root: Path) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (root / "helpers.py").write_text(HELPERS)
    (root / "view.py").write_text(VIEW)
    (root / "other.py").write_text(OTHER)
    return root


def found(report) -> list[tuple[str, int, str]]:
    return sorted((f.path, f.line, f.rule) for f in report.findings if f.rule == "SR104")


def test_a_warm_review_reads_only_the_summaries_it_looks_into(tmp_path, monkeypatch):
    root = project(tmp_path / "shop")
    config = Config(jobs=1, cache_dir=str(tmp_path / "cache"))
    cold = review(["."], config, cwd=root)
    assert found(cold) == [("view.py", 10, "SR104")]
    read: list[str] = []
    real = StoredSummary.read
    monkeypatch.setattr(StoredSummary, "read", lambda self: read.append(self.path) or real(self))
    assert found(review(["."], config, cwd=root)) == found(cold)
    assert read == []  # every result came from the cache: no summary was looked into
    (root / "view.py").write_text(VIEW + "\n# touched\n")
    assert found(review(["view.py"], config, cwd=root)) == [("view.py", 10, "SR104")]
    assert read == ["helpers.py"]  # the view's review looked into its helper, and only into it


def test_a_summary_the_cache_lost_makes_the_review_incomplete(tmp_path):
    root = project(tmp_path / "shop")
    cache = tmp_path / "cache"
    config = Config(jobs=1, cache_dir=str(cache))
    review(["."], config, cwd=root)
    with sqlite3.connect(cache / "results-v1.sqlite3") as db:  # the summary rows, not their descriptions
        db.execute("DELETE FROM summaries WHERE key NOT LIKE '%:%'")
    (root / "view.py").write_text(VIEW + "\n# touched\n")
    report = review(["view.py"], config, cwd=root)
    assert not report.complete
    assert found(report) == []
    assert any("could not be read back" in e.message and e.path == "view.py" for e in report.errors), report.errors
