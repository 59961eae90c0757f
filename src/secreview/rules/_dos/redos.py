"""`redos_witness`: exponential-backtracking analysis of a regular expression,
done on the stdlib parser's tree (the pattern is never compiled or run).

This module builds the position automaton (`_Glushkov`); its alphabet lives in
`sre_alphabet`, the ambiguity search in `redos_search`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

from secreview.rules._dos.redos_search import Redos, _AmbiguitySearch, _TooBig
from secreview.rules._dos.sre_alphabet import (
    _ANY,
    _AT,
    _ATOMIC,
    _BRANCH,
    _FAILING_AT,
    _GROUPREF,
    _GROUPREF_EXISTS,
    _IN,
    _LITERAL,
    _MAX_REPEAT,
    _MIN_REPEAT,
    _NOT_LITERAL,
    _POSSESSIVE,
    _SUBPATTERN,
    Sre,
    _Alphabet,
    _sre,
)


def redos_witness(pattern: str | bytes, flags: int, whole: bool) -> Redos | None:
    """Exponential backtracking in `pattern`, or None.

    `whole` says the match must cover the whole input (`fullmatch`, or an unknown
    use of a compiled pattern); otherwise an ambiguous loop counts only when what
    follows it can fail (`$`, a required character), since an unanchored match
    succeeds as soon as the loop stops.
    """
    if len(pattern) > 4000:
        return None
    return _analyse(pattern, flags, whole)


@lru_cache(maxsize=4096)
def _analyse(pattern: str | bytes, flags: int, whole: bool) -> Redos | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = _sre.parse(pattern, flags)
    except Exception:  # any parse failure: not ours to judge (regex-module syntax...)
        return None
    try:
        auto = _Glushkov(parsed, isinstance(pattern, bytes))
        return auto.witness(whole)
    except (_TooBig, RecursionError):
        return None


_MAX_POSITIONS = 600
_UNROLL = 4  # {m,n} with n <= _UNROLL is unrolled; larger bounds behave like a loop


def _cap(n: int) -> int:
    return 2 if n > 2 else n


def _add(target: dict[int, int], pos: int, count: int) -> None:
    if count:
        target[pos] = _cap(target.get(pos, 0) + count)


@dataclass
class _Frag:
    null: int  # how many ways it matches the empty string (capped at 2)
    first: dict[int, int]
    last: dict[int, int]


class _Glushkov(_Alphabet, _AmbiguitySearch):
    """A position automaton that keeps edge multiplicities: two ways through the
    pattern between the same positions are two edges, as a backtracking matcher
    tries both."""

    def __init__(self, parsed: Sre, is_bytes: bool) -> None:
        self.is_bytes = is_bytes
        self.flags = parsed.state.flags
        self.universe = self._universe(parsed)
        self.masks: list[int] = [0]
        self.follow: list[dict[int, int]] = [{}]
        self.counted: set[int] = set()
        self.loops = 0
        self.opaque: set[int] = set()
        self.all = (1 << len(self.universe)) - 1
        self._where = {code: i for i, code in enumerate(self.universe)}
        whole = self.build(parsed, self.flags)
        self.follow[0] = dict(whole.first)
        self.final = (set(whole.last) - self.counted) | ({0} if whole.null else set())

    # -- construction --------------------------------------------------------------------
    def position(self, mask: int) -> _Frag:
        if len(self.masks) > _MAX_POSITIONS:
            raise _TooBig
        self.masks.append(mask)
        self.follow.append({})
        pos = len(self.masks) - 1
        return _Frag(0, {pos: 1}, {pos: 1})

    def link(self, last: dict[int, int], first: dict[int, int]) -> None:
        for a, ca in last.items():
            for b, cb in first.items():
                _add(self.follow[a], b, ca * cb)

    def seq(self, frags: list[_Frag]) -> _Frag:
        result = _Frag(1, {}, {})
        for frag in frags:
            self.link(result.last, frag.first)
            first = dict(result.first)
            for pos, count in frag.first.items():
                _add(first, pos, result.null * count)
            last = dict(frag.last)
            for pos, count in result.last.items():
                _add(last, pos, frag.null * count)
            result = _Frag(_cap(result.null * frag.null), first, last)
        return result

    def alt(self, frags: list[_Frag]) -> _Frag:
        result = _Frag(0, {}, {})
        for frag in frags:
            for pos, count in frag.first.items():
                _add(result.first, pos, count)
            for pos, count in frag.last.items():
                _add(result.last, pos, count)
            result.null = _cap(result.null + frag.null)
        return result

    def optional(self, frag: _Frag) -> _Frag:
        return _Frag(_cap(frag.null + 1), frag.first, frag.last)

    def build(self, sub: Sre, flags: int) -> _Frag:
        items = sub.data if hasattr(sub, "data") else sub
        return self.seq([self.item(op, av, flags) for op, av in items])

    def item(self, op: Sre, av: Sre, flags: int) -> _Frag:
        if op in (_LITERAL, _NOT_LITERAL, _ANY, _IN):
            return self.position(self._char_mask(op, av, flags))
        if op is _BRANCH:
            return self.alt([self.build(branch, flags) for branch in av[1]])
        if op is _SUBPATTERN:
            add, remove, body = av[1], av[2], av[3]
            return self.build(body, (flags | add) & ~remove)
        if op in (_MAX_REPEAT, _MIN_REPEAT):
            return self.repeat(av[0], av[1], av[2], flags)
        if op in (_POSSESSIVE, _ATOMIC):  # no backtracking into it: one opaque step
            body = av[2] if op is _POSSESSIVE else av
            frag = self.position(self._chars(body, flags) or self.all)
            return self.optional(frag) if op is _POSSESSIVE and av[0] == 0 else frag
        if op is _AT:
            return self.position(0) if av in _FAILING_AT else _Frag(1, {}, {})
        if op is _GROUPREF:
            frag = self.position(self.all)
            self.opaque.update(frag.first)
            return frag
        if op is _GROUPREF_EXISTS:
            yes = self.build(av[1], flags)
            no = self.build(av[2], flags) if av[2] is not None else _Frag(1, {}, {})
            return self.alt([yes, no])
        return _Frag(1, {}, {})  # lookarounds and anything else: zero-width

    def repeat(self, low: int, high: int, body: Sre, flags: int) -> _Frag:
        if high == 0:
            return _Frag(1, {}, {})
        if high == 1:
            frag = self.build(body, flags)
            return self.optional(frag) if low == 0 else frag
        if high != _sre.MAXREPEAT and (high <= _UNROLL or not _unbounded(body)):
            # a bounded count of a bounded body matches bounded text: no loop to pump
            copies = [self.build(body, flags) for _ in range(min(high, _UNROLL))]
            low = min(low, _UNROLL)
            mandatory, optional = copies[:low], copies[low:]
            tail: _Frag | None = None
            for frag in reversed(optional):
                tail = self.optional(self.seq([frag, tail]) if tail else frag)
            return self.seq(mandatory + ([tail] if tail else []))
        start, loops = len(self.masks), self.loops
        frag = self.build(body, flags)
        self.link(frag.last, frag.first)
        if low > 2 and self.loops > loops:
            # `(.*a){20}`: leaving early is no match, and each round's own loop can grow
            self.counted.update(range(start, len(self.masks)))
        self.loops += 1
        return self.optional(frag) if low == 0 else frag

    def _chars(self, sub: Sre, flags: int) -> int:
        mask = 0
        items = sub.data if hasattr(sub, "data") else sub
        for op, av in items:
            if op in (_LITERAL, _NOT_LITERAL, _ANY, _IN):
                mask |= self._char_mask(op, av, flags)
            elif op is _BRANCH:
                for branch in av[1]:
                    mask |= self._chars(branch, flags)
            elif op is _SUBPATTERN:
                mask |= self._chars(av[3], flags)
            elif op in (_MAX_REPEAT, _MIN_REPEAT, _POSSESSIVE):
                mask |= self._chars(av[2], flags)
            elif op is _ATOMIC:
                mask |= self._chars(av, flags)
        return mask


def _unbounded(sub: Sre) -> bool:
    """Does the subpattern contain a repetition without an upper bound?"""
    stack = [sub]
    while stack:
        item = stack.pop()
        if hasattr(item, "data"):
            stack.extend(item.data)
        elif isinstance(item, (list, tuple)):
            if (
                len(item) == 2
                and item[0] in (_MAX_REPEAT, _MIN_REPEAT, _POSSESSIVE)
                and isinstance(item[1], tuple)
                and item[1][1] == _sre.MAXREPEAT
            ):
                return True
            stack.extend(item)
    return False
