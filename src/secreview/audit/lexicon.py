"""The words audit reads answers by: verdict sentences, denials, defect signals, hedges, fixes, security
and style vocabulary. Every pattern works on one sentence and is linear in its length (bounded
repetitions only), so a hostile answer cannot make parsing slow.

Kept as data in one place so docs/audit.md can describe them and tests can pin them.
"""

from __future__ import annotations

import re


def _words(text: str) -> list[str]:
    return text.split()

_I = re.IGNORECASE
_NOUN = r"(?:defects?|vulnerabilit(?:y|ies)|issues?|weakness(?:es)?|flaws?|problems?|concerns?|risks?|bugs?)"
_STRONG_NOUN = r"(?:defects?|vulnerabilit(?:y|ies)|weakness(?:es)?|flaws?)"
_ADJ = (r"(?:obvious|apparent|evident|significant|major|known|critical|real|actual|serious|clear|immediate|notable|"
        r"glaring|specific|identifiable|direct|exploitable|potential|such)")
_NEG_WORD = r"(?:no|not|n't|without|lack|lacks|lacking|missing|never|none|nothing|neither|nor|absence)"

# The overall "no defects" verdict: the exact sentence and its paraphrases. "No other issues" is not one.
VERDICT_NONE = [
    re.compile(r"\bno\s+(?!other\b|further\b|additional\b|more\b)(?:" + _ADJ
               + r"\s+){0,3}(?:security(?:[- ]related)?\s+)?" + _NOUN
               + r"\s+(?:(?:were|was|are|is|have\s+been|has\s+been|could\s+be|can\s+be)\s+)?"
               r"(?:found|detected|identified|present|discovered|evident|observed|spotted|apparent|reported)\b", _I),
    re.compile(r"\bno\s+(?!other\b|further\b|additional\b|more\b)(?:" + _ADJ + r"\s+){0,2}security(?:[- ]related)?\s+"
               r"(?:defects?|vulnerabilit(?:y|ies)|issues?|weakness(?:es)?|flaws?|problems?|concerns?|risks?)\b"
               r"(?!\s+(?:of|related\s+to|regarding|concerning|in\s+terms)\b)", _I),
    re.compile(r"\b(?:does|do|did)\s*(?:n't|not)\s+(?:appear\s+to\s+|seem\s+to\s+)?"
               r"(?:contain|have|introduce|include|find|see|identify|detect|spot|notice|pose|present)\s+any\s+"
               r"(?:" + _ADJ + r"\s+){0,2}(?:security(?:[- ]related)?\s+)?" + _NOUN + r"\b", _I),
    re.compile(r"\b(?:i|we)\s+(?:found|see|saw|identified|detected|observed|spotted)\s+no\s+(?!other\b|further\b)"
               r"(?:" + _ADJ + r"\s+){0,2}(?:security(?:[- ]related)?\s+)?" + _NOUN + r"\b", _I),
    re.compile(r"\b(?:i|we)\s+(?:could|can|did)\s*(?:n't|not)\s+(?:find|identify|detect|spot|see)\s+any\s+"
               r"(?:" + _ADJ + r"\s+){0,2}(?:security(?:[- ]related)?\s+)?" + _NOUN + r"\b", _I),
    re.compile(r"\bthere\s+(?:are|is|were|was)\s+no\s+(?!other\b|further\b|additional\b|more\b)(?:" + _ADJ
               + r"\s+){0,2}(?:security(?:[- ]related)?\s+)?" + _NOUN
               + r"(?!\s+(?:of|with|related\s+to|regarding|in\s+terms)\b)", _I),
    re.compile(r"\b(?:code|it|file|function|implementation|script|snippet|program|module|class|change|patch)\s+"
               r"(?:is|appears|seems|looks)\s+(?:to\s+be\s+)?(?:(?:generally|reasonably|fairly|quite|relatively|"
               r"overall|completely|entirely)\s+)?(?:secure|safe|free\s+(?:of|from)\s+(?:security\s+)?" + _NOUN
               + r")(?!\s+(?:to|from|against|for)\b)", _I),
    re.compile(r"\b(?:is|are)\s+not\s+vulnerable\b", _I),
]

