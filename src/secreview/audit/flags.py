"""The fixed vocabulary of quality flags, and the rules that raise them. docs/audit.md documents each.

A flag names the claim it is about (0-based index into the answer's claims) or None for the answer as
a whole. Proposed fixes may name code that does not exist yet, so references inside a fix raise nothing.
"""

from __future__ import annotations

from secreview.audit.model import Flag, ParsedAnswer, Reference

VERBOSE_BASE, VERBOSE_PER_CLAIM = 100, 120

# code -> one-line meaning (the documented vocabulary, in report order)
FLAGS: dict[str, str] = {
    "verdict-conflict": "the verdict says no defects but the body claims some (hedged ones included), or the reverse",
    "unclear-verdict": "the answer neither states a verdict nor claims a defect",
    "unknown-identifier": "a name the answer attributes to the code is nowhere in the file",
    "not-in-code": "a name occurs in the file only in comments or docstrings, not in code",
    "misquoted-code": "quoted code is not in the file as quoted",
    "unknown-construct": "the answer says the code has a construct (exception handling, logging) it does not have",
    "bad-line-reference": "a cited line is out of range, blank, a comment or docstring cited as code, "
                          "or does not hold what the sentence says",
    "unknown-cwe": "a CWE id that is not in the catalog",
    "off-list-cwe": "a CWE id that is not on the list the request allowed",
    "cwe-mismatch": "a CWE id followed by the name of a different, unrelated weakness",
    "vague": "a defect claim with no location and no code",
    "missing-location": "a defect claim without a line number",
    "missing-fix": "a defect claim without a proposed fix",
    "non-security": "a point that is not about security (style, naming, docstrings, test design)",
    "verbose": f"more than {VERBOSE_BASE} words plus {VERBOSE_PER_CLAIM} per security defect claim",
}

_REFERENCE_FLAGS = {
    ("identifier", "unknown"): "unknown-identifier",
    ("identifier", "not-in-code"): "not-in-code",
    ("snippet", "misquoted"): "misquoted-code",
    ("construct", "absent"): "unknown-construct",
    ("cwe", "unknown-cwe"): "unknown-cwe",
    ("cwe", "off-list"): "off-list-cwe",
    ("cwe", "name-mismatch"): "cwe-mismatch",
}


def raise_flags(parsed: ParsedAnswer, refs: list[Reference]) -> list[Flag]:
    flags: list[Flag] = []
    if parsed.verdict_conflict:
        if parsed.verdict == "none":
            n = sum(1 for c in parsed.claims if c.claims_defect)
            body = f"{n} claim(s) state defects" if n else "the text says defects exist"
            if parsed.assertions:
                body += f" ({parsed.assertions[0][:100]!r})"
            flags.append(Flag("verdict-conflict", None, f"the verdict says no defects, but {body}"))
        else:
            flags.append(Flag("verdict-conflict", None, "the answer says defects exist, but every point denies one"))
    if parsed.verdict == "unclear":
        flags.append(Flag("unclear-verdict", None, "no verdict sentence and no defect claim"))
    for ref in refs:
        if not ref.problem or ref.fix and ref.kind != "line":  # a fix may name new code, not new lines
            continue
        if ref.kind == "line":
            flags.append(Flag("bad-line-reference", ref.claim, f"line {ref.value}: {ref.note}"))
            continue
        code = _REFERENCE_FLAGS.get((ref.kind, ref.problem))
        if code:
            shown = ref.value if len(ref.value) <= 80 else ref.value[:77] + "..."
            flags.append(Flag(code, ref.claim, f"`{shown}`: {ref.note}" if ref.kind != "construct" else ref.note))
    security_claims = 0
    for claim in parsed.claims:
        own = [r for r in refs if r.claim == claim.index and not r.fix]
        if claim.claims_defect:
            lines = [r for r in refs if r.claim == claim.index and r.kind == "line"]  # a line in a fix locates too
            in_code = [r for r in own if r.kind in ("identifier", "snippet")]
            if not lines and not in_code:
                flags.append(Flag("vague", claim.index, "no line and no code: the claim cannot be checked"))
            elif not lines:
                flags.append(Flag("missing-location", claim.index, "no line number"))
            if not claim.fix:
                flags.append(Flag("missing-fix", claim.index, "no fix is proposed"))
            security_claims += claim.security
        if claim.stance != "none" and not claim.security:
            flags.append(Flag("non-security", claim.index, f"not about security: {claim.title[:60]!r}"))
    limit = VERBOSE_BASE + VERBOSE_PER_CLAIM * security_claims
    if parsed.words > limit:
        flags.append(Flag("verbose", None, f"{parsed.words} words for {security_claims} security defect claim(s) "
                                           f"(limit {limit})"))
    order = list(FLAGS)
    return sorted(flags, key=lambda f: (-1 if f.claim is None else f.claim, order.index(f.code)))
