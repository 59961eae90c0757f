"""A persistent cache of per-file review results, so an unchanged file is not parsed again.

Key: the file's path and content hash, the selected rules, and a signature of
secreview's own source code and of the Python running it (any change to a rule or
the engine, or another interpreter version, invalidates everything). Values are
JSON, never pickle: a cache file is data we read back, and a security tool must
not execute what it finds on disk. A cache that cannot be
opened or read is treated as empty; the review never depends on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

from secreview.engine import FileResult
from secreview.model import FileError
from secreview.report.json import finding_from_dict, suppression_from_dict
from secreview.taint.project import SummaryStore

# Errors that follow from the content alone are cached; reading problems and internal
# failures are not (they may not happen next time).
_CACHEABLE_ERRORS = frozenset({"syntax", "decode", "nul-bytes"})
# The table of the taint project phase: a module's summary keyed by the texts of its import
# closure (secreview/taint/project.py).
_JSON_TABLES = ("summaries", "imports", "depends")


def default_dir() -> Path:
    override = os.environ.get("SECREVIEW_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("secreview"))


@cache
def code_signature() -> str:
    """A hash of every Python source of the secreview package (rules, analysis, engine), of the taint
    specs (TOML data: a new sink changes results as much as code does) and of the CWE catalog (names
    and pillars are part of every finding), tagged with the interpreter's version (`interpreter()`).
    Every cache key holds it: per-file results, taint summaries, the rule index.

    Hashing ~260 files costs more than a warm review of one file, so the digest is remembered in the
    default cache directory under a digest of the files' stats (size, mtime, ctime): any edit, in an
    installed or an editable copy, changes those stats and the contents are hashed again; a fresh
    install of the same code (new mtimes) hashes to the same signature, so caches carried between CI
    runs keep their results."""
    return tagged(signature_of(Path(__file__).resolve().parent, default_dir() / SIGNATURE_MEMO), interpreter())


def interpreter() -> str:
    """`major.minor` of the Python running secreview. The code under review is parsed with its grammar
    (a file that is a syntax error on 3.11 may parse on 3.12) into its `ast` shapes, so a result computed
    on one version is not the result on another."""
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def tagged(signature: str, version: str) -> str:
    """The code signature of `signature` (the digest of secreview's files) run by Python `version`."""
    return f"{signature}-py{version}"


SIGNATURE_MEMO = "code-signature.json"


def signature_of(root: Path, memo: Path | None) -> str:
    """The content digest of the signed files under `root`; `memo`: where the last (stats, digest)
    pair is kept (None: always hash the contents)."""
    files = _signed_files(root)
    stats = hashlib.sha256()
    for relative, entry in files:
        st = entry.stat()
        stats.update(f"{relative}\x1f{st.st_size}\x1f{st.st_mtime_ns}\x1f{st.st_ctime_ns}\x1e".encode())
    stats_digest = stats.hexdigest()
    remembered = _read_json(memo) if memo is not None else None
    if isinstance(remembered, dict) and remembered.get("root") == str(root) and \
            remembered.get("stats") == stats_digest and isinstance(known := remembered.get("signature"), str):
        return known
    digest = hashlib.sha256()
    for relative, entry in files:
        digest.update(relative.encode())
        with open(entry.path, "rb") as handle:
            digest.update(handle.read())
    signature = digest.hexdigest()
    if memo is not None:
        write_json_atomically(memo, {"root": str(root), "stats": stats_digest, "signature": signature})
    return signature


def _signed_files(root: Path) -> list[tuple[str, os.DirEntry[str]]]:
    """(path relative to root, entry) of every .py file, taint spec and the CWE catalog, sorted;
    os.scandir because it is several times cheaper than Path.rglob for the stat walk of every run."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    pending = [("", str(root))]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append((relative + "/", entry.path))
                elif entry.name.endswith(".py") or relative == "cwe/catalog.json" or \
                        (prefix == "taint/specs/" and entry.name.endswith(".toml")):
                    found.append((relative, entry))
    found.sort(key=lambda item: item[0])
    return found


def _read_json(path: Path) -> object | None:
    try:
        value: object = json.loads(path.read_bytes())
        return value
    except (OSError, ValueError):
        return None


def write_json_atomically(path: Path, value: object) -> None:
    """Write JSON so that a concurrent reader sees the old file or the new one, never half of one;
    a cache directory that cannot be written is not an error (the caller computes again next time)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(value), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink()
        except OSError:
            pass


def file_key(display: str, data: bytes, rule_codes: tuple[str, ...], depends: str = "") -> str:
    """`depends`: a hash of what else the result depends on (the taint summaries of the
    project modules the file imports), so a change there invalidates this file only. The code
    signature carries the interpreter's version: a syntax error found on one Python is never
    served to another."""
    parts = [code_signature(), ",".join(rule_codes), display, hashlib.sha256(data).hexdigest(), depends]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# The store of this process open on each cache file: a reader goes through it (its writes are not committed
# until it closes, and a second connection would wait on its lock until the read failed)
_OPEN: dict[Path, ResultCache] = {}


class ResultCache(SummaryStore):
    """Each file's result by `file_key`, and the project phase's JSON tables (its `SummaryStore`)."""

    def __init__(self, directory: Path):
        self.path = directory / "results-v1.sqlite3"
        self._db: sqlite3.Connection | None = None
        self._reader: CacheReader | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=5)
            _OPEN[self.path] = self
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

    def later(self) -> CacheReader:
        """A reader of this cache file that works after `close` (the project phase leaves summaries in the
        cache, read when a review looks into them, after the phase's store was closed)."""
        if self._reader is None:
            self._reader = CacheReader(self)
        return self._reader

    def close(self) -> None:
        if _OPEN.get(self.path) is self:
            del _OPEN[self.path]
        if self._db is not None:
            try:
                self._db.commit()
                self._db.close()
            except sqlite3.Error:
                pass
        self._db = None


class CacheReader:
    """Reads JSON rows of a cache file after the store that listed them closed (deferred summaries are read
    long after the phase that found them): through the store of this process open on that file if there is
    one, else on a connection of its own, opened at the first read. A row that cannot be read is None."""

    def __init__(self, store: ResultCache) -> None:
        self.store = store
        self._db: sqlite3.Connection | None = None

    def get_json(self, table: str, key: str) -> object | None:
        open_store = _OPEN.get(self.store.path)
        if open_store is not None and open_store._db is not None:
            return open_store.get_json(table, key)
        if table not in _JSON_TABLES:
            return None
        try:
            if self._db is None:
                self._db = sqlite3.connect(self.store.path, timeout=5, check_same_thread=False)
            row = self._db.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
            return json.loads(row[0]) if row else None
        except (sqlite3.Error, ValueError):
            return None


def _encode(result: FileResult) -> dict[str, object]:
    return {
        "path": result.path, "lines": result.lines, "reviewed": result.reviewed, "suppressed": result.suppressed,
        "findings": [asdict(f) for f in result.findings], "errors": [asdict(e) for e in result.errors],
        "unused": [asdict(s) for s in result.unused_suppressions],
    }


def _decode(data: dict[str, Any]) -> FileResult:
    # JSON this module wrote (`_encode`); a row that is not raises KeyError or TypeError: not reused
    findings = [finding_from_dict(item) for item in data["findings"]]
    unused = [suppression_from_dict(s) for s in data["unused"]]
    return FileResult(path=data["path"], findings=findings, errors=[FileError(**e) for e in data["errors"]],
                      suppressed=data["suppressed"], unused_suppressions=unused, lines=data["lines"],
                      reviewed=data["reviewed"])
