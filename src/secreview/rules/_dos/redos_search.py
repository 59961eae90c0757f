"""Ambiguity search on the ReDoS position automaton, and the witness it reports.

`_AmbiguitySearch` is the part of `redos._Glushkov` that looks for two different
ways around the same loop on the same text, then builds a failing input for it.
"""

from __future__ import annotations

from dataclasses import dataclass

# The pair automaton: state i is a pair of Glushkov positions (p, q); edges[i] lists (target state, whether
# the two runs differ on that step).
_States = list[tuple[int, int]]
_Edges = list[list[tuple[int, bool]]]


@dataclass(frozen=True, slots=True)
class Redos:
    prefix: str  # text that leads into the ambiguous loop
    pump: str  # text the loop can match in two different ways; repeating it doubles the work
    suffix: str  # a last character that makes every way fail


class _TooBig(Exception):
    pass


_MAX_STATES = 20_000
_MAX_WORK = 300_000  # pair-edge checks: keeps the worst pattern well under a second


class _AmbiguitySearch:
    """The pair-automaton search; mixed into `redos._Glushkov`, which sets the attributes."""

    masks: list[int]
    follow: list[dict[int, int]]
    opaque: set[int]
    final: set[int]
    universe: list[int]
    _where: dict[int, int]

    # -- ambiguity -----------------------------------------------------------------------
    def witness(self, whole: bool) -> Redos | None:
        """Two different ways around the same loop on the same text: a strongly connected
        component of the pair automaton holding a pair (p, p) and a non-diagonal edge."""
        masks, follow = self.masks, self.follow
        index: dict[tuple[int, int], int] = {(0, 0): 0}
        states = [(0, 0)]
        edges: _Edges = [[]]
        i = 0
        work = 0
        while i < len(states):
            p, q = states[i]
            work += len(follow[p]) * len(follow[q])
            if work > _MAX_WORK:
                raise _TooBig
            for a, ca in follow[p].items():
                for b in follow[q]:
                    if not masks[a] & masks[b]:
                        continue
                    target = (a, b)
                    if target not in index:
                        if len(states) >= _MAX_STATES:
                            raise _TooBig
                        index[target] = len(states)
                        states.append(target)
                        edges.append([])
                    off = p != q or a != b or ca > 1
                    edges[i].append((index[target], off))
            i += 1
        for component in _components(edges):
            members = set(component)
            diagonal = [s for s in component if states[s][0] == states[s][1]]
            if not diagonal:
                continue
            ambiguous = any(states[s][0] != states[s][1] for s in component) or any(
                off and t in members for s in component for t, off in edges[s]
            )
            if not ambiguous or any(pos in self.opaque for s in component for pos in states[s]):
                continue
            for start in diagonal[:4]:
                pump = self._pump(states, edges, start, members)
                if not pump:
                    continue
                prefix = self._prefix(states, edges, start)
                kill = self._kill(prefix, pump, whole)
                if kill is not None:
                    return Redos(prefix=prefix, pump=pump, suffix=kill)
        return None

    # -- is the ambiguity reachable by a failing input? -----------------------------------
    def _step(self, current: set[int], char: str) -> set[int]:
        bit = self._where.get(ord(char))
        if bit is None:
            return set()
        return {b for a in current for b in self.follow[a] if self.masks[b] >> bit & 1}

    def _accepts_at_end(self, current: set[int]) -> bool:
        """A state that is final, or followed by a final `$` (zero-width) position."""
        for a in current:
            if a in self.final:
                return True
            if any(self.masks[b] == 0 and b in self.final for b in self.follow[a]):
                return True
        return False

    def _kill(self, prefix: str, pump: str, whole: bool) -> str | None:
        """A last character that makes every path fail, so the matcher tries them all.

        For an unanchored match (`search`, `match`, `sub`...), no state met while the
        pump repeats may be final either: the matcher would stop with a match there."""
        current = {0}
        for char in prefix + pump:
            current = self._step(current, char)
        final_now = {a for a in self.final if a == 0 or self.masks[a]}
        for char in pump:
            current = self._step(current, char)
            if not current:
                return None
            if not whole and current & final_now:
                return None
        candidates = "!\x00#@%&~;\x7f/ =a0" + "".join(chr(c) for c in self.universe if c != 10)
        for candidate in candidates:
            after = self._step(current, candidate)
            if not self._accepts_at_end(after):
                return candidate
        return None

    def _char(self, a: int, b: int) -> str:
        mask = self.masks[a] & self.masks[b]
        for preferred in "a0 x.,-":
            code = ord(preferred)
            if code in self._where and mask >> self._where[code] & 1:
                return preferred
        return chr(self.universe[(mask & -mask).bit_length() - 1])

    def _pump(self, states: _States, edges: _Edges, start: int, members: set[int]) -> str:
        """A cycle (p, p) -> ... -> (p, p) through a non-diagonal edge, as text ("" if none)."""
        seen: dict[tuple[int, bool], tuple[int, bool] | None] = {(start, False): None}
        queue = [(start, False)]
        for node, used in queue:
            for target, off in edges[node]:
                if target not in members:
                    continue
                key = (target, used or off)
                if key in seen:
                    continue
                seen[key] = (node, used)
                if key == (start, True):
                    text = []
                    cursor: tuple[int, bool] | None = key
                    while cursor is not None and cursor != (start, False):
                        text.append(self._char(*states[cursor[0]]))
                        cursor = seen[cursor]
                    return "".join(reversed(text))
                queue.append(key)
        return ""

    def _prefix(self, states: _States, edges: _Edges, goal: int) -> str:
        seen: dict[int, int | None] = {0: None}
        queue = [0]
        for node in queue:
            if node == goal:
                break
            for target, _ in edges[node]:
                if target not in seen:
                    seen[target] = node
                    queue.append(target)
        text = []
        cursor: int | None = goal
        while cursor and seen.get(cursor) is not None:
            text.append(self._char(*states[cursor]))
            cursor = seen[cursor]
        return "".join(reversed(text))


def _components(edges: _Edges) -> list[list[int]]:
    """Tarjan's strongly connected components, iteratively; only components with a cycle."""
    n = len(edges)
    order = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in range(n):
        if order[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                order[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            recurse = False
            for j in range(child, len(edges[node])):
                target = edges[node][j][0]
                if order[target] == -1:
                    work.append((node, j + 1))
                    work.append((target, 0))
                    recurse = True
                    break
                if on_stack[target]:
                    low[node] = min(low[node], order[target])
            if recurse:
                continue
            if low[node] == order[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack[top] = False
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1 or any(t == node for t, _ in edges[node]):
                    result.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result
