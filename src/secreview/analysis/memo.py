"""Typed keys for the per-node facts a `FileContext` caches (`ctx.memo`).

Each derived fact is declared once, at module level, with the type of its value:

    CALLS: MemoKey[frozenset[str]] = MemoKey("crypto-calls")
    ...
    names = ctx.memo(CALLS, func, compute)   # checked: compute returns frozenset[str], so does memo

Keys compare by identity, not by name, so two facts can never share a cache slot because their names
happen to be spelled alike; the name is only what a reader (and `repr`) sees.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class MemoKey(Generic[T]):
    """The key of one cached fact; `T` is the type of the value cached under it."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"MemoKey({self.name!r})"
