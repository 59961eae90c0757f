"""Word helpers for the access rules: vocabularies written as word lists, identifiers split into words."""

from __future__ import annotations

import re


def word_set(text: str) -> frozenset[str]:
    """A frozenset of the whitespace-separated words of `text` (for long vocabularies)."""
    return frozenset(text.split())


def split_words(identifier: str) -> list[str]:
    """`dbPassword2` -> ["db", "password"]; `X-Auth-Token` -> ["x", "auth", "token"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", spaced)
    words = [w.rstrip("0123456789") for w in re.split(r"[^A-Za-z0-9]+", spaced.lower())]
    return [w for w in words if w]
