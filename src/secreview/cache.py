"""A persistent cache of per-file review results, so an unchanged file is not parsed again.

Key: the file's path and content hash, the selected rules, and a signature of
secreview's own source code (any change to a rule or the engine invalidates
everything). Values are JSON, never pickle: a cache file is data we read back, and
a security tool must not execute what it finds on disk. A cache that cannot be
opened or read is treated as empty; the review never depends on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import asdict
from functools import cache
from pathlib import Path

from secreview.engine import FileResult
from secreview.model import FileError
from secreview.report.json import finding_from_dict, suppression_from_dict

# Errors that follow from the content alone are cached; reading problems and internal
# failures are not (they may not happen next time).
_CACHEABLE_ERRORS = frozenset({"syntax", "decode", "nul-bytes"})
# The table of the taint project phase: a module's summary keyed by the texts of its import
# closure (secreview/taint/project.py).
_JSON_TABLES = ("summaries",)


def default_dir() -> Path:
    override = os.environ.get("SECREVIEW_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("secreview"))


@cache
def code_signature() -> str:
    """A hash of every Python source of the secreview package (rules, analysis, engine) and of the
    taint specs (TOML data: a new sink changes results as much as code does)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*root.rglob("*.py"), *root.glob("taint/specs/*.toml")]):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def file_key(display: str, data: bytes, rule_codes: tuple[str, ...], depends: str = "") -> str:
    """`depends`: a hash of what else the result depends on (the taint summaries of the
    project modules the file imports), so a change there invalidates this file only."""
    parts = [code_signature(), ",".join(rule_codes), display, hashlib.sha256(data).hexdigest(), depends]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class ResultCache:
    def __init__(self, directory: Path):
        self.path = directory / "results-v1.sqlite3"
        self._db: sqlite3.Connection | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=5)
            self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            for table in _JSON_TABLES:
                self._db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        except (OSError, sqlite3.Error):
            self.close()  # unusable (read-only home, corrupt file): review without a cache

    def get(self, key: str) -> FileResult | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            return _decode(json.loads(row[0])) if row else None
        except (sqlite3.Error, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, result: FileResult) -> None:
        if self._db is None or any(e.kind not in _CACHEABLE_ERRORS for e in result.errors):
            return
        try:
            self._db.execute("INSERT OR REPLACE INTO results VALUES (?, ?)", (key, json.dumps(_encode(result))))
        except sqlite3.Error:
            return

    def get_json(self, table: str, key: str) -> object | None:
        """A stored JSON value of the project phase (taint summaries, import lists), or None."""
        if self._db is None or table not in _JSON_TABLES:
            return None
        try:
            row = self._db.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
            return json.loads(row[0]) if row else None
        except (sqlite3.Error, ValueError):
            return None

    def put_json(self, table: str, key: str, value: object) -> None:
        if self._db is None or table not in _JSON_TABLES:
            return
        try:
            self._db.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", (key, json.dumps(value)))
        except (sqlite3.Error, TypeError, ValueError):
            return

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.commit()
                self._db.close()
            except sqlite3.Error:
                pass
        self._db = None


def _encode(result: FileResult) -> dict:
    return {
        "path": result.path, "lines": result.lines, "reviewed": result.reviewed, "suppressed": result.suppressed,
        "findings": [asdict(f) for f in result.findings], "errors": [asdict(e) for e in result.errors],
        "unused": [asdict(s) for s in result.unused_suppressions],
    }


def _decode(data: dict) -> FileResult:
    findings = [finding_from_dict(item) for item in data["findings"]]
    unused = [suppression_from_dict(s) for s in data["unused"]]
    return FileResult(path=data["path"], findings=findings, errors=[FileError(**e) for e in data["errors"]],
                      suppressed=data["suppressed"], unused_suppressions=unused, lines=data["lines"],
                      reviewed=data["reviewed"])
