from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    if not (SEEDS / "test_bug_1718455.py").is_file():
        pytest.skip(f"seed documents not present at {SEEDS} (they live in the shared folder beside the repo)")
    return SEEDS


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    # Reviews in tests must never read or write the user's real cache.
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def pytest_addoption(parser):
    # tests/test_snapshots.py: rewrite tests/snapshots/ from the current reviews instead of comparing with them
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="regenerate tests/snapshots/ from the fixtures (review the git diff afterwards)")
