"""The vocabulary of taint specs: the kinds of sources and sinks, and the entries a
library spec declares. `loader.py` builds these from `specs/*.toml` and rejects
anything outside this vocabulary; the engine reads only these dataclasses.

Names in entries are *qualified names* as `FileContext.qualname` resolves them
(`subprocess.run`, `flask.request`), extended with types for values the engine
can type: a method or attribute on a typed value is written `Type.member`
(`sqlite3.Cursor.execute`, `django.http.HttpRequest.GET`). `[[type]]` entries say
which expressions have which type.
"""

from __future__ import annotations

from dataclasses import dataclass

# The kinds of sources (where untrusted data enters the program) and sinks (where it does harm) live in a leaf
# outside the package, so that the rule loader checks a rule's kinds without importing the taint engine.
from secreview.taint_kinds import SINK_KINDS as SINK_KINDS
from secreview.taint_kinds import SOURCE_KINDS as SOURCE_KINDS

# Sink kinds a conversion (`int(x)`, `hash(x)`, a sanitizer clearing "*") does not clear for a weak value:
# a guessable value is as guessable as a number as it was as text, a fast digest stays a fast digest once
# hex-encoded. Only WEAK_SOURCES survive such a sanitizer, for these sinks only (labels.sanitize), and only
# they are followed into named sinks (named.py).
ENTROPY_SINKS = frozenset({"secret_bearing"})
WEAK_SOURCES = frozenset({"weak_random", "fast_digest"})

ALL_SINKS = "*"  # in a sanitizer's `clears`: every sink kind


@dataclass(frozen=True, slots=True)
class Source:
    """A value that carries taint of `kind`. Exactly one target is set:
    `call` (the call's return value), `attribute` (reading it, and everything read
    or called from it), or `decorated` (every parameter, except `self`/`cls`, of a
    function decorated with one of these qualified names, e.g. route handlers)."""

    library: str
    kind: str
    call: str | None = None
    attribute: str | None = None
    decorated: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Sink:
    """An argument of `call` where taint of `kind` is harmful. `args` are positional
    indexes (0 = first argument after the receiver), `keywords` keyword names;
    `all_args` makes every argument a sink; `receiver` makes the object the method is
    called on a sink (the format string of `str.format`). `when` narrows the sink to
    calls whose keyword arguments have these literal values (`shell=True`); `unless`
    excludes calls where they do (`autoescape=True`).

    `returned`: `call` names a *decorator*, and the sink is the value a function decorated
    with it returns (a Flask view's string is the HTML body). `when`/`unless` then test the
    decorator call's keywords; `positional` False excludes decorator calls with positional
    arguments (`@expose("json")`), `unless_keywords` those that give any of these keywords
    (`template=`)."""

    library: str
    kind: str
    call: str
    args: tuple[int, ...] = ()
    keywords: tuple[str, ...] = ()
    all_args: bool = False
    when: tuple[tuple[str, object], ...] = ()
    unless: tuple[tuple[str, object], ...] = ()
    note: str = ""
    receiver: bool = False
    returned: bool = False
    positional: bool = True
    unless_keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sanitizer:
    """The return value of `call` is clean for the sink kinds in `clears` (or for
    all of them with `*`), and still tainted for the others."""

    library: str
    call: str
    clears: frozenset[str]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Propagator:
    """Taint moves through `call`: from `frm` (argument indexes, "args" for every
    argument, "receiver" for the object the method is called on) to `to`
    ("return" or "receiver", e.g. `list.append` taints the list)."""

    library: str
    call: str
    frm: tuple[int | str, ...]
    to: str = "return"
    note: str = ""


@dataclass(frozen=True, slots=True)
class TypeRule:
    """An expression has type `type`. Exactly one target is set: `call` (what the call
    returns, e.g. `sqlite3.connect` -> `sqlite3.Connection`), `attribute` (a
    module-level object, e.g. `flask.request` -> `flask.Request`), or `parameter`
    (a parameter with this name, or annotated with `type`, in a module that imports
    one of the library's `imports`, e.g. Django's `request`)."""

    library: str
    type: str
    call: str | None = None
    attribute: str | None = None
    parameter: str | None = None


@dataclass(frozen=True, slots=True)
class LibrarySpec:
    """One `specs/<library>.toml` file."""

    name: str
    imports: tuple[str, ...]  # top-level modules that mean the library is in use
    sources: tuple[Source, ...] = ()
    sinks: tuple[Sink, ...] = ()
    sanitizers: tuple[Sanitizer, ...] = ()
    propagators: tuple[Propagator, ...] = ()
    types: tuple[TypeRule, ...] = ()
