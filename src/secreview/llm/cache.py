"""A local SQLite cache of LLM replies, so re-running a review does not pay (or wait) for the same answer twice.

Key: sha256 of (endpoint, model, messages, code hash, parameters such as temperature, max_tokens, seed and
the reply schema). Only complete replies are stored: errors never reach `put`, and a truncated or
filtered reply is refused here as well, so a cut-off answer cannot be served later as a whole one.
Values are JSON, never pickle. A cache that cannot be opened or read is treated as empty.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from secreview.llm.types import ChatReply, Usage

_INCOMPLETE = frozenset({"length", "content_filter"})


def cache_key(endpoint: str, model: str, messages: list[dict], code_hash: str, params: dict[str, Any]) -> str:
    material = json.dumps([endpoint, model, messages, code_hash, params], sort_keys=True, ensure_ascii=False,
                          default=str)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def default_dir() -> Path:
    from secreview.cache import default_dir as results_dir  # one cache root for the whole tool

    return results_dir()


class ReplyCache:
    def __init__(self, directory: str | Path | None = None):
        directory = Path(directory) if directory is not None else default_dir()
        self.path = directory / "llm-replies-v1.sqlite3"
        self._lock = threading.Lock()  # one connection shared by the review's worker threads
        self._db: sqlite3.Connection | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=5, check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.commit()
        except (OSError, sqlite3.Error):
            self.close()  # unusable (read-only home, corrupt file): run without a cache

    @property
    def usable(self) -> bool:
        return self._db is not None

    def get(self, key: str) -> ChatReply | None:
        with self._lock:
            if self._db is None:
                return None
            try:
                row = self._db.execute("SELECT value FROM replies WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error:
                return None
        if row is None:
            return None
        try:
            data = json.loads(row[0])
            usage = Usage(int(data["prompt_tokens"]), int(data["completion_tokens"]))
            return ChatReply(content=str(data["content"]), finish_reason=str(data["finish_reason"]),
                             model=str(data["model"]), usage=usage, cached=True, mode=str(data["mode"]),
                             cache_key=key)
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, reply: ChatReply) -> bool:
        """Store a complete reply; returns whether it was stored."""
        if reply.finish_reason in _INCOMPLETE or reply.cached:
            return False
        value = json.dumps({
            "content": reply.content, "finish_reason": reply.finish_reason, "model": reply.model,
            "mode": reply.mode, "prompt_tokens": reply.usage.prompt_tokens,
            "completion_tokens": reply.usage.completion_tokens,
        })
        with self._lock:
            if self._db is None:
                return False
            try:
                self._db.execute("INSERT OR REPLACE INTO replies VALUES (?, ?)", (key, value))
                self._db.commit()
            except sqlite3.Error:
                return False
        return True

    def delete(self, key: str) -> None:
        with self._lock:
            if self._db is None:
                return
            try:
                self._db.execute("DELETE FROM replies WHERE key = ?", (key,))
                self._db.commit()
            except sqlite3.Error:
                return

    def __len__(self) -> int:
        with self._lock:
            if self._db is None:
                return 0
            try:
                return int(self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0])
            except sqlite3.Error:
                return 0

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                try:
                    self._db.close()
                except sqlite3.Error:
                    pass
            self._db = None
