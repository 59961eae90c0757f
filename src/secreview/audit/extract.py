"""What one sentence of an answer cites: line references, code (names, calls, dotted names, quoted code),
CWE ids and names, and code constructs it says are present.

Generic English never becomes an identifier: only backticked code, call-shaped `name()`, dotted names,
snake_case and camelCase words (and quoted text of those shapes) count; a bare two-hump PascalCase word
("OpenStack") is kept as *soft* and only reported when the code has it.
"""

from __future__ import annotations

import keyword
import re
from functools import cache

from secreview.audit import lexicon
from secreview.audit.model import Construct, CweMention, LineRef, Mention
from secreview.cwe import load_catalog

MAX_LINE = 10**9  # a cited number above this is not a line number of any real file

_NUM = r"[0-9]+"
_RANGE = _NUM + r"(?:\s*(?:-|–|—|to|through|thru|\.\.)\s*(?:L|lines?\s+)?" + _NUM + r")?"
_LINES = re.compile(r"\blines[*_\"']*\s*(?:nos?\.?|numbers?|num\.?|#)?\s*[*_\"']*\s*[:#]?\s*[*_]*\s*(?P<first>" + _RANGE
                    + r")(?P<more>(?:\s*(?:,\s*and|,\s*or|,|&|\band\b|\bor\b)\s*(?:lines?\s+)?" + _RANGE + r")*)", re.I)
_LINE = re.compile(r"\bline[*_\"']*\s*(?:no\.?|number|num\.?|#)?\s*[*_\"']*\s*[:#]?\s*[*_]*\s*(?P<first>" + _RANGE
                   + r")", re.I)
_LSHORT = re.compile(r"(?<![\w/.-])#?L(?P<first>[0-9]+(?:\s*-\s*L?[0-9]+)?)\b")
_FILELINE = re.compile(r"\b[\w./-]+\.py:(?P<first>[0-9]+(?:-[0-9]+)?)\b")
_NUMS = re.compile(_NUM)
_GROUP_GAP = re.compile(r"^[\s,;&()\[\]]*(?:and|or|as\s+well\s+as)?[\s,;&()\[\]]*$", re.I)

