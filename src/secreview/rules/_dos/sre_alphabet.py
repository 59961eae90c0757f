"""The stdlib regex parser's opcodes, and the character alphabet of a parsed pattern.

`_Alphabet` is the part of the ReDoS automaton (`redos._Glushkov`) that turns
character sets of the parser's tree into bit masks over a small universe of
representative code points.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

# The standard library's private regex parser (untyped: its attributes are Any). Python 3.11+ keeps it
# in re._parser; sre_parse there is a shim that warns on import.
_sre: ModuleType = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
# What that parser gives: a SubPattern, a list of (op, argument) items, an op or its argument.
Sre = Any

_REPRESENTATIVES = "\u00a0\u00e9\u00c9\u0663\u4e2d\u2028\u0394\u03b4\uffff\U0001f600"


def _op(name: str) -> object:
    return getattr(_sre, name, object())


_LITERAL, _NOT_LITERAL, _ANY, _IN = _op("LITERAL"), _op("NOT_LITERAL"), _op("ANY"), _op("IN")
_RANGE, _CATEGORY, _NEGATE = _op("RANGE"), _op("CATEGORY"), _op("NEGATE")
_BRANCH, _SUBPATTERN, _AT = _op("BRANCH"), _op("SUBPATTERN"), _op("AT")
_MAX_REPEAT, _MIN_REPEAT, _POSSESSIVE = _op("MAX_REPEAT"), _op("MIN_REPEAT"), _op("POSSESSIVE_REPEAT")
_ATOMIC, _ASSERT, _ASSERT_NOT = _op("ATOMIC_GROUP"), _op("ASSERT"), _op("ASSERT_NOT")
_GROUPREF, _GROUPREF_EXISTS = _op("GROUPREF"), _op("GROUPREF_EXISTS")
_FAILING_AT = {_op("AT_END"), _op("AT_END_STRING")}
_IGNORECASE, _DOTALL, _ASCII = _sre.SRE_FLAG_IGNORECASE, _sre.SRE_FLAG_DOTALL, _sre.SRE_FLAG_ASCII


class _Alphabet:
    """Character masks over `universe`; mixed into `redos._Glushkov`, which sets the attributes."""

    is_bytes: bool
    universe: list[int]
    all: int

    # -- alphabet ------------------------------------------------------------------------
    def _universe(self, parsed: Sre) -> list[int]:
        if self.is_bytes:
            return list(range(256))
        codes = set(range(128)) | {ord(c) for c in _REPRESENTATIVES}
        stack = [parsed]
        while stack:
            item = stack.pop()
            if isinstance(item, (list, tuple)):
                if len(item) == 2 and item[0] in (_LITERAL, _NOT_LITERAL) and isinstance(item[1], int):
                    codes.add(item[1])
                elif len(item) == 2 and item[0] is _RANGE:
                    codes.update(item[1])
                else:
                    stack.extend(item)
            elif hasattr(item, "data"):
                stack.extend(item.data)
        extra: set[int] = set()
        for code in codes:
            if code < 0x110000:
                ch = chr(code)
                extra.update(ord(c) for c in (ch.lower(), ch.upper()) if len(c) == 1)
        return sorted(codes | extra)

    def _mask(self, test: Callable[[int], bool]) -> int:
        mask = 0
        for i, code in enumerate(self.universe):
            if test(code):
                mask |= 1 << i
        return mask

    def _category(self, cat: Sre, flags: int) -> Callable[[int], bool]:
        name = str(cat).upper()
        ascii_only = self.is_bytes or bool(flags & _ASCII)

        def digit(c: int) -> bool:
            return 48 <= c <= 57 if ascii_only else chr(c).isdecimal()

        def space(c: int) -> bool:
            return c in (9, 10, 11, 12, 13, 32) or (not ascii_only and chr(c).isspace())

        def word(c: int) -> bool:
            if ascii_only:
                return c < 128 and (chr(c).isalnum() or c == 95)
            return chr(c).isalnum() or c == 95

        base = digit if "DIGIT" in name else space if "SPACE" in name else word if "WORD" in name else None
        if base is None:  # linebreak categories
            base = lambda c: c == 10  # noqa: E731
        return (lambda c: not base(c)) if "NOT" in name else base

    def _char_mask(self, op: Sre, av: Sre, flags: int) -> int:
        fold = bool(flags & _IGNORECASE)
        if op is _LITERAL:
            return self._mask(lambda c: _same(c, av, fold))
        if op is _NOT_LITERAL:
            return self.all & ~self._mask(lambda c: _same(c, av, fold))
        if op is _ANY:
            return self.all if flags & _DOTALL else self.all & ~self._mask(lambda c: c == 10)
        # IN
        tests: list[Callable[[int], bool]] = []
        negate = False
        for kind, value in av:
            if kind is _NEGATE:
                negate = True
            elif kind is _LITERAL:
                tests.append(_literal_test(value, fold))
            elif kind is _RANGE:
                lo, hi = value
                tests.append(_range_test(lo, hi, fold))
            elif kind is _CATEGORY:
                tests.append(self._category(value, flags))
            else:
                tests.append(lambda c: True)
        mask = self._mask(lambda c: any(t(c) for t in tests))
        return self.all & ~mask if negate else mask


def _literal_test(literal: int, fold: bool) -> Callable[[int], bool]:
    return lambda c: _same(c, literal, fold)


def _range_test(lo: int, hi: int, fold: bool) -> Callable[[int], bool]:
    return lambda c: any(lo <= x <= hi for x in _variants(c, fold))


def _same(c: int, literal: int, fold: bool) -> bool:
    return c == literal or (fold and literal in _variants(c, True))


def _variants(c: int, fold: bool) -> tuple[int, ...]:
    if not fold:
        return (c,)
    ch = chr(c)
    return tuple({c, *(ord(x) for x in (ch.lower(), ch.upper()) if len(x) == 1)})
