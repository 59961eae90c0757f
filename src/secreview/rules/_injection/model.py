"""The records the injection helpers pass around: interpolated values, string builds, verdicts."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from secreview.analysis.flow import Source

_STRONG = (
    "request data",
    "the route parameter",
    "the URL parameter",
    "data read from a socket",
    "a remote HTTP response",
)


@dataclass(frozen=True)
class Part:
    """One interpolated value: `expr` after following local names, `site` as written."""

    expr: ast.expr
    site: ast.expr
    conversion: str  # "r" (repr), "num" (numeric format), "" otherwise
    before: str  # the literal text that precedes it in the final string


@dataclass
class Build:
    kind: str = ""  # the interpreter the string is for: shell, sql, html, log, code, template, fmt
    how: str | None = None  # the first string-building operation met
    parts: list[Part] = field(default_factory=list)
    chunks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


@dataclass(frozen=True)
class Verdict:
    """What reaches a sink: its build, the values not neutralised, and an outside source."""

    how: str | None
    text: str
    unsafe: tuple[Part, ...]
    source: Source | None
    carrier: Part | None = None  # the unsafe value the source flows through

    @property
    def strong(self) -> bool:
        """The source is an attacker-facing input (request, socket), not env or argv."""
        return self.source is not None and self.source.description.startswith(_STRONG)
