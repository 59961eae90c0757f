"""Word helpers for the access rules: vocabularies written as word lists, identifiers split into words.

They live in `secreview.analysis.credentials` (shared with the taint engine and the LLM layer).
"""

from __future__ import annotations

from secreview.analysis.credentials import split_words, word_set

__all__ = ["split_words", "word_set"]
