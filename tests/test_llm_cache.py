"""The SQLite reply cache: what is stored, what is refused, what a broken cache does."""

from __future__ import annotations

import sqlite3

import pytest

from secreview.llm.cache import ReplyCache, cache_key
from secreview.llm.client import ChatReply, Usage

MESSAGES = [{"role": "user", "content": "Review: x = 1"}]
PARAMS = {"temperature": 0.0, "max_tokens": 2048, "seed": None, "schema": {"type": "object"}}
REPLY = ChatReply(content='{"verdict": "clean"}', finish_reason="stop", model="m1", usage=Usage(10, 3),
                  mode="json_object")


def test_roundtrip_marks_the_reply_cached_and_survives_reopening(tmp_path):
    key = cache_key("http://127.0.0.1:1/v1", "m1", MESSAGES, "h", PARAMS)
    cache = ReplyCache(tmp_path)
    assert cache.get(key) is None
    assert cache.put(key, REPLY) is True
    cache.close()
    reopened = ReplyCache(tmp_path)
    hit = reopened.get(key)
    assert hit == ChatReply(content='{"verdict": "clean"}', finish_reason="stop", model="m1", usage=Usage(10, 3),
                            cached=True, mode="json_object")
    assert hit.cache_key == key
    assert len(reopened) == 1


@pytest.mark.parametrize("finish", ["length", "content_filter"])
def test_incomplete_replies_are_never_stored(tmp_path, finish):
    cache = ReplyCache(tmp_path)
    cut = ChatReply(content='{"verdict": "vul', finish_reason=finish, model="m1", usage=Usage())
    assert cache.put("k", cut) is False
    assert cache.get("k") is None and len(cache) == 0


def test_key_depends_on_every_part():
    base = ("http://127.0.0.1:1/v1", "m1", MESSAGES, "h", PARAMS)
    keys = {
        cache_key(*base),
        cache_key("http://127.0.0.1:2/v1", *base[1:]),
        cache_key(base[0], "m2", *base[2:]),
        cache_key(base[0], base[1], [{"role": "user", "content": "Review: x = 2"}], *base[3:]),
        cache_key(*base[:3], "other-hash", PARAMS),
        cache_key(*base[:4], {**PARAMS, "temperature": 0.7}),
        cache_key(*base[:4], {**PARAMS, "seed": 1}),
        cache_key(*base[:4], {**PARAMS, "schema": None}),
    }
    assert len(keys) == 8
    assert cache_key(*base) == cache_key(base[0], base[1], list(MESSAGES), base[3], dict(reversed(PARAMS.items())))


def test_unusable_directory_means_no_cache(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    cache = ReplyCache(blocker)
    assert cache.usable is False
    assert cache.put("k", REPLY) is False
    assert cache.get("k") is None and len(cache) == 0


def test_corrupt_row_reads_as_a_miss(tmp_path):
    cache = ReplyCache(tmp_path)
    cache.put("k", REPLY)
    cache.close()
    with sqlite3.connect(tmp_path / "llm-replies-v1.sqlite3") as db:
        db.execute("UPDATE replies SET value = ? WHERE key = 'k'", ('{"content": 1}',))
    assert ReplyCache(tmp_path).get("k") is None


def test_delete_and_default_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "root"))
    cache = ReplyCache()
    assert cache.path == tmp_path / "root" / "llm-replies-v1.sqlite3"
    cache.put("k", REPLY)
    cache.delete("k")
    assert cache.get("k") is None
