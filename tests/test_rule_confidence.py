"""Confidence levels the rules document, checked on their fixtures: where the evidence is weak a finding is
kept but demoted (docs/precision-survey.md says which false-alarm kinds of real service code this answers).
The fixture tests check where rules fire; these check how sure each finding says it is."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from secreview.engine import review_text
from secreview.model import Confidence
from secreview.ruleset import load_rules

RULES = load_rules()

# (rule, a snippet unique to the flagged line of its fixture, the confidence the finding must have)
CASES = [
    # Something outside the program decides the miss: a client, the operator, the database.
    ("unchecked-none-dereference", 'term = request.args.get("q").strip()', Confidence.MEDIUM),
    ("unchecked-none-dereference", 'servers = os.environ.get("NTP_SERVERS")', Confidence.MEDIUM),
    ("unchecked-none-dereference", "return doc.find(\"name\").text", Confidence.MEDIUM),
    ("unchecked-none-dereference", "return query.first().email", Confidence.MEDIUM),
    # The program's own data decides it: kwargs, a dict it parsed from a parameter, a document of unknown
    # origin (a backend's reply the code trusts to be well-formed).
    ("unchecked-none-dereference", 'context = kwargs.get("context").to_dict()', Confidence.LOW),
    ("unchecked-none-dereference", 'for item in body.get("items"):', Confidence.LOW),
    ("unchecked-none-dereference", 'status = root.find("status").text', Confidence.LOW),
    ("unchecked-none-dereference", 'return prefs.get("lang").lower()', Confidence.LOW),
    # A race that can only make the operation fail, a path under a configured service directory or nothing
    # saying another user can write there: low; a shared directory or privileged code: medium.
    ("toctou-file-check", "        os.makedirs(path)\n    return path", Confidence.LOW),
    ("toctou-file-check", "with open(CONF.ssh_hosts_key_file, \"w\")", Confidence.LOW),
    ("toctou-file-check", "os.chmod(key_file, 0o600)", Confidence.LOW),
    ('toctou-file-check', 'with open(lock, "w") as f:', Confidence.MEDIUM),
    ("toctou-file-check", "os.chown(path, uid, gid)", Confidence.MEDIUM),
    # A salt need only be unique.
    ("insecure-random", "user.salt = np.random.bytes(16)", Confidence.LOW),
    # The request reaches a private helper from its caller, which may have validated it.
    ("uncaught-conversion-of-input", 'limit = int(request.params.get("limit", 10))', Confidence.LOW),
    ("uncaught-conversion-of-input", 'page = int(request.args.get("page", 1))', Confidence.MEDIUM),
    # A match on outside input may miss at a client's will; on a parameter or a tool's output the claim is weak.
    ("unchecked-regex-match", r'return re.match(r"Bearer\s+(\S+)", header).group(1)', Confidence.HIGH),
    ("unchecked-regex-match", "major = int(VERSION_RE.search(out).group(1))", Confidence.LOW),
    ("unchecked-regex-match", r'key = search(r"^(\w+)=", line)[1]', Confidence.LOW),
    # An address a peer the code chose hands back: hostile only if that peer is.
    ("server-side-request-forgery", 'return [requests.get("https://%s/status" % n["address"]', Confidence.LOW),
    ("server-side-request-forgery", "    return requests.get(target, timeout=5)", Confidence.MEDIUM),
]


def _line_of(source: str, snippet: str) -> int:
    at = source.index(snippet)
    assert source.find(snippet, at + 1) == -1, f"snippet not unique: {snippet!r}"
    return source.count("\n", 0, at) + 1  # the line the snippet starts on


@pytest.mark.parametrize(("rule", "snippet", "confidence"), CASES, ids=[f"{c[0]}:{c[1][:30]}" for c in CASES])
def test_fixture_confidence(rule, snippet, confidence):
    path = FIXTURES / "rules" / f"{rule}.py"
    source = path.read_text(encoding="utf-8")
    line = _line_of(source, snippet)
    found = [f for f in review_text(path.name, source, RULES).findings if f.name == rule and f.line == line]
    assert len(found) == 1, f"{rule} does not fire once on line {line}"
    assert found[0].confidence is confidence
