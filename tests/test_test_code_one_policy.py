"""One test-code policy (issue 15, item 5): rules no longer skip test code themselves. A finding in a
test module, or in a test function of any module, is kept, marked `test_code`, demoted to low
confidence by the run policy and left out by `--test-code drop` (config key `test-code`)."""

from __future__ import annotations

import json
from pathlib import Path

from secreview.cli import main

# Rules that used to return early in test code: a fixed TLS version (crypto `in_test_code`), a hard-coded
# password (`is_test_code`), a world-writable chmod.
TEST_MODULE = '''import os
import ssl
import unittest


class ClientTests(unittest.TestCase):
    def test_legacy_server(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
        os.chmod("/tmp/socket", 0o777)
        self.assertTrue(ctx)


DB_PASSWORD = "s3cr3t-Passw0rd"
'''
APP_MODULE = '''import ssl


def make_context():
    return ssl.SSLContext(ssl.PROTOCOL_TLSv1)


def test_make_context():
    assert ssl.SSLContext(ssl.PROTOCOL_TLSv1)
'''


def _scan(capsys, *argv: str) -> list[tuple[str, int, str, str, bool]]:
    main(["scan", *argv, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return sorted((f["path"], f["line"], f["name"], f["confidence"], f["test_code"]) for f in report["findings"])


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_client.py").write_text(TEST_MODULE)
    (tmp_path / "app.py").write_text(APP_MODULE)
    return tmp_path


def test_findings_in_test_code_are_reported_low_and_dropped_by_the_flag(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(_project(tmp_path))
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / ".cache"))
    shown = _scan(capsys, ".", "--confidence", "low")
    assert shown == [
        ("app.py", 5, "weak-tls-version", "high", False),
        ("app.py", 9, "weak-tls-version", "low", True),  # a test function in a module of other code
        ("tests/test_client.py", 8, "weak-tls-version", "low", True),
        ("tests/test_client.py", 9, "permissive-file-permissions", "low", True),
        ("tests/test_client.py", 13, "hardcoded-password", "low", True),
    ]
    assert _scan(capsys, ".", "--confidence", "low", "--test-code", "drop") == [
        ("app.py", 5, "weak-tls-version", "high", False)]


def test_the_config_key_drops_them_too(tmp_path, monkeypatch, capsys):
    root = _project(tmp_path)
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n\n[tool.secreview]\ntest-code = \"drop\"\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / ".cache"))
    assert _scan(capsys, ".", "--confidence", "low") == [("app.py", 5, "weak-tls-version", "high", False)]


def test_one_definition_of_test_code():
    import secreview.rules as rules

    for path in Path(rules.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("is_test_code", "in_test_code", "is_test_module", "test_scopes"):
            assert name not in text, f"{path.name} asks {name}: the run policy decides test code"
