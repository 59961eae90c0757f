"""Redaction of secrets before code leaves the machine: values replaced inside their line, lines kept."""

from __future__ import annotations

import pytest

from secreview.llm.redact import Redaction, is_loopback, redact

# Token-shaped test values are assembled at run time so this file itself does not look like a leak.
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2
SLACK = "xoxb-" + "123456789012-1234567890123-" + "AbCdEfGhIjKlMnOpQrStUvWx"
JWT = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
AWS = "AKIA" + "Q3EGRZ7XKPN4WMBT"


def test_each_kind_is_replaced_inside_its_line():
    code = "\n".join([
        "import os",                                                     # 1
        'DB_PASSWORD = "s3cr3t-Pa55"',                                   # 2
        "api_key: str = 'AbCdEf1234567890xyz'",                          # 3
        'conn = connect(host="db", password="hunter2")',                 # 4
        'cfg = {"secret_key": "k9!x-long-value", "name": "admin"}',      # 5
        f'AWS_ID = "{AWS}"',                                             # 6
        f'gh = "{GITHUB}"',                                              # 7
        f'slack = "{SLACK}"',                                            # 8
        f'tok = "{JWT}"',                                                # 9
        'headers = {"Authorization": "Bearer abcdef123456789"}',         # 10
        'url = "postgres://admin:topsecret@db.local/app"',               # 11
        'os.environ["API_TOKEN"] = "abc123XYZ789"',                      # 12
        'if password == "hunter22":',                                    # 13
    ]) + "\n"
    text, redactions = redact(code)
    assert text.splitlines() == [
        "import os",
        'DB_PASSWORD = "«redacted-secret-1»"',
        "api_key: str = '«redacted-secret-2»'",
        'conn = connect(host="db", password="«redacted-secret-3»")',
        'cfg = {"secret_key": "«redacted-secret-4»", "name": "admin"}',
        'AWS_ID = "«redacted-secret-5»"',
        'gh = "«redacted-secret-6»"',
        'slack = "«redacted-secret-7»"',
        'tok = "«redacted-secret-8»"',
        'headers = {"Authorization": "Bearer «redacted-secret-9»"}',
        'url = "postgres://admin:«redacted-secret-10»@db.local/app"',
        'os.environ["API_TOKEN"] = "«redacted-secret-11»"',
        'if password == "«redacted-secret-12»":',
    ]
    assert text.endswith("\n")
    assert [(r.line, r.kind) for r in redactions] == [
        (2, "named-secret"), (3, "named-secret"), (4, "named-secret"), (5, "named-secret"), (6, "aws-access-key"),
        (7, "github-token"), (8, "slack-token"), (9, "jwt"), (10, "header-secret"), (11, "url-password"),
        (12, "named-secret"), (13, "named-secret"),
    ]
    assert redactions[0] == Redaction(2, "named-secret", "«redacted-secret-1»", len("s3cr3t-Pa55"))


def test_token_shapes_are_found_whatever_the_name():
    code = f"x = ['{AWS}', '{GITHUB}']\nprint('{JWT}')\n"
    text, redactions = redact(code)
    assert AWS not in text and GITHUB not in text and JWT not in text
    assert [r.kind for r in redactions] == ["aws-access-key", "github-token", "jwt"]


def test_a_known_secret_is_hidden_wherever_it_appears_again():
    code = 'ADMIN_PASSWORD = "correct-horse-42"\n\ndef check(pw):\n    return pw == "correct-horse-42"\n'
    text, redactions = redact(code)
    assert "correct-horse-42" not in text
    assert text.splitlines()[3] == '    return pw == "«redacted-secret-1»"'
    assert [(r.line, r.kind, r.placeholder) for r in redactions] == [
        (1, "named-secret", "«redacted-secret-1»"), (4, "repeated-secret", "«redacted-secret-1»")]


