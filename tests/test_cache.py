"""The result cache: an unchanged file is not reviewed again, a changed one is, and a
broken cache never breaks a review."""

from __future__ import annotations

import pytest

from secreview import api
from secreview.api import review
from secreview.config import Config

VULN = 'import os\n\ndef f(x):\n    os.system("ls " + x)\n'


def _tree(tmp_path):
    (tmp_path / "a.py").write_text(VULN)
    (tmp_path / "b.py").write_text("x = 1\n")
    (tmp_path / "bad.py").write_text("def f(:\n")
    return tmp_path


def test_warm_run_reuses_results_and_matches_cold(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    config = Config(jobs=1, cache_dir=str(tmp_path / "cache"))
    cold = review([str(root)], config, cwd=root)

    def no_review(*args, **kwargs):
        raise AssertionError("an unchanged file was reviewed again")

    monkeypatch.setattr(api, "review_bytes", no_review)
    warm = review([str(root)], config, cwd=root)
    assert (warm.findings, warm.errors, warm.stats.reviewed) == (cold.findings, cold.errors, cold.stats.reviewed)
    assert [(f.path, f.line) for f in warm.findings] == [("a.py", 4)]
    assert [(e.path, e.kind) for e in warm.errors] == [("bad.py", "syntax")]


def test_changed_file_is_reviewed_again(tmp_path):
    root = _tree(tmp_path)
    config = Config(jobs=1, cache_dir=str(tmp_path / "cache"))
    review([str(root)], config, cwd=root)
    (root / "b.py").write_text('import os\nos.popen("cat " + y)\n')
    report = review([str(root)], config, cwd=root)
    assert [(f.path, f.line) for f in report.findings] == [("a.py", 4), ("b.py", 2)]


def test_no_cache_writes_nothing(tmp_path):
    root = _tree(tmp_path)
    review([str(root)], Config(jobs=1, cache=False, cache_dir=str(tmp_path / "cache")), cwd=root)
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("garbage", [b"this is not a database", b""])
def test_corrupt_cache_is_ignored(tmp_path, garbage):
    root = _tree(tmp_path)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "results-v1.sqlite3").write_bytes(garbage)
    report = review([str(root)], Config(jobs=1, cache_dir=str(tmp_path / "cache")), cwd=root)
    assert [(f.path, f.line) for f in report.findings] == [("a.py", 4)]


def test_internal_errors_are_not_cached(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    config = Config(jobs=1, cache_dir=str(tmp_path / "cache"), select=("SR101",))
    rule = next(r for r in api.active_rules(config))
    broken = type(rule)(rule.meta, rule.nodes, lambda node, ctx: 1 / 0, rule.doc, rule.module, rule.sections)
    monkeypatch.setattr(api, "active_rules", lambda config: (broken,))
    first = review([str(root)], config, cwd=root)
    assert {e.kind for e in first.errors} == {"internal", "syntax"}
    monkeypatch.undo()
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "unused"))
    second = review([str(root)], config, cwd=root)
    assert [(f.path, f.line) for f in second.findings] == [("a.py", 4)]