_BACKTICK = re.compile(r"(`{1,2})(?!`)(.+?)(?<!`)\1(?!`)")
_QUOTED = re.compile(r"\"([^\"\n]{1,200})\"|“([^”\n]{1,200})”|(?<![\w'])'([^'\n]{1,120})'(?![\w'])")
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.I)
_BARE = re.compile(r"(?<![\w.\-/@$])[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*(?:\(\))?")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = re.compile(r"^(?P<name>" + _NAME + r"(?:\s*\.\s*" + _NAME + r")*)\s*(?P<call>\(\s*\))?$")
_CALL_ARGS = re.compile(r"^" + _NAME + r"(?:\." + _NAME + r")*\s*\(.*\)$", re.S)
_LITERAL = re.compile(r"^[^\s()\[\]{}=,;<>+*|]+$")
_STRING = re.compile(r"^(['\"])(.*)\1$", re.S)
_SNAKE = re.compile(r"^_*[A-Za-z0-9]+(?:_+[A-Za-z0-9]+)+_*$|^__\w+__$")
_LOWER_CAMEL = re.compile(r"^[a-z][a-z0-9]+[A-Z][A-Za-z0-9]*$")
_PASCAL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$")
_CWE = re.compile(r"\bCWE[\s_-]*(?:ID\s*)?#?\s*(?P<id>[0-9]+)\b", re.I)
_CWE_NAME_GAP = re.compile(r"^[\s:\-–—(\[*_'\"]*$")
_WORD = re.compile(r"[A-Za-z0-9]+")
_ABBREV_END = re.compile(r"(?:^|[\s(])([A-Za-z]{1,6}(?:\.[A-Za-z]{1,3})*)\.$")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of `text`; inline code and fenced blocks are never split."""
    masked = _mask(text)
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"[.!?]+[)\"'\]]*(?=\s)|:[ \t]*(?=\n)|\n[ \t]*\n|\n(?=[ \t]*```)|(?<=```)\n|"
                             r"\n(?=[ \t]*(?:\*\*|__)?[A-Z][\w ]{0,24}(?:\*\*|__)?:)", masked):
        end = match.end()
        piece = masked[start:end]
        if match.group().startswith(".") and _abbreviation(piece):
            continue
        if piece.strip():
            spans.append((start, end))
        start = end
    if masked[start:].strip():
        spans.append((start, len(text)))
    return spans


def _abbreviation(piece: str) -> bool:
    found = _ABBREV_END.search(piece.rstrip(")\"']"))
    return found is not None and found.group(1).lower().replace(".", "") in {a.replace(".", "")
                                                                         for a in lexicon.ABBREVIATIONS}


def _mask(text: str) -> str:
    """Blank out the inside of fences and backticks so sentence punctuation inside code is ignored."""
    chars = list(text)
    for match in re.finditer(r"```.*?(?:```|$)", text, re.S):
        for i in range(match.start() + 3, max(match.start() + 3, match.end() - 3)):
            if chars[i] not in "\n":
                chars[i] = "x"
    for match in _BACKTICK.finditer(text):
        for i in range(match.start(2), match.end(2)):
            chars[i] = "x"
    return "".join(chars)


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= 9 and int(digits) <= MAX_LINE else 0


def _ranges(text: str) -> list[tuple[int, int, str]]:
    out = []
    for part in re.split(r"\s*(?:,\s*and|,\s*or|,|&|\band\b|\bor\b)\s*", text, flags=re.I):
        numbers = [_number(n) for n in _NUMS.findall(part)]
        if numbers:
            first, last = numbers[0], numbers[-1]
            out.append((min(first, last) if first and last else 0, max(first, last), part.strip()))
    return out


def line_refs(sentence: str, fix: bool) -> list[LineRef]:
    """Every line reference in one sentence, with the words around its group (refs cited together)."""
    hits: list[tuple[int, int, int, int, str]] = []  # start, end, first, last, text
    taken: list[tuple[int, int]] = []
    for pattern in (_LINES, _LINE, _LSHORT, _FILELINE):
        for match in pattern.finditer(sentence):
            if any(a <= match.start() < b for a, b in taken):
                continue
            taken.append((match.start(), match.end()))
            body = match.group("first") + (match.groupdict().get("more") or "")
            for first, last, text in _ranges(body):
                hits.append((match.start(), match.end(), first, last, text))
    if not hits:
        return []
    hits.sort()
    groups: list[list[tuple[int, int, int, int, str]]] = []
    for hit in hits:
        if groups and (hit[0] <= groups[-1][-1][1] or _GROUP_GAP.match(sentence[groups[-1][-1][1]:hit[0]])):
            groups[-1].append(hit)
        else:
            groups.append([hit])
    refs = []
    for i, group in enumerate(groups):
        begin = groups[i - 1][-1][1] if i else 0
        finish = groups[i + 1][0][0] if i + 1 < len(groups) else len(sentence)
        before, after = sentence[begin:group[0][0]], sentence[max(h[1] for h in group):finish]
        for _, _, first, last, text in group:
            shown = f"line {first}" if first == last else f"lines {first}-{last}"
            refs.append(LineRef(first, last, shown if first else f"line {text}", before, after, fix))
    return refs


def mentions(sentence: str, fix: bool) -> list[Mention]:
    """Code named in one sentence: backticked, quoted, or bare code-shaped words."""
    out: list[Mention] = []
    masked = list(sentence)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            masked[i] = " "

    for match in re.finditer(r"```[^\n]*\n?(.*?)(?:```|$)", sentence, re.S):
        code = match.group(1).strip()
        if code:
            out.append(Mention(code, match.group(), "snippet", "fence", fix))
        blank(match.start(), match.end())
    for match in _BACKTICK.finditer("".join(masked)):
        mention = _classify(match.group(2), match.group(), "backtick", fix)
        if mention:
            out.append(mention)
        blank(match.start(), match.end())
    for match in _URL.finditer("".join(masked)):
        blank(match.start(), match.end())
    for match in _QUOTED.finditer("".join(masked)):
        inner = next(g for g in match.groups() if g is not None)
        mention = _classify(inner, match.group(), "quote", fix)
        if mention and (mention.form != "literal" or _code_word(inner)):
            out.append(mention)
        elif mention:
            out.append(Mention(mention.value, mention.text, mention.form, "quote", fix, soft=True))
        blank(match.start(), match.end())
    for match in _BARE.finditer("".join(masked)):
        mention = _bare(match.group(), fix)
        if mention:
            out.append(mention)
    return out


def _classify(inner: str, text: str, source: str, fix: bool) -> Mention | None:
    code = inner.strip()
    if not code or _CWE.fullmatch(code) or len(code) > 2000:
        return None
    string = _STRING.match(code)
    if string and "\n" not in code:
        value = string.group(2)
        return Mention(value, text, "literal", source, fix) if value.strip() else None
    dotted = _DOTTED.match(code)
    if dotted:
        name = re.sub(r"\s+", "", dotted.group("name"))
        if keyword.iskeyword(name) or keyword.issoftkeyword(name):
            return None  # `with`, `try`: words of the language, not names in the file
        if source == "quote" and not _code_word(name) and not dotted.group("call"):
            return None
        form = "call" if dotted.group("call") else ("dotted" if "." in name else "name")
        return Mention(name, text, form, source, fix)
    if _CALL_ARGS.match(code) or not _LITERAL.match(code):
        if source == "quote" and not re.search(_NAME + r"\s*[.(=\[]", code):
            return None
        return Mention(code, text, "snippet", source, fix)
    return Mention(code, text, "literal", source, fix)


def _code_word(word: str) -> bool:
    """snake_case, camelCase, dotted or hyphen-joined code-ish words; not plain English."""
    parts = re.split(r"[.-]", word)
    return any(_SNAKE.match(p) or _LOWER_CAMEL.match(p) or _PASCAL.match(p) for p in parts if p) or (
        "." in word and all(re.fullmatch(_NAME, p) for p in parts))


def _bare(token: str, fix: bool) -> Mention | None:
    call = token.endswith("()")
    name = token[:-2] if call else token
    name = name.rstrip("-")
    if not name or name in lexicon.NOT_IDENTIFIERS:
        return None
    if "-" in name:  # os-migrateLive: a value, not a name; only when the code has it
        if call or not any(_SNAKE.match(p) or _LOWER_CAMEL.match(p) for p in name.split("-")):
            return None
        return Mention(name, token, "literal", "bare", fix, soft=True)
    parts = name.split(".")
    if len(parts) > 1:
        if parts[-1].lower() in lexicon.FILE_SUFFIXES or all(len(p) <= 1 for p in parts):
            return None
        if ".".join(parts[:2]).lower() in lexicon.ABBREVIATIONS or parts[0].lower() in lexicon.ABBREVIATIONS:
            return None
        hard = call or len(parts) >= 3 or parts[0] in ("self", "cls") or any(
            "_" in p or _LOWER_CAMEL.match(p) for p in parts)
        return Mention(name, token, "call" if call else "dotted", "bare", fix, soft=not hard)
    if call:
        return Mention(name, token, "call", "bare", fix)
    if _SNAKE.match(name) and not name.strip("_").isdigit():
        return Mention(name, token, "name", "bare", fix)
    if _LOWER_CAMEL.match(name):
        return Mention(name, token, "name", "bare", fix)
    if _PASCAL.match(name):
        humps = sum(1 for c in name if c.isupper())
        return Mention(name, token, "name", "bare", fix, soft=humps < 3)
    return None


def cwe_mentions(sentence: str) -> list[CweMention]:
    """CWE ids (CWE-79) with the catalog entry the words right after them name, and CWE names alone."""
    names = find_cwe_names(sentence)
    out: list[CweMention] = []
    used: set[int] = set()
    for match in _CWE.finditer(sentence):
        digits = match.group("id")
        cwe_id = int(digits) if len(digits) <= 7 else 0
        named_as = None
        for i, (start, _, name_id) in enumerate(names):
            if start >= match.end() and _CWE_NAME_GAP.match(sentence[match.end():start]):
                named_as = name_id
                used.add(i)
                break
        out.append(CweMention(cwe_id, match.group(), "id", named_as))
    ids = {m.id for m in out}
    for i, (start, end, name_id) in enumerate(names):
        if i not in used and name_id not in ids:
            out.append(CweMention(name_id, sentence[start:end], "name"))
            ids.add(name_id)
    return out


@cache
def _name_index() -> tuple[dict[tuple[str, ...], int], dict[str, tuple[int, ...]]]:
    """Catalog weakness names and their quoted aliases ('SQL Injection') as word tuples -> id."""
    catalog = load_catalog()
    index: dict[tuple[str, ...], int] = {}
    for entry in catalog:
        if entry.kind != "weakness" or entry.status == "Deprecated":
            continue
        variants = [entry.name, re.sub(r"\s*\('[^']*'\)", "", entry.name)]
        variants += re.findall(r"\('([^']+)'\)", entry.name)
        for variant in variants:
            words = tuple(w.lower() for w in _WORD.findall(variant))
            if len(words) >= 2:
                index.setdefault(words, entry.id)
    # a shortened pillar name answers often use
    index.setdefault(("improper", "interaction", "between", "multiple", "entities"), 435)
    lengths: dict[str, set[int]] = {}
    for words in index:
        lengths.setdefault(words[0], set()).add(len(words))
    return index, {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}


def find_cwe_names(text: str) -> list[tuple[int, int, int]]:
    """(start, end, CWE id) of catalog names in `text`, longest first, not overlapping."""
    index, lengths = _name_index()
    words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    out = []
    i = 0
    while i < len(words):
        for n in lengths.get(words[i][2], ()):
            if i + n <= len(words):
                key = tuple(w[2] for w in words[i:i + n])
                if key in index:
                    out.append((words[i][0], words[i + n - 1][1], index[key]))
                    i += n - 1
                    break
        i += 1
    return out


def constructs(sentence: str) -> list[Construct]:
    """Code constructs the sentence says the code has ("catches and logs exceptions")."""
    out = []
    for kind, pattern in lexicon.CONSTRUCTS.items():
        for match in pattern.finditer(sentence):
            clause = re.split(r"[,;]|\bbut\b|\bhowever\b", sentence[:match.start()], flags=re.I)[-1]
            if not lexicon.CONSTRUCT_NEGATION.search(clause + " " + match.group()):
                out.append(Construct(kind, match.group()))
                break
    return out


def is_fix(sentence: str) -> bool:
    return any(p.search(sentence) for p in lexicon.FIX)