# Sentences outside the claims that say defects exist (hedged ones too): what makes a verdict-conflict.
_QUANT = (r"(?:a\s+few|a\s+couple\s+of|some|several|many|multiple|the\s+following|few|two|three|four|five|[0-9]+|"
          r"a|an|one|these|various|numerous)")
ASSERT_DEFECTS = [
    re.compile(r"\b(?:is|are|be|appears?\s+to\s+be|seems?\s+to\s+be|looks?\s+to\s+be)\s+(?:potentially\s+|possibly\s+)?"
               r"vulnerable\b", _I),
    re.compile(r"\b(?:there\s+(?:are|is|exist|exists|were|was)|here\s+are|(?:i|we)\s+(?:have\s+)?(?:found|identified|"
               r"detected|spotted|noticed)|(?:has|have|contains?|includes?|introduces?)|identified|found|detected)\s+"
               r"(?:" + _QUANT + r"\s+)?(?:(?!no\b|not\b|any\b|zero\b|without\b)[\w-]+\s+){0,3}?"
               r"(?:(?:security(?:[- ]related)?\s+)?" + _STRONG_NOUN + r"|security(?:[- ]related)?\s+"
               r"(?:issues?|problems?|concerns?|risks?|bugs?))\b", _I),
    re.compile(r"\b(?:potential|possible)\s+security(?:[- ]related)?\s+" + _NOUN + r"\s+(?:that|which)\s+"
               r"(?:could|should|might|may|can|need|must|would)\b", _I),
    re.compile(r"\bcould\s+(?:potentially\s+)?(?:allow|enable|let|permit)\s+(?:an?\s+)?(?:attacker|malicious|"
               r"unauthori[sz]ed)", _I),
]

# Sentences that deny a defect, or say a part of the code is fine.
DENIAL = [
    re.compile(r"\bno\s+(?:" + _ADJ + r"\s+){0,3}(?:security\s+)?(?:issues?|problems?|defects?|vulnerabilit(?:y|ies)|"
               r"weakness(?:es)?|concerns?|risks?|flaws?|indications?|evidence|signs?|misuse|instances?|"
               r"occurrences?)\b", _I),
    re.compile(r"\bnone\s+of\s+(?:which|these|them|those|the\s+above)\b", _I),
    re.compile(r"\bnot\s+(?:applicable|relevant|exploitable|a\s+concern|an?\s+(?:real\s+)?(?:issue|concern|problem|"
               r"risk|vulnerability|defect))\b", _I),
    re.compile(r"\b(?:does|do)\s*(?:n't|not)\s+(?:seem|appear)\s+to\s+(?:be|have|contain|pose|introduce)\b", _I),
    re.compile(r"\b(?:there\s+(?:is|are|was|were)\s*(?:n't|not)|there's\s+no|there\s+is\s+no|there\s+are\s+no|"
               r"isn't|aren't)\s+(?:any\s+)?", _I),
    re.compile(r"\b(?:is|are|appears?\s+to\s+be|seems?\s+to\s+be|looks?|were|was)\s+(?:\w+\s+)?(?:correct(?:ly)?|"
               r"appropriate(?:ly)?|safe(?:ly)?|secure(?:ly)?|fine|robust|adequate(?:ly)?|sufficient(?:ly)?|"
               r"handled|managed|mitigated|sanitized|validated|protected)\b", _I),
    re.compile(r"\b(?:adheres?|complies|conforms)\s+(?:\w+\s+){0,2}to\b", _I),
    re.compile(r"\bindicates?\s+proper\b", _I),
]
DENIAL_OF_PRESENCE = (DENIAL[3], DENIAL[4])  # "there is no X": X decides (see PROTECTION)
DENIAL_POSITIVE = DENIAL[5]  # "are handled correctly"
# The object of a denial that makes it a defect claim instead: "there is no input validation".
PROTECTION = re.compile(
    r"^(?:\s*(?:any|explicit|proper|adequate|sufficient|input|real|apparent|obvious|specific)\s+){0,3}\s*"
    r"(?:validation|sanitization|sanitisation|escaping|check(?:s|ing)?|authentication|authorization|authorisation|"
    r"encryption|verification|handling|error\s+handling|exception\s+handling|locking|lock|synchroni[sz]ation|"
    r"cleanup|clean-up|limit|limits|bounds|timeout|protection|access\s+control)\b", _I)
