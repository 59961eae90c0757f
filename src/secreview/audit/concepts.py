"""Words an answer uses for kinds of code, and how to recognise that code on a line (the "supports"
check of a line reference), plus words that place a claim without a CWE under a CWE-1000 pillar.

A concept holds on a cited line when the facts of the statement(s) on it (code_index.Facts) have one of
its node kinds, one of its name words (identifier parts: `addCleanup` -> add, cleanup), or a string
matching its pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from secreview.audit.code_index import Facts

_I = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class Concept:
    name: str
    words: re.Pattern[str]  # in the answer's sentence
    kinds: frozenset[str] = frozenset()  # AST node types on the line
    parts: frozenset[str] = frozenset()  # identifier word parts on the line
    strings: re.Pattern[str] | None = None  # string literals on the line

    def holds(self, facts: Facts) -> bool:
        return bool(self.kinds & facts.kinds or self.parts & facts.parts or (
            self.strings is not None and any(self.strings.search(s) for s in facts.strings)))


def _c(name: str, words: str, kinds: str = "", parts: str = "", strings: str | None = None) -> Concept:
    return Concept(name, re.compile(words, _I), frozenset(kinds.split()), frozenset(parts.split()),
                   re.compile(strings, _I) if strings else None)


CONCEPTS: tuple[Concept, ...] = (
    _c("cleanup", r"\bclean(?:s|ed|ing)?[- ]?ups?\b|\bteardown\b|\btear(?:s|ing)?\s+down\b|\breset(?:s|ting)?\b|"
       r"\brestor\w*|\breleas\w*|\bclos(?:e|es|ed|ing)\b|\bdispos\w*|\bfinali[sz]\w*",
       "With AsyncWith", "cleanup cleanups teardown reset restore release close dispose shutdown stop unlink remove "
       "rmtree exit finalize"),
    _c("comparison", r"\bcompar\w*|\bequality\b|\bequals?\b|==|!=", "Compare"),
    _c("loop", r"\bloops?\b|\biterat\w*|\bfor[- ]loops?\b|\bwhile[- ]loops?\b",
       "For AsyncFor While ListComp SetComp DictComp GeneratorExp"),
    _c("exception", r"\bexcept\w*|\btry\b|\bcatch\w*|\braise[sd]?\b|\braising\b|\bthrow\w*",
       "Try ExceptHandler Raise", "error exception raises fail"),
    _c("assertion", r"\bassert\w*", "Assert", "assert fail"),
    _c("import", r"\bimport\w*", "Import ImportFrom"),
    _c("return", r"\breturn\w*", "Return"),
    _c("definition", r"\bdefin\w*|\bdeclar\w*", "FunctionDef AsyncFunctionDef ClassDef Assign AnnAssign"),
    _c("wait", r"\bsleep\w*|\bwait\w*|\bpoll\w*|\btime[- ]?outs?\b", "", "sleep wait poll timeout"),
    _c("lock", r"\block(?:s|ed|ing)?\b|\bmutex\w*|\bsemaphore\w*|\bacquir\w*", "",
       "lock rlock acquire release semaphore mutex"),
    _c("file", r"\bfiles?\b|\bopen(?:s|ed|ing)?\b", "", "open file path read write"),
    _c("sql", r"\bsql\b|\bquer(?:y|ies)\b", "", "execute executemany query sql raw cursor",
       r"\b(?:select|insert|update|delete)\b"),
    _c("command", r"\bcommands?\b|\bshell\b|\bsubprocess\b|\bos\.system\b", "",
       "system popen subprocess spawn shell check_output check_call"),
    _c("format", r"\bformat\w*|\bconcatenat\w*|\binterpolat\w*|\bf-strings?\b", "JoinedStr", "format"),
    _c("secret", r"\bpasswords?\b|\bsecrets?\b|\bcredentials?\b|\btokens?\b|\bapi[- ]?keys?\b", "",
       "password passwd pwd secret credential credentials token key apikey"),
    _c("random", r"\brandom\w*|\bnonce\b|\bsalt\b", "", "random randint randrange choice uuid urandom secrets"),
    _c("crypto", r"\bhash\w*|\bmd5\b|\bsha\d*\b|\bencrypt\w*|\bcipher\w*|\bcrypt\w*", "",
       "hash hashlib md5 sha1 sha256 encrypt cipher crypt aes des hmac"),
    _c("hardcoded", r"\bhard[- ]?cod\w*|\bliterals?\b|\bconstants?\b|\bmagic\s+(?:numbers?|values?)\b", "Constant"),
    _c("log", r"\blog(?:s|ged|ging|ger|gers)?\b", "", "log logger logging"),
    _c("condition", r"\bconditions?\b|\bconditional\w*|\bif[- ]statements?\b|\bbranch\w*", "If IfExp Compare Assert"),
)


def concepts_in(text: str) -> list[Concept]:
    return [c for c in CONCEPTS if c.words.search(text)]


# Words that place a claim without a CWE under a pillar, through a representative CWE (first match wins).
PILLAR_WORDS: tuple[tuple[re.Pattern[str], int], ...] = tuple((re.compile(p, _I), cwe) for p, cwe in (
    (r"\bsql\b|injection|\bxss\b|cross[- ]site\s+scripting|sanitiz|escap(?:e|ing)\b|neutrali[sz]|"
     r"input\s+validation|\bvalidat(?:e|ed|ion)\b|malicious\s+(?:data|input)|untrusted", 20),
    (r"race\s+condition|concurren|synchroni[sz]|toctou|time[- ]of[- ]check", 362),
    (r"deadlock", 833),
    (r"cross[- ]site\s+request|csrf", 352),
    (r"crypt|\bhash|\bmd5\b|\bsha1\b|\btls\b|\bssl\b|certificate|\brandom|cipher", 327),
    (r"access\s+control|authori[sz]|authenticat|privilege|permission|unauthori[sz]ed|password|credential|"
     r"secret|security\s+polic", 284),
    (r"exposure|expose|sensitive\s+(?:data|information)|disclos|leak\s+of\s+(?:data|information)", 200),
    (r"leak|not\s+closed|never\s+closed|not\s+released|cleanup|clean\s+up|resource|lifetime", 404),
    (r"denial[- ]of[- ]service|\bdos\b|exhaust|unbounded|redos", 400),
    (r"exception|crash|unhandled|uncaught|error\s+handling", 703),
    (r"overflow|calculation|arithmetic|division\s+by\s+zero", 682),
    (r"comparison|compare", 697),
    (r"control\s+flow|infinite\s+loop|recursion", 691),
))