def test_private_key_block_keeps_markers_and_line_count():
    code = (
        'KEY = """-----BEGIN RSA PRIVATE KEY-----\n'
        "MIIEpAIBAAKCAQEA1234567890abcdefghijklmnop\n"
        "qrstuvwxyzABCDEFGHIJ0987654321+/==\n"
        '-----END RSA PRIVATE KEY-----"""\n'
        "inline = '-----BEGIN PRIVATE KEY-----\\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----'\n"
        "after = 1\n"
    )
    text, redactions = redact(code)
    lines = text.splitlines()
    assert len(lines) == 6
    assert lines[0] == 'KEY = """-----BEGIN RSA PRIVATE KEY-----'
    assert lines[1] == "«redacted-secret-1»" and lines[2] == "«redacted-secret-2»"
    assert lines[3] == '-----END RSA PRIVATE KEY-----"""'
    assert lines[4] == "inline = '-----BEGIN PRIVATE KEY-----\\n«redacted-secret-3»\\n-----END PRIVATE KEY-----'"
    assert lines[5] == "after = 1"
    assert [(r.line, r.kind) for r in redactions] == [(2, "private-key"), (3, "private-key"), (5, "private-key")]


@pytest.mark.parametrize(
    "line",
    [
        'password = os.environ["DB_PASSWORD"]',
        'password = ""',
        'PASSWORD = "password"',
        'prompt = "Enter password:"',
        'token_url = "https://example.org/token"',
        'password = "<your-password>"',
        'secret_key = "${SECRET_KEY}"',
        'next_token = "abc123def456"',
        'password_field = "user_password"',
        'url = "https://example.org/path?q=1"',
        'headers = {"Authorization": "Bearer"}',
    ],
)
def test_non_secrets_are_left_alone(line):
    assert redact(line + "\n") == (line + "\n", [])


def test_line_endings_and_missing_final_newline_are_kept():
    code = 'a = 1\r\npassword = "hunter2"\r\nb = 2'
    text, _ = redact(code)
    assert text == 'a = 1\r\npassword = "«redacted-secret-1»"\r\nb = 2'


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:11434/v1", True),
        ("http://127.8.9.10/v1", True),
        ("http://localhost:8000/v1", True),
        ("http://LOCALHOST./v1", True),
        ("http://ollama.localhost/v1", True),
        ("http://[::1]:8000/v1", True),
        ("https://api.openai.com/v1", False),
        ("http://10.0.0.5:8000/v1", False),
        ("http://0.0.0.0:8000/v1", False),
        ("http://localhost.example.com/v1", False),
        ("http://127.0.0.1.nip.io/v1", False),
        ("not a url", False),
    ],
)
def test_is_loopback(url, expected):
    assert is_loopback(url) is expected


def test_marker_without_a_key_does_not_swallow_the_following_code():
    code = (
        'if "-----BEGIN RSA PRIVATE KEY-----" in data:\n'
        "    authenticationFailedHandler = load(data)\n"
        "KEY = (\n"
        '    "-----BEGIN EC PRIVATE KEY-----\\n"\n'
        '    "Proc-Type: 4,ENCRYPTED\\n"\n'
        '    "MIIEpAIBAAKCAQEA1234567890abcdefghijklmnop\\n"\n'
        '    "-----END EC PRIVATE KEY-----\\n"\n'
        ")\n"
    )
    text, redactions = redact(code)
    assert text == code.replace("MIIEpAIBAAKCAQEA1234567890abcdefghijklmnop", "«redacted-secret-1»")
    assert [(r.line, r.kind) for r in redactions] == [(6, "private-key")]


@pytest.mark.parametrize(
    "line",
    ['api_key = "%032x" % rnd.getrandbits(128)', 'token = "prefix-" + uuid4().hex', 'if token == "keyword":',
     'password = f"{user}-pw"'],
)
def test_expressions_and_lexer_tokens_are_not_secrets(line):
    assert redact(line) == (line, [])