SECURITY_DENIAL = re.compile(
    r"\b(?:rather\s+than|not|n't|isn't|is\s+not|instead\s+of)\s+(?:a|an|any)?\s*(?:direct|real|actual|serious|"
    r"significant|immediate)?\s*security\s+(?:issue|concern|defect|vulnerability|risk|problem|flaw|weakness)", _I)

DEFECT = re.compile(
    r"\b(?:vulnerab\w*|attack(?:er|ers|s)?|exploit\w*|malicious|unauthori[sz]ed|insecure(?:ly)?|unsafe(?:ly)?|"
    r"injection|injected|leak(?:s|ed|age|ing)?|expos(?:e|es|ed|ure|ing)|race\s+conditions?|deadlocks?|"
    r"overflows?|underflows?|use[- ]after[- ]free|hard[- ]?coded\s+(?:password|secret|key|credential|token)s?|"
    r"sensitive\s+(?:data|information)|denial[- ]of[- ]service|improperly|not\s+properly|"
    r"could\s+(?:potentially\s+)?(?:allow|lead|result|enable|cause|be\s+(?:exploited|abused|manipulated))|"
    r"can\s+be\s+(?:exploited|abused|manipulated|bypassed)|lacks?|lacking|missing|fails?\s+to|"
    r"without\s+(?:any\s+|proper\s+|adequate\s+|sufficient\s+)?(?:validation|sanitization|escaping|checks?|"
    r"checking|authentication|authorization|encryption|verification|limits?|bounds)|"
    r"(?:is|are)\s+not\s+(?:\w+\s+)?(?:verified|validated|checked|sanitized|escaped|handled|closed|released|"
    r"cleaned\s+up|protected|authenticated|authorized|encrypted|restricted|configured|freed)|"
    r"(?:does|do)\s*(?:n't|not)\s+(?:\w+\s+)?(?:verify|validate|check|sanitize|escape|handle|close|release|"
    r"clean|protect|authenticate|authorize|encrypt|restrict|limit)|never\s+(?:be\s+)?(?:closed|released|freed|"
    r"checked|validated|cleaned)|unvalidated|unsanitized|unchecked|unbounded|uncontrolled|unhandled|uncaught|"
    r"crash(?:es)?|dangerous|tamper\w*|spoof\w*|hijack\w*|bypass\w*|weak\s+(?:hash|cipher|crypto\w*|random\w*|key)"
    r"|(?:md5|sha1)\b)", _I)

HEDGE = re.compile(r"\b(?:potential(?:ly)?|possibl[ey]|might|may|could|perhaps|likely|seems?|appears?|"
                   r"risk\s+of|if\s+not)\b", _I)

