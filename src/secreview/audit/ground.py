"""Check what an answer cites against the code: names, quoted code, lines, CWE ids, constructs.

A line reference is checked three ways: the line exists; it is code (not blank, a comment or a
docstring, unless the sentence talks about comments or docstrings); and it *supports* the sentence.
The supports check takes the words of the sentence next to the citation (the clause before it, or the
words after it when the clause before names nothing checkable) and looks for what they name on the
cited statement: a named identifier or quoted value, or a concept (concepts.py: "cleanup" needs a
cleanup/reset/restore/close name or a `with`; "comparison" needs a comparison operator). When the
words name nothing checkable, the line is not judged. When they do and the line has none of it, the
reference is a mismatch, and the lines of the file that do have it are suggested.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cached_property

from secreview.audit import concepts, extract
from secreview.audit.code_index import CodeIndex, Occurrence
from secreview.audit.model import Construct, CweMention, LineRef, Mention, ParsedAnswer, Reference, Where
from secreview.cwe import Catalog

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CLAUSE = re.compile(r"[;:,]|\b(?:but|however|whereas|while|then)\b", re.I)  # the clause before a citation
_AFTER = re.compile(r"[;:,]\s|\.(?:\s|$)|\b(?:but|however|whereas|while|which|then)\b", re.I)  # the one after
_TALKS_ABOUT = {"comment": re.compile(r"\bcomments?\b", re.I),
                "docstring": re.compile(r"\bdocstrings?\b|\bdocumentation\b|\bdoc\s+strings?\b", re.I)}
def _words(text: str) -> list[str]:
    return text.split()


_PY_WORDS = frozenset(_words(
    "self cls None True False if else for in is not and or def class return import from as with lambda "
    "yield await async try except finally raise pass print"))
MAX_WHERE = 12


class Grounder:
    def __init__(self, index: CodeIndex, catalog: Catalog, allowed: tuple[int, ...]) -> None:
        self.index = index
        self.catalog = catalog
        self.allowed = frozenset(allowed)

    def answer(self, parsed: ParsedAnswer) -> tuple[list[Reference], list[tuple[int, ...]]]:
        refs: list[Reference] = []
        locations: list[tuple[int, ...]] = []
        for claim in parsed.claims:
            own = self._all(claim.index, claim.mentions, claim.lines, claim.cwes, claim.constructs)
            refs.extend(own)
            locations.append(self._location(own))
        refs.extend(self._all(None, parsed.mentions, parsed.lines, parsed.cwes, parsed.constructs))
        return refs, locations

    def _all(self, claim: int | None, mentions: Iterable[Mention], lines: Iterable[LineRef],
             cwes: Iterable[CweMention], constructs: Iterable[Construct]) -> list[Reference]:
        out: dict[tuple, Reference] = {}
        for mention in mentions:
            for ref in self.mention(claim, mention):
                out.setdefault((ref.kind, ref.value, ref.fix), ref)
        for line in lines:
            ref = self.line(claim, line)
            out.setdefault(("line", ref.value, ref.fix, ref.problem), ref)
        for cwe in cwes:
            ref = self.cwe(claim, cwe)
            out.setdefault(("cwe", ref.value, False), ref)
        if self.index.parsed:
            for construct in constructs:
                ref = self.construct(claim, construct)
                out.setdefault(("construct", ref.value, False), ref)
        return list(out.values())

    # -- names and quoted code ------------------------------------------------------------------

    def mention(self, claim: int | None, m: Mention) -> list[Reference]:
        if m.form == "snippet":
            return self._snippet(claim, m)
        if m.form == "literal":
            hits = self.index.find_text(m.value)
            return self._name_ref(claim, m, [h for h in hits if h.kind == "code"], hits)
        parts = tuple(m.value.split("."))
        code = self.index.find_name(parts)
        if not code and len(parts) > 1 and parts[0] in ("self", "cls"):
            code = [o for o in self.index.find_name(parts[1:]) if o.role in ("def", "assign", "class")]
        text = [h for h in self.index.find_text(m.value) if h.kind != "code"]
        return self._name_ref(claim, m, code, text)

    def _name_ref(self, claim: int | None, m: Mention, code: list[Occurrence], other: list[Occurrence]
                  ) -> list[Reference]:
        seen = {(o.line, o.kind) for o in code}
        every = code + [o for o in other if (o.line, o.kind) not in seen and o.kind != "code"]
        found = bool(every)
        in_code = any(o.kind in ("code", "string") for o in every)  # a quoted value in a string literal is code
        if m.soft and not found:
            return []
        where = tuple(Where(o.line, o.kind, o.role) for o in sorted(every, key=lambda o: o.line)[:MAX_WHERE])
        problem, note = None, ""
        if not found:
            note = self._suggest(m.value)
            problem = None if m.fix else "unknown"
        elif not in_code:
            kinds = sorted({o.kind for o in every})
            note = f"occurs only in {' and '.join(k + 's' for k in kinds)}"
            problem = None if m.fix else "not-in-code"
        elif all(o.kind == "string" for o in every):
            # A value the code uses as a literal (a state name, a key) is grounded, but the
            # reader should know it is data in a string, not a name the code defines.
            note = "occurs only inside string literals"
        return [Reference(claim, "identifier", m.value, found, where, in_code, problem, note, m.fix)]

    def _suggest(self, value: str) -> str:
        last = value.split(".")[-1]
        names = list(self.index.names)
        squash = last.replace("_", "").lower()
        same = [n for n in names if n.replace("_", "").lower() == squash and n != last]
        close = same or difflib.get_close_matches(last, names, n=2, cutoff=0.8)
        if "." in value and last not in self.index.names:
            prefix = tuple(value.split(".")[:-1])
            known = self.index.find_name(prefix)
            if known:
                head = f"`{'.'.join(prefix)}` is in the file (line {known[0].line}) but `{last}` is not"
                return head + (f"; did you mean `{close[0]}`?" if close else "")
        if close:
            lines = ", ".join(str(o.line) for o in self.index.names[close[0]][:3])
            return f"not in the file; did you mean `{close[0]}` (line {lines})?"
        return "not in the file"

    def _snippet(self, claim: int | None, m: Mention) -> list[Reference]:
        wanted = [ln for ln in (x.strip() for x in m.value.split("\n"))
                  if ln and ln not in ("...", "…") and not ln.startswith(("#", "//"))]
        lines: list[int] = []
        missing = []
        for piece in wanted:
            at = self._find_piece(piece)
            if at < 0:
                missing.append(piece)
            else:
                lines.append(self.line_of[at])
        found = bool(wanted) and not missing
        where = tuple(Where(n, self.index.line_class(n), "", self.index.lines[n - 1].strip()[:120])
                      for n in sorted(set(lines))[:MAX_WHERE])
        in_code = any(w.kind == "code" for w in where)
        refs = []
        problem = None
        note = ""
        if not found:
            problem = None if m.fix else "misquoted"
            note = "not in the file as quoted" + (f": {missing[0][:60]!r}" if len(wanted) > 1 else "")
            for name in _code_words(" ".join(missing)):  # names in misquoted code that are nowhere in the file
                if not self.index.find_name((name,)) and not self.index.find_text(name):
                    refs.append(Reference(claim, "identifier", name, False, (), False,
                                          None if m.fix else "unknown", self._suggest(name), m.fix))
        refs.insert(0, Reference(claim, "snippet", m.value[:300], found, where, in_code, problem, note, m.fix))
        return refs

    def _find_piece(self, piece: str) -> int:
        """Position of a quoted line in the squashed file; `...` in it matches anything within 3 lines."""
        parts = [p for p in (_squash(x) for x in re.split(r"\.\.\.|…", piece)) if p]
        if not parts:
            return -1
        start = self.normalized.find(parts[0])
        for _ in range(2000):
            if start < 0:
                break
            line, pos = self.line_of[start], start + len(parts[0])
            for part in parts[1:]:
                hit = self.normalized.find(part, pos)
                if hit < 0 or self.line_of[hit] - line > 3:
                    break
                pos = hit + len(part)
            else:
                return start
            start = self.normalized.find(parts[0], start + 1)
        return -1

    @cached_property
    def normalized(self) -> str:
        return self._normalize()[0]

    @cached_property
    def line_of(self) -> list[int]:
        return self._normalize()[1]

    def _normalize(self) -> tuple[str, list[int]]:
        chars: list[str] = []
        owners: list[int] = []
        for no, line in enumerate(self.index.lines, 1):
            squashed = _squash(line)
            chars.append(squashed)
            owners.extend([no] * len(squashed))
        return "".join(chars), owners

    # -- lines ----------------------------------------------------------------------------------

    def line(self, claim: int | None, ref: LineRef) -> Reference:
        total = len(self.index.lines)
        value = str(ref.start) if ref.start == ref.end else f"{ref.start}-{ref.end}"
        if ref.start < 1 or ref.end > total:
            value = value if ref.start else ref.text.removeprefix("line ")
            note = f"the file has {total} lines"
            return Reference(claim, "line", value, False, (Where(ref.start, "out-of-range"),), False,
                             "out-of-range", note, ref.fix)
        span = range(ref.start, min(ref.end, ref.start + 200) + 1)
        where = tuple(Where(n, self.index.line_class(n), "", self.index.lines[n - 1].strip()[:120])
                      for n in span[:MAX_WHERE])
        sentence = ref.before + ref.after
        classes = {self.index.line_class(n) for n in span}
        if "code" not in classes:
            kind = next(self.index.line_class(n) for n in span)
            if kind in _TALKS_ABOUT and _TALKS_ABOUT[kind].search(sentence):
                return Reference(claim, "line", value, True, where, False, None, f"a {kind}, as the answer says",
                                 ref.fix)
            shown = "blank" if kind == "blank" else f"a {kind}"
            return Reference(claim, "line", value, False, where, False, kind,
                             f"line {ref.start} is {shown}, not code", ref.fix)
        if ref.fix or not self.index.parsed:
            return Reference(claim, "line", value, True, where, True, None, "", ref.fix)
        verdict, note = self.supports(ref, span)
        if verdict is False:
            return Reference(claim, "line", value, False, where, True, "mismatch", note, ref.fix)
        return Reference(claim, "line", value, True, where, True, None, note, ref.fix)

    def supports(self, ref: LineRef, span: range) -> tuple[bool | None, str]:
        """True/False when the sentence names something checkable at the cited line(s); None otherwise."""
        facts = [self.index.line_facts(n) for n in span]
        raw = "\n".join(self.index.lines[n - 1] for n in span)
        scopes = set().union(*(self.index.scopes.get(n, set()) for n in span))
        for words in (_last_clause(ref.before), _first_clause(ref.after)):
            names = [w for m in extract.mentions(words, False) for w in _mention_words(m)]
            found = concepts.concepts_in(words)
            if names or found:
                break
        else:
            return None, ""
        if any(name in scopes or _word_at(name, facts, raw) for name in names) or any(
                c.holds(f) for c in found for f in facts):
            return True, ""
        wanted = ", ".join([f"`{n}`" for n in names[:3]] + [c.name for c in found[:3]])
        elsewhere = sorted({n for n, f in self.index.facts.items() if any(c.holds(f) for c in found)} |
                           {o.line for name in names for o in self.index.find_name((name,))})
        shown = self.index.lines[ref.start - 1].strip()[:80]
        note = f"line {ref.start} is `{shown}`, which has no {wanted}"
        if elsewhere:
            note += f"; it is at line(s) {_ranges(elsewhere[:12])}"
        return False, note

    # -- CWE and constructs ---------------------------------------------------------------------

    def cwe(self, claim: int | None, m: CweMention) -> Reference:
        entry = self.catalog.get(m.id) if m.id else None
        value = f"CWE-{m.id}" if m.id else m.text
        if entry is None:
            return Reference(claim, "cwe", value, False, (), False, "unknown-cwe",
                             f"not in the CWE {self.catalog.version} catalog")
        where = (Where(0, "catalog", str(entry.pillar or ""), entry.name),)
        if m.via == "id" and m.named_as and m.named_as != m.id and not self._related(m.id, m.named_as):
            named = self.catalog.get(m.named_as)
            return Reference(claim, "cwe", value, True, where, False, "name-mismatch",
                             f"named as {named.name if named else m.named_as!r} (CWE-{m.named_as})")
        if m.via == "id" and self.allowed and m.id not in self.allowed:
            pillar = f"; its pillar CWE-{entry.pillar} is" if entry.pillar in self.allowed else ""
            return Reference(claim, "cwe", value, True, where, False, "off-list",
                             f"not on the allowed list{pillar}" + (" on it" if pillar else ""))
        return Reference(claim, "cwe", value, True, where, False, None, "" if m.via == "id" else f"named {m.text!r}")

    def _related(self, a: int, b: int) -> bool:
        ea, eb = self.catalog.get(a), self.catalog.get(b)
        return bool(ea and eb and (a in eb.chain or b in ea.chain))

    def construct(self, claim: int | None, c: Construct) -> Reference:
        lines = self.index.constructs.get(c.kind, [])
        where = tuple(Where(n, "code") for n in lines[:MAX_WHERE])
        what = {"exception-handling": "try/except handler", "logging": "logging call"}[c.kind]
        if lines:
            return Reference(claim, "construct", c.kind, True, where, True, None, "")
        return Reference(claim, "construct", c.kind, False, (), False, "absent",
                         f"the answer says {c.text!r}, but the file has no {what}")

    def _location(self, refs: list[Reference]) -> tuple[int, ...]:
        """Code lines a claim points at: its good line references, else where its named code is."""
        lines = [int(w.line) for r in refs if r.kind == "line" and not r.fix and r.found for w in r.where
                 if w.kind == "code"]
        if not lines:
            for r in refs:
                code = [w.line for w in r.where if w.kind in ("code", "string")]
                if r.kind in ("identifier", "snippet") and not r.fix and r.in_code and len(set(code)) <= 5:
                    lines.extend(code)
        return tuple(sorted(set(lines)))


def _masked(text: str) -> str:
    return re.sub(r"`[^`]*`", lambda m: "`" + "x" * (len(m.group()) - 2) + "`", text)


def _last_clause(text: str) -> str:
    cuts = [m.end() for m in _CLAUSE.finditer(_masked(text))]
    return text[cuts[-1]:] if cuts else text


def _first_clause(text: str) -> str:
    cut = _AFTER.search(_masked(text))
    return text[:cut.start()] if cut else text


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace('"', "'")


def _code_words(code: str) -> list[str]:
    code = re.sub(r"(['\"]).*?\1", " ", code)
    return list(dict.fromkeys(w for w in _WORD.findall(code) if w not in _PY_WORDS and len(w) > 1))


def _mention_words(m: Mention) -> list[str]:
    if m.form == "snippet":
        return _code_words(m.value)[:6]
    return [m.value.split(".")[-1]] if m.form != "literal" else [m.value]


def _word_at(name: str, facts: list, raw: str) -> bool:
    if any(name in f.names or name.lower() in f.parts for f in facts):
        return True
    return bool(re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", raw))


def _ranges(lines: list[int]) -> str:
    out: list[str] = []
    start = prev = lines[0]
    for n in lines[1:] + [0]:
        if n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ", ".join(out)
