"""How a review runs Python's cycle collector.

A review allocates a tree of a hundred thousand nodes per file and frees it by reference
counting when the file is done; nothing it keeps per file forms cycles (tested in
tests/test_memory.py). The cycle collector, triggered by allocation counts, would
still traverse every live object again and again: on Django it cost 14% of a cold
review, and with the taint project's summaries alive, more. So while a review runs the
collector is paused, runs once every `COLLECT_EVERY` files (a bound on what a stray
cycle, e.g. from a library, can hold), and the project summaries, built once and kept
to the end, are frozen out of its sight (`gc.freeze`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

COLLECT_EVERY = 250

_files_since_collect = [0]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block (left as it was after)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Everything alive now is out of the collector's sight for the block: what a review builds
    once and keeps to its end (the project summaries). Unfrozen after, so a long-lived caller
    that drops them gets the memory back."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def file_done() -> None:
    """Count one reviewed file; every `COLLECT_EVERY` files, collect cycles."""
    _files_since_collect[0] += 1
    if _files_since_collect[0] >= COLLECT_EVERY:
        _files_since_collect[0] = 0
        if not gc.isenabled():
            gc.collect()
