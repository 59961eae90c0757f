"""Module summaries found in the cache, kept unread until a review looks inside them (`StoredSummary`),
the mapping that hands them out decoded (`LazyModules`), and the rows that describe them in the store
(`meta_row`, read back by `cached_rows`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from secreview.taint.digests import stored_digests
from secreview.taint.module_summary import Json, ModuleSummary


@dataclass(frozen=True)
class StoredSummary:
    """A module summary still in the cache, with what the project's tables need of it without reading it
    (its path, the short names of its active and source-returning functions, whether it declares secret
    options); `load` reads the JSON when something looks inside. A warm review of one file or change
    touches hundreds of summaries and looks into a few: reading them all cost a fifth of it."""

    path: str
    active: tuple[str, ...]
    sources: tuple[str, ...]
    secret_options: bool
    class_bases: dict[str, list[str]]  # class -> qualified base names (lookups through bases walk them)
    load: Callable[[], object]

    def read(self) -> Json:
        found = self.load()
        if not isinstance(found, dict) or not isinstance(found.get("functions"), dict):
            # the cache lost a row it listed a moment ago: the review must not go on as if the module
            # had no summary (it would miss flows and could call the code clean)
            raise RuntimeError(f"the cached summary of {self.path} could not be read back")
        return found

    @classmethod
    def lists(cls, summary: Json) -> tuple[list[str], list[str]]:
        """The short names of a stored summary's active and source-returning functions (`_count`'s tests on
        the JSON form), one entry per function."""
        active: list[str] = []
        sources: list[str] = []
        for name, f in summary["functions"].items():
            short = name.rsplit(".", 1)[-1]
            if f["returns"] or f["sinks"] or f.get("validates"):
                active.append(short)
            if any(not item["kind"].startswith("@") for item in f["returns"]):
                sources.append(short)
        return active, sources


class LazyModules:
    """Module name -> `ModuleSummary`, where a summary read from the cache stays in the cache
    (`StoredSummary`) or the JSON it was stored as until something looks at it. A mapping of its own (not
    a `dict` subclass): what it holds is not what it hands out."""

    def __init__(self, held: Mapping[str, ModuleSummary | Json | StoredSummary] | None = None) -> None:
        self._held: dict[str, ModuleSummary | Json | StoredSummary] = {}
        # the modules whose summary declares secret options, kept as summaries come and go: asked once per
        # analysed module (`any_secret_options`), a scan of every summary each time was quadratic
        self._declaring: set[str] = set()
        for name, value in (held or {}).items():
            self.hold(name, value)

    def __contains__(self, name: object) -> bool:
        return name in self._held

    def __iter__(self) -> Iterator[str]:
        return iter(self._held)

    def __len__(self) -> int:
        return len(self._held)

    def __getitem__(self, name: str) -> ModuleSummary:
        value = self._held[name]
        if isinstance(value, StoredSummary):
            value = value.read()
        if isinstance(value, dict):
            value = ModuleSummary.from_dict(value)
            self._held[name] = value
        return value

    def __setitem__(self, name: str, summary: ModuleSummary) -> None:
        self.hold(name, summary)

    def hold(self, name: str, stored: ModuleSummary | Json | StoredSummary) -> None:
        """Keep a summary as it is (a stored one is decoded when first looked into)."""
        self._held[name] = stored
        if _declares_secret_options(stored):
            self._declaring.add(name)
        else:
            self._declaring.discard(name)

    def held(self, name: str) -> ModuleSummary | Json | StoredSummary:
        """What is kept for `name`, without reading or decoding it."""
        return self._held[name]

    def get(self, name: str, default: ModuleSummary | None = None) -> ModuleSummary | None:
        return self[name] if name in self._held else default

    def values(self) -> Iterator[ModuleSummary]:
        return (self[name] for name in list(self._held))

    def items(self) -> Iterator[tuple[str, ModuleSummary]]:
        return ((name, self[name]) for name in list(self._held))

    def raw(self, name: str) -> Json:
        """The module's summary as JSON-ready data (without decoding a cached one)."""
        value = self._held[name]
        if isinstance(value, StoredSummary):
            value = self._held[name] = value.read()
        return value if isinstance(value, dict) else value.to_dict()

    def path_of(self, name: str) -> str:
        value = self._held[name]
        return str(value.get("path", "")) if isinstance(value, dict) else value.path

    def declares_secret_options(self, name: str) -> bool:
        return name in self._declaring

    def any_declares_secret_options(self) -> bool:
        return bool(self._declaring)


def _declares_secret_options(value: ModuleSummary | Json | StoredSummary) -> bool:
    if isinstance(value, StoredSummary):
        return value.secret_options
    return bool(value.get("secret_options") if isinstance(value, dict) else value.secret_options)


class SummaryReader(Protocol):
    def get_json(self, table: str, key: str) -> object | None: ...


class SummaryStore(SummaryReader, Protocol):
    """Where module summaries and import lists are kept between runs (`cache.ResultCache`)."""

    def put_json(self, table: str, key: str, value: object) -> None: ...

    def later(self) -> SummaryReader:
        """What reads rows after the phase is over (summaries left in the store until looked into)."""
        ...


def cached_rows(store: SummaryStore, keys: dict[str, str]) -> dict[str, dict[str, Any]] | None:
    """The stored description (`meta_row`) of every key's summary, or None when one is missing or malformed (a
    component is recomputed whole). The summaries themselves stay in the cache until looked into
    (`summaries.StoredSummary`)."""
    out = {}
    for name, key in keys.items():
        meta = store.get_json("summaries", key + ":digests")
        if not isinstance(meta, dict) or not all(isinstance(meta.get(k), str) for k in ("digest", "meaning", "below",
                                                                                        "path")) \
                or not all(isinstance(meta.get(k), list) for k in ("active", "sources")) \
                or not isinstance(meta.get("class_bases"), dict):
            return None
        out[name] = meta
    return out


def meta_row(summary: dict[str, Any], digest: str, below: str) -> dict[str, Any]:
    """What a stored summary's row of digests says about it, read on every warm run instead of the summary:
    its whole digest (`project.summary_digest`) and semantic one (`stored_digests`), the digest of the summaries
    below it it was checked against, and what the project's tables need (`StoredSummary`)."""
    active, sources = StoredSummary.lists(summary)
    return {"digest": digest, "meaning": stored_digests(summary, digest)[1], "below": below,
            "path": summary["path"], "active": active, "sources": sources,
            "secret_options": bool(summary.get("secret_options")), "class_bases": summary["class_bases"]}


def stored_summary(store: SummaryStore, key: str, meta: dict[str, Any]) -> StoredSummary:
    reader = store.later()

    def load() -> object:
        row = reader.get_json("summaries", key)
        return row.get("summary") if isinstance(row, dict) else None

    return StoredSummary(meta["path"], tuple(meta["active"]), tuple(meta["sources"]),
                         bool(meta.get("secret_options")), meta["class_bases"], load)