FIX = [
    re.compile(r"^\W*(?:to\s+(?:fix|mitigate|address|prevent|avoid|resolve|remediate)|fix|solution|recommendation|"
               r"mitigation|remediation|suggested\s+fix|suggestion|instead)\b", _I),
    re.compile(r"^\W*(?:use(?!\s+of\b)|replace|ensure|make\s+sure|consider|avoid|validate|sanitize|escape|add|remove|configure|"
               r"implement|switch|wrap|close|pass|limit|restrict|apply|store|move|prefer|properly|always|never|"
               r"change|refactor|update|set|call|check|verify|enforce|introduce|adopt|define|rename|document|"
               r"break|re-?raise|raise|handle|catch|log|lock|release|free|delete|drop|disable|enable|upgrade|pin|"
               r"hash|encrypt|quote|parameteri[sz]e|reject|bound|cap|load|read|keep|run|wait)\b", _I),
    re.compile(r"^(?:(?!\b(?:where|when|which|whether|if|that)\b)[^,;])*?\b(?:should|must|ought\s+to|needs?\s+to|"
               r"has\s+to|have\s+to)\b|[,;]\s*(?:(?!\b(?:where|when|which|whether|if|that)\b)[^,;])*?\b(?:should|must)\b",
               _I),
    re.compile(r"\b(?:it\s+is|it's|it\s+would\s+be|would\s+be)\s+(?:\w+\s+)?(?:important|better|advisable|recommended|"
               r"best|good\s+practice|safer|preferable|wise|a\s+good\s+idea)\s+to\b", _I),
    re.compile(r"\b(?:recommend|suggest)(?:ed|s)?\b|\binstead\b|\bconsider\s+(?:using|adding|replacing)\b|"
               r"\bcan\s+be\s+(?:fixed|mitigated|addressed|resolved|avoided|prevented|improved)\b|"
               r"\bby\s+(?:using|adding|replacing|validating|sanitizing|implementing)\b", _I),
]
FIX_LABEL = re.compile(r"^\W*(?:fix|solution|suggested\s+fix|recommendation|mitigation|remediation|resolution)"
                       r"\s*(?:\*\*|__)?\s*:", _I)

SECURITY = re.compile(
    r"(?:\bcwe\b|secur|vulnerab|attack|exploit|malicious|unauthori|authori[sz]|authenticat|privilege|permission|"
    r"access\s+control|inject|\bxss\b|cross[- ]site|csrf|\bsql\b|sanitiz|escap(?:e|ing)\b|validat|untrusted|"
    r"taint|user[- ]?(?:input|supplied|controlled)|sensitive|secret|password|passwd|credential|\btokens?\b|crypt|"
    r"\bhash|\btls\b|\bssl\b|certificate|\brandom|\bnonce|\bleak|exposure|\bexpos|disclos|denial[- ]of[- ]service|"
    r"\bdos\b|overflow|underflow|race\s+condition|deadlock|toctou|tamper|spoof|forg(?:e|ery)|hijack|traversal|"
    r"deserializ|\bpickle|\beval\b|\bexec\b|redirect|\bssrf|\bxxe|\bsession|cookie|confidential|integrity|"
    r"dangerous|unsafe|insecure|harden|unhandled|uncaught|crash|dereferenc|resource\s+(?:leak|exhaustion)|"
    r"exhaust|unbounded|infinite\s+loop|recursion|\bredos\b|(?:not|never)\s+(?:be\s+)?(?:closed|released|freed)|"
    r"\block(?:s|ing)?\b|mutex|concurren|synchroni[sz]|shell|command\s+(?:execution|line)|subprocess|"
    r"use[- ]after[- ]free|format\s+string|\bmd5\b|\bsha1\b|\bcipher|\bencrypt|\bsign(?:ature|ed)\b|phishing|"
    r"\bpoisoning|clickjack|\bcors\b|\bcsp\b|audit\s+log)", _I)
STYLE = re.compile(
    r"\b(?:naming|names?\s+conventions?|conventions?|camelcase|snake_case|docstrings?|comments?|readability|"
    r"readable|style|formatting|pep\s*8|refactor\w*|organi[sz]ation|organi[sz]ed|maintainab\w*|documentation|"
    r"test\s+isolation|modular\w*|duplicat\w*|typos?|indentation|lint\w*|type\s+hints?|flexib\w*|"
    r"descriptive|long\s+method|single\s+responsibility|reproducible|well[- ]structured|hard-coded\s+values?|"
    r"configuration\s+options?|environment\s+variables?|mocking|stubbing|test\s+coverage)\b", _I)

