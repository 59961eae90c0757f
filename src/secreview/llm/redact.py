"""Redact secrets from code before it is sent to an LLM endpoint that is not on this machine.

Line numbers and the line count are kept intact (a secret value is replaced inside its line by a placeholder
such as `«redacted-secret-1»`), so the model's claims still point at the right lines and the verifier can
compare quotes with the redacted text. The same value gets the same placeholder everywhere in one text.
Only the value is replaced: `password = "«redacted-secret-1»"` still shows the model a hard-coded credential.

What counts as a secret reuses the static rules' judgement (`secreview.analysis.credentials`, by name and by
value), plus shapes that are secrets whatever their name: private key blocks, AWS access key ids, GitHub,
Slack, Stripe, Google and OpenAI-style keys, JWTs, credentials inside URLs.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from secreview.analysis.credentials import ambiguous_secret, header_secret, secret_identifier, secret_value


@dataclass(frozen=True)
class Redaction:
    line: int  # 1-based
    kind: str  # private-key | aws-access-key | github-token | slack-token | ... | named-secret | url-password
    placeholder: str
    length: int  # of the redacted value (the value itself is never kept)


# Shapes that are credentials whatever they are assigned to (public formats of each vendor).
_TOKEN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aws-access-key", re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b")),
    ("github-token", re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})")),
    ("slack-token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,250}")),
    ("slack-webhook", re.compile(r"(?<=hooks\.slack\.com/services/)T[A-Za-z0-9_/]{20,}")),
    ("stripe-key", re.compile(r"(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}")),
    ("google-api-key", re.compile(r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}")),
    ("openai-key", re.compile(r"(?<![A-Za-z0-9])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}")),
    ("jwt", re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
)
_URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]+:(?P<value>[^\s@/'\"]+)@")
_BEGIN_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_END_KEY = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_QUOTED = r"(?P<q>[rRbBuU]{0,2}(?P<quote>['\"]))(?P<value>(?:\\.|(?!(?P=quote)).)*)(?P=quote)"
# `name = "v"`, `name: str = "v"`, `name="v"` (keyword), `"name": "v"` / `'name': 'v'` (dict), `name := "v"`
_NAMED_VALUE = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)['\"]?\]?\s*(?::\s*[A-Za-z_][\w\[\], .|]*)?\s*(?:==|!=|:=|=|:)\s*"
    + _QUOTED
)
_PLACEHOLDER = re.compile(r"(«redacted-secret-\d+»)")
_OPERAND_AFTER = re.compile(r"\s*(?:%(?!=)|\+(?!=))")
_MIN_REPEATED = 6  # shorter known values are too likely to occur by chance elsewhere in the code


class _Placeholders:
    def __init__(self) -> None:
        self.by_value: dict[str, str] = {}

    def get(self, value: str) -> str:
        if value not in self.by_value:
            self.by_value[value] = f"«redacted-secret-{len(self.by_value) + 1}»"
        return self.by_value[value]


def redact(text: str) -> tuple[str, list[Redaction]]:
    """Return `text` with secret values replaced, and what was replaced (line, kind, placeholder, length)."""
    placeholders = _Placeholders()
    redactions: list[Redaction] = []
    lines = text.splitlines(keepends=True)
    in_key_block = False
    for index, line in enumerate(lines):
        number = index + 1
        body, ending = _split_ending(line)
        if in_key_block and not _END_KEY.search(body) and not _key_material_line(body):
            in_key_block = False  # a BEGIN marker without a key after it (a check such as `if "-----BEGIN` in s)
        if in_key_block or _BEGIN_KEY.search(body):
            body, in_key_block = _redact_key_line(body, in_key_block, number, placeholders, redactions)
        else:
            body = _redact_line(body, number, placeholders, redactions)
        lines[index] = body + ending
    _redact_repeats(lines, placeholders, redactions)
    return "".join(lines), redactions


def _redact_repeats(lines: list[str], placeholders: _Placeholders, redactions: list[Redaction]) -> None:
    """A secret found once is hidden wherever else it appears (`if pw == "hunter22"`, a second constant)."""
    known = sorted((v for v in placeholders.by_value if len(v) >= _MIN_REPEATED and not v.startswith("private-key:")),
                   key=len, reverse=True)
    if not known:
        return
    pattern = re.compile("|".join(re.escape(v) for v in known))
    for index, line in enumerate(lines):
        if not pattern.search(line):
            continue
        number = index + 1

        def substitute(match: re.Match[str], number: int = number) -> str:
            placeholder = placeholders.get(match.group(0))
            redactions.append(Redaction(number, "repeated-secret", placeholder, len(match.group(0))))
            return placeholder

        parts = _PLACEHOLDER.split(line)  # odd items are placeholders already inserted: leave them alone
        lines[index] = "".join(part if i % 2 else pattern.sub(substitute, part) for i, part in enumerate(parts))
    redactions.sort(key=lambda r: r.line)


def is_loopback(base_url: str) -> bool:
    """Is the endpoint on this machine (localhost, 127.0.0.0/8, ::1)? Anything unparsable counts as remote."""
    try:
        host = urlsplit(base_url).hostname
    except ValueError:
        return False
    if not host:
        return False
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split_ending(line: str) -> tuple[str, str]:
    stripped = line.rstrip("\r\n")
    return stripped, line[len(stripped):]


def _key_material_line(body: str) -> bool:
    """A line inside a PEM block: base64, a PEM header (`Proc-Type: 4,ENCRYPTED`), or empty, maybe quoted."""
    core = body.replace("\\n", "").strip().rstrip("+,)\\").strip()
    if core[:2] in ("b'", 'b"'):
        core = core[1:]
    core = core.strip("'\"").strip()
    return not core or bool(re.fullmatch(r"[A-Za-z0-9+/=]+|[A-Za-z-]+: .*", core))


def _redact_key_line(body: str, in_block: bool, number: int, placeholders: _Placeholders,
                     redactions: list[Redaction]) -> tuple[str, bool]:
    """Inside a PEM private key block every base64 line is replaced; the BEGIN/END markers stay visible."""
    begin = _BEGIN_KEY.search(body)
    end = _END_KEY.search(body)
    start = begin.end() if begin and not in_block else 0
    stop = end.start() if end and end.start() >= start else len(body)
    segment = body[start:stop]
    # the key material: base64 runs (a key inlined with "\n" escapes is one long run)
    material = segment.replace("\\n", "  ")  # same length: offsets in `material` are offsets in `segment`
    runs = [m for m in re.finditer(r"[A-Za-z0-9+/=]{16,}", material)]
    if runs:
        value = "".join(m.group(0) for m in runs)
        placeholder = placeholders.get(f"private-key:{number}:{value}")
        first, last = runs[0].start(), runs[-1].end()
        body = body[: start + first] + placeholder + body[start + last:]
        redactions.append(Redaction(number, "private-key", placeholder, len(value)))
    still_open = not (end and end.start() >= start)
    return body, still_open


def _redact_line(body: str, number: int, placeholders: _Placeholders, redactions: list[Redaction]) -> str:
    spans: list[tuple[int, int, str]] = []  # (start, end, kind) of values to replace
    for kind, pattern in _TOKEN_SHAPES:
        spans.extend((m.start(), m.end(), kind) for m in pattern.finditer(body))
    spans.extend((m.start("value"), m.end("value"), "url-password") for m in _URL_PASSWORD.finditer(body))
    for match in _NAMED_VALUE.finditer(body):
        name, value = match.group("name"), match.group("value")
        identifier = name.rsplit(".", 1)[-1]
        if _OPERAND_AFTER.match(body, match.end()):
            continue  # `"%032x" % n`, `"pre" + x`: a format or a prefix, not the whole value
        if ambiguous_secret(identifier) and re.fullmatch(r"[a-z_]+", value):
            continue  # `token == "keyword"`: a lexer token, not a credential
        if header_secret(name, value):
            scheme = value.split()[0]
            spans.append((match.start("value") + len(scheme) + 1, match.end("value"), "header-secret"))
        elif secret_identifier(identifier) and secret_value(value, identifier):
            spans.append((match.start("value"), match.end("value"), "named-secret"))
    if not spans:
        return body
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans, key=lambda s: (s[0], -s[1])):
        if kept and start < kept[-1][1]:
            continue  # overlaps a span already chosen (e.g. a JWT inside a named value)
        kept.append((start, end, kind))
    pieces: list[str] = []
    position = 0
    for start, end, kind in kept:  # left to right, so placeholders are numbered in reading order
        value = body[start:end]
        placeholder = placeholders.get(value)
        pieces.append(body[position:start] + placeholder)
        position = end
        redactions.append(Redaction(number, kind, placeholder, len(value)))
    return "".join(pieces) + body[position:]
