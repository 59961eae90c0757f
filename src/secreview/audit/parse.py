"""Free-text review answer -> verdict + claims (ParsedAnswer). Pure text work: nothing here sees the code.

Claims are the answer's points: list items, and sections under a heading that names a defect (a CWE,
a weakness name, a line). Each gets a stance (see `_stance`): `defect`, `potential` (hedged),
`none` (the point denies a defect: "No apparent issues of improper access control") or `advice`.
Paragraphs outside them are the introduction, lead-ins and summary: they carry the verdict and the
answer-level assertions ("there are a few potential security issues") that a verdict can contradict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from secreview.audit import extract, lexicon
from secreview.audit.model import Claim, Construct, CweMention, LineRef, Mention, ParsedAnswer
from secreview.audit.segment import Block, blocks, normalize
from secreview.model import CLEAN_SENTENCE

_EXACT = re.compile(re.escape(CLEAN_SENTENCE[:-1]) + r"\.?", re.I)
_TITLE_BOLD = re.compile(r"^\s*(?:\*\*|__)(.{1,200}?)(?:\*\*|__)")
_TITLE_COLON = re.compile(r"^([^:\n]{1,80}?)\s*:(?:\s|$)")
_CODE_SPANS = re.compile(r"```.*?(?:```|$)|`[^`\n]*`|\"[^\"\n]{0,200}\"|“[^”\n]{0,200}”", re.S)
# "- **Line:** 21": a field of the claim above it, not a claim of its own
_FIELD = re.compile(r"^\W{0,4}(?:cwe(?:\s+id)?|lines?(?:\s+numbers?)?|location|description|solution|fix|severity|"
                    r"impact|recommendation|mitigation|remediation|type|file|code|details|explanation|evidence|weakness|"
                    r"category|risk|confidence)\W{0,4}:", re.I)


def _words(text: str) -> list[str]:
    return text.split()


_GENERIC = frozenset(
    _words(
        "a an the of and or in for on to with by code security potential possible identified detected found "
        "key main other additional detailed summary conclusion overview analysis findings finding "
        "recommendations recommendation introduction verdict result results details issues issue "
        "vulnerabilities vulnerability defects defect weaknesses observations review assessment notes note "
        "suggestions improvements fixes remediation mitigation mitigations report general cwe cwes list final "
        "answer response solution solutions step steps explanation description here is are my our this"))


@dataclass
class _Unit:
    blocks: list[Block]
    kind: str  # claim | free | fixes
    lead: str = ""
    number: int | None = None
    title: str = ""
    attached: list[str] = field(default_factory=list)  # fix text from a later "to address these" list

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)


def parse_answer(raw: str) -> ParsedAnswer:
    text = normalize(raw)
    units = _units(blocks(text))
    has_items = any(u.kind == "claim" for u in units)
    claims: list[Claim] = []
    free_sentences: list[str] = []
    extras: dict[str, list] = {"cwes": [], "lines": [], "mentions": [], "constructs": []}
    for unit in units:
        if unit.kind == "claim":
            claims.append(_claim(unit, len(claims)))
            continue
        sentences = [unit.text[a:b].strip() for a, b in extract.sentences(unit.text)]
        if unit.kind == "free" and _free_claim(unit, sentences, has_items):
            claims.append(_claim(unit, len(claims)))
            continue
        free_sentences.extend(sentences)
        _collect(unit.text, extras, fix_list=unit.kind == "fixes")
    verdict_sentence = next((_strip_md(s) for s in free_sentences if _says_none(s)), None)
    if verdict_sentence is None:
        verdict_sentence = next((m.group() for c in claims for m in [_EXACT.search(c.text)] if m), None)
    assertions = tuple(s for s in free_sentences if _asserts(s))
    defect_claims = [c for c in claims if c.claims_defect]
    if verdict_sentence is not None:
        verdict, conflict = "none", bool(defect_claims or assertions)
    elif defect_claims or assertions:
        verdict = "defects"
        conflict = not defect_claims and any(c.stance == "none" for c in claims)
    elif claims and all(c.stance == "none" for c in claims):
        verdict, conflict = "none", False
    else:
        verdict, conflict = "unclear", False
    return ParsedAnswer(
        text=text, words=len(text.split()), verdict=verdict, verdict_sentence=verdict_sentence,
        verdict_conflict=conflict, assertions=assertions, claims=tuple(claims),
        cwes=tuple(extras["cwes"]), lines=tuple(extras["lines"]), mentions=tuple(extras["mentions"]),
        constructs=tuple(extras["constructs"]))


def _says_none(sentence: str) -> bool:
    if _EXACT.search(sentence):
        return True
    if re.match(r"^\W*(?:if|when|unless|whether)\b", sentence, re.I):
        return False
    return any(p.search(sentence) for p in lexicon.VERDICT_NONE)


def _asserts(sentence: str) -> bool:
    if _says_none(sentence) or lexicon.SECURITY_DENIAL.search(sentence):
        return False
    return any(p.search(sentence) for p in lexicon.ASSERT_DEFECTS)


# -- structure ---------------------------------------------------------------------------------------

def _units(all_blocks: list[Block]) -> list[_Unit]:
    units: list[_Unit] = []
    i = 0
    lead = ""
    prev_item: Block | None = None
    run_kind = "claim"
    while i < len(all_blocks):
        block = all_blocks[i]
        if block.kind == "heading":
            end = i + 1
            while end < len(all_blocks) and not (all_blocks[end].kind == "heading"
                                                 and all_blocks[end].level <= block.level):
                end += 1
            section = all_blocks[i:end]
            if _claim_heading(block.text, section[1:]):
                units.append(_Unit(section, "claim", lead, None, _strip_md(block.text)))
                i = end
                continue
            units.append(_Unit([block], "free"))
            lead, prev_item = block.text, None
            i += 1
            continue
        if block.kind == "item":
            new_run = prev_item is None or not _same_run(prev_item, block)
            if new_run:
                run_kind = "fixes" if lexicon.LEAD_FIXES.search(lead) and any(
                    u.kind == "claim" for u in units) else "claim"
            units.append(_Unit([block], run_kind, lead, block.number, _title(block.text)))
            prev_item = block
            i += 1
            continue
        units.append(_Unit([block], "free"))
        sentences = extract.sentences(block.text)
        lead = block.text[sentences[-1][0]:].strip() if sentences else block.text
        prev_item = None
        i += 1
    return _attach_fixes(units)


def _same_run(prev: Block, block: Block) -> bool:
    if block.number is not None and prev.number is not None:
        return block.number != 1 or prev.number == 0
    return bool(block.bullet) == bool(prev.bullet)


def _attach_fixes(units: list[_Unit]) -> list[_Unit]:
    """Items of a "To address these ..., the following could be made:" list become the fixes of the claims
    with the same number (or position, when the counts match); unmatched ones stay advice claims."""
    out: list[_Unit] = []
    fix_run: list[_Unit] = []
    for unit in units + [_Unit([], "end")]:
        if unit.kind == "fixes":
            fix_run.append(unit)
            continue
        if fix_run:
            claims = [u for u in out if u.kind == "claim"]
            by_number = {u.number: u for u in claims if u.number is not None}
            numbered = all(f.number in by_number for f in fix_run)
            for pos, fix in enumerate(fix_run):
                target = by_number.get(fix.number) if numbered and fix.number is not None else (
                    claims[len(claims) - len(fix_run) + pos] if len(claims) >= len(fix_run) else None)
                if target is not None:
                    target.attached.append(fix.text)
                else:
                    fix.kind = "claim"
                    out.append(fix)
            fix_run = []
        if unit.kind != "end":
            out.append(unit)
    return out


def _claim_heading(title: str, section: list[Block]) -> bool:
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", title)]
    if not words or all(w in _GENERIC for w in words) and not re.search(r"CWE[\s_-]*[0-9]", title, re.I):
        return False
    if not section:
        return False
    carriers = [b for b in section if b.kind == "item" and not _FIELD.match(b.text) and (
        re.search(r"CWE[\s_-]*[0-9]", b.text, re.I) or extract.line_refs(b.text, False))]
    return len(carriers) < 2


def _title(text: str) -> str:
    first = text.split("\n", 1)[0]
    bold = _TITLE_BOLD.match(first)
    if bold:
        return bold.group(1).strip(" :")
    colon = _TITLE_COLON.match(first)
    if colon and re.fullmatch(r"CWE[\s_-]*[0-9]+", colon.group(1).strip(), re.I):
        return re.split(r"\s+[-–—]\s+|\.\s", first, maxsplit=1)[0][:80].strip()
    if colon and len(colon.group(1).split()) <= 12:
        return colon.group(1).strip()
    return first[:80].strip()


def _strip_md(text: str) -> str:
    return re.sub(r"[*_`#]+", "", text).strip(" :")


def _free_claim(unit: _Unit, sentences: list[str], has_items: bool) -> bool:
    """A paragraph outside any list is a claim when it states a defect and is not an intro or a summary."""
    text = unit.text
    if unit.blocks[0].kind == "code" or text.rstrip().endswith(":") or lexicon.SUMMARY_START.search(text):
        return False
    if any(_says_none(s) for s in sentences):
        return False
    cited = bool(re.search(r"CWE[\s_-]*[0-9]", text, re.I) or extract.line_refs(text, False))
    if has_items and not cited:
        return False
    stance, _ = _stance(sentences, "", bool(re.search(r"CWE[\s_-]*[0-9]", text, re.I)))
    return stance in ("defect", "potential")


# -- one claim ---------------------------------------------------------------------------------------

def _claim(unit: _Unit, index: int) -> Claim:
    text = unit.text
    sentences = [c for a, b in extract.sentences(text) for c in _clauses(text[a:b].strip())]
    fixes = _fix_flags(sentences)
    lines: list[LineRef] = []
    found: list[Mention] = []
    constructs: list[Construct] = []
    for sentence, fix in zip(sentences, fixes, strict=True):
        lines.extend(extract.line_refs(sentence, fix))
        found.extend(extract.mentions(sentence, fix))
        if not fix:
            constructs.extend(c for c in extract.constructs(sentence) if c.kind not in {k.kind for k in constructs})
    cwes = _dedupe_cwes([m for s in sentences for m in extract.cwe_mentions(s)])
    title = unit.title or _title(text)
    has_cwe = any(c.via == "id" or c.text.lower() in title.lower() for c in cwes)
    claim_part = [s for s, f in zip(sentences, fixes, strict=True) if not f]
    stance, hedged = _stance(claim_part, unit.lead, has_cwe) if claim_part else ("advice", False)
    if stance == "defect" and hedged:
        stance = "potential"
    fix_text = " ".join([s for s, f in zip(sentences, fixes, strict=True) if f] + unit.attached).strip() or None
    for extra in unit.attached:  # code named in an attached fix is a fix too
        for sentence in (extra[a:b] for a, b in extract.sentences(extra)):
            found.extend(extract.mentions(sentence, True))
    security = has_cwe or bool(lexicon.SECURITY.search(_prose(text)))
    first, last = unit.blocks[0].start, unit.blocks[-1].end
    return Claim(index=index, number=unit.number, title=title, text=text,
                 answer_lines=(first, last), stance=stance, security=security, cwes=tuple(cwes), lines=tuple(lines),
                 mentions=tuple(found), constructs=tuple(constructs), fix=fix_text)


def _clauses(sentence: str) -> list[str]:
    """A sentence cut at `;` and at `: ` inside it, so "the comparison is at line 30; use X" has a claim part
    and a fix part. The colon after a leading label ("Fix:", "CWE-89:") stays."""
    masked = re.sub(r"`[^`]*`", lambda m: "x" * len(m.group()), sentence)
    cuts = [m.end() for m in re.finditer(r";\s+|(?<=[\w)*])\:\s+(?=\S)", masked) if m.start() > 12
            and not re.search(r"(?:\b(?:lines?|cwe|location|numbers?|no|id)|\bL)\W{0,4}$", masked[:m.start()], re.I)]
    bounds = [0] + cuts + [len(sentence)]
    return [sentence[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False) if sentence[a:b].strip()]


def _prose(text: str) -> str:
    """The text without code, so that `TestConcurrentThings` does not read as talk of concurrency."""
    return _CODE_SPANS.sub(" ", text)


def _fix_flags(sentences: list[str]) -> list[bool]:
    flags = []
    in_fix = False
    for i, sentence in enumerate(sentences):
        if i == 0 and sentence.endswith(":") and "\n" not in sentence and len(sentence) <= 120:
            flags.append(False)  # the item's title line ("Use of hard-coded values:")
            continue
        if lexicon.FIX_LABEL.match(sentence):
            in_fix = True
        elif re.match(r"^\W*(?:description|line|location|cwe|issue|problem|impact|severity)\s*(?:\*\*|__)?\s*:",
                      sentence, re.I):
            in_fix = False
        flags.append(in_fix or extract.is_fix(sentence))
    return flags


def _dedupe_cwes(cwes: list[CweMention]) -> list[CweMention]:
    """Ids as given; names only fill in when the claim gives no id (a name next to an id is kept on the id)."""
    seen: dict[tuple[int, str], CweMention] = {}
    ids = {c.id for c in cwes if c.via == "id"}
    for c in cwes:
        if c.via == "name" and ids:
            continue
        seen.setdefault((c.id, c.via), c)
    return list(seen.values())


def _stance(sentences: list[str], lead: str, has_cwe: bool) -> tuple[str, bool]:
    """defect | potential | none | advice, and whether the defect is hedged. See docs/audit.md."""
    if any(lexicon.SECURITY_DENIAL.search(s) for s in sentences):
        return "none", False
    denials, defects = [], []
    for s in sentences:
        if _denies(s):
            denials.append(s)
        elif lexicon.DEFECT.search(s):
            defects.append(s)
    lead_defects = bool(lexicon.LEAD_DEFECTS.search(lead)) and not _says_none(lead)
    lead_hedged = lead_defects and bool(lexicon.HEDGE.search(lead))
    if defects:
        return "defect", lead_hedged or any(lexicon.HEDGE.search(s) for s in defects)
    if denials:
        return "none", False
    if lead_defects:
        return "defect", lead_hedged
    if has_cwe and not lexicon.LEAD_ADVICE.search(lead):
        return "defect", False
    return "advice", False


def _denies(sentence: str) -> bool:
    for pattern in lexicon.DENIAL:
        for match in pattern.finditer(sentence):
            rest = sentence[match.end():match.end() + 60]
            if pattern in lexicon.DENIAL_OF_PRESENCE and lexicon.PROTECTION.match(rest):
                continue  # "there is no input validation": a missing protection is a defect claim
            if pattern is lexicon.DENIAL_POSITIVE and (
                    re.search(r"\b(?:not|never)\b|n't", match.group(), re.I)
                    or re.search(r"\b(?:not|n't|never|no)\s+(?:\w+\s+)?$", sentence[:match.start()], re.I)):
                continue  # "is not handled" says the opposite
            return True
    return False


def _collect(text: str, extras: dict[str, list], fix_list: bool) -> None:
    for a, b in extract.sentences(text):
        sentence = text[a:b]
        fix = fix_list or extract.is_fix(sentence)
        extras["lines"].extend(extract.line_refs(sentence, fix))
        extras["mentions"].extend(extract.mentions(sentence, fix))
        extras["cwes"].extend(extract.cwe_mentions(sentence))
        if not fix:
            extras["constructs"].extend(extract.constructs(sentence))