# Lead-ins: the sentence before a list says what its items are.
LEAD_DEFECTS = re.compile(
    r"(?:vulnerable|\bfollowing\s+(?:potential\s+|possible\s+)?(?:security(?:[- ]related)?\s+)?(?:defects?|"
    r"vulnerabilit|issues|weakness|flaws|problems|risks|concerns)|security(?:[- ]related)?\s+(?:defects?|"
    r"vulnerabilit\w*|issues?|weakness\w*|flaws?|risks?|concerns?)|\b(?:defects?|vulnerabilit\w*|weakness\w*)"
    r"\s+(?:found|identified|detected)|\b(?:potential|possible)\s+(?:issues|problems|concerns|risks|defects|"
    r"vulnerabilit\w*|weakness\w*|flaws))", _I)
LEAD_FIXES = re.compile(
    r"(?:\bto\s+(?:address|fix|mitigate|resolve|remediate)\b|\bimprovements?\s+(?:could|can|should|might)\s+be\s+"
    r"made|\b(?:recommended|suggested)\s+(?:fixes|changes|solutions|mitigations)|\b(?:fixes|solutions|"
    r"mitigations|remediations?)\s*:?\s*$|\bhow\s+to\s+fix)", _I)
LEAD_ADVICE = re.compile(r"\b(?:suggestions?|improvements?|recommendations?|best\s+practices|could\s+be\s+improved|"
                         r"observations|notes?|remarks?|nitpicks?)\b", _I)
SUMMARY_START = re.compile(r"^\W*(?:in\s+summary|overall|to\s+summari[sz]e|in\s+conclusion|conclusion|summary|"
                           r"by\s+(?:implementing|addressing|following|applying)|to\s+conclude|in\s+short|"
                           r"final\s+(?:verdict|answer|assessment))\b", _I)

# Things an answer may say the code does, checked against the code's AST ("construct" references).
CONSTRUCTS = {
    "exception-handling": re.compile(
        r"\b(?:catch(?:es|ing)?\s+(?:and\s+\w+\s+)?(?:the\s+|all\s+|any\s+)?(?:\w+\s+)?(?:exceptions?|errors?)|"
        r"try\s*(?:/|-|\.\.\.|and)\s*except|try[- ]blocks?|except\s+(?:blocks?|clauses?)|exception\s+handlers?|"
        r"(?:includes?|has|have|contains?|uses?)\s+(?:some\s+|proper\s+|basic\s+)?(?:error|exception)\s+handling)\b",
        _I),
    "logging": re.compile(r"\b(?:logs\s+(?:the\s+)?(?:exceptions?|errors?|failures?|messages?)|"
                          r"(?:catch(?:es)?|handles?)\s+and\s+logs?\b|\b(?:and|then)\s+logs\s+(?:them|it)\b|"
                          r"uses?\s+(?:the\s+)?logg(?:ing|er))", _I),
}
CONSTRUCT_NEGATION = re.compile(r"\b(?:no|not|n't|without|lacks?|lacking|missing|absence|never|instead\s+of|"
                                r"should|could|consider|add|adding|use\s+specific)\b", _I)

# Bare words that look like code but are vocabulary, products or file types.
NOT_IDENTIFIERS = frozenset(
    _words(
        "snake_case camelCase CamelCase PascalCase lowerCamelCase UpperCamelCase kebab_case "
        "SCREAMING_SNAKE_CASE UPPER_CASE macOS iOS iPadOS watchOS tvOS iPhone iPad eBay jQuery npm pyPI PyPI "
        "GitHub GitLab OpenStack JavaScript TypeScript PostgreSQL MySQL MongoDB OAuth OpenAPI OpenSSL "
        "LibreSSL OpenSSH PowerShell WebSocket WebSockets YouTube LinkedIn DevOps DevSecOps DeepSeek ChatGPT "
        "OpenAI LLaMA SonarQube CodeQL MITRE NoSQL GraphQL FastAPI"))
ABBREVIATIONS = frozenset(["e.g", "i.e", "etc", "vs", "cf", "approx", "al", "fig", "no", "nos", "resp", "viz"])
FILE_SUFFIXES = frozenset(_words(
    "py pyw pyi txt json md rst cfg ini yaml yml toml html htm js ts c h cc cpp hpp java go rb php sh xml "
    "csv log conf lock com org net io gov edu"))
