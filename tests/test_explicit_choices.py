"""Explicit insecure choices (issue 15): `shell=True` with a non-literal command, `secure=False`/`httponly=False`
cookies, MD5/SHA-1 without `usedforsecurity=False`, `verify=False` and other TLS switches, disabled autoescape and
`DEBUG = True` are always reported; the context sets the confidence (high when it says security, low when
nothing does). Each case asserts the exact (line, rule, confidence) set of the rules concerned."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from secreview import api
from secreview.config import Config
from secreview.engine import review_text
from secreview.model import Confidence
from secreview.ruleset import load_rules

RULES = load_rules()
CHOICES = {"shell-command-injection", "insecure-cookie", "weak-hash-for-security", "password-fast-hash",
           "tls-verification-disabled", "jinja2-autoescape-disabled", "debug-mode-enabled"}
HIGH, MEDIUM, LOW = "high", "medium", "low"


def found(source: str, path: str = "module.py") -> set[tuple[int, str, str]]:
    result = review_text(path, textwrap.dedent(source), RULES)
    assert not result.errors, result.errors
    # Test code (a test function here) is demoted by the run policy, as a default run reports it.
    return {(f.line, f.name, "low" if f.test_code else f.confidence.value) for f in result.findings
            if f.name in CHOICES}


SHELL = "shell-command-injection"


@pytest.mark.parametrize(("call", "confidence"), [
    ("subprocess.run(cmd, shell=True)", LOW),  # a parameter: who supplies it is not known here
    ("os.system(options.command)", LOW),
    ("subprocess.run(f'tar xf {cmd}', shell=True)", MEDIUM),  # built from a non-literal value
    ("subprocess.run('dig ' + request.args['host'], shell=True)", HIGH),  # request data, with a trace
])
def test_shell_with_a_non_literal_command(call, confidence):
    source = f"""\
        import os
        import subprocess
        from flask import request

        def run(cmd, options):
            {call}
        """
    assert found(source) == {(6, SHELL, confidence)}


@pytest.mark.parametrize("call", [
    "subprocess.run('make all', shell=True)",
    "subprocess.run(TOOL, shell=True)",
    "subprocess.run(step, shell=True)",
    "subprocess.run(choice, shell=True)",
    "subprocess.run('ping ' + shlex.quote(cmd), shell=True)",
    "subprocess.run(['make', cmd], shell=True)",
    "subprocess.run(cmd, shell=False)",
])
def test_shell_with_a_command_the_program_wrote_is_silent(call):
    source = f"""\
        import shlex
        import subprocess
        TOOL = "make all"

        def run(cmd, fast):
            step = "make"
            choice = "make fast" if fast else "make all"
            {call}
        """
    assert found(source) == set()


COOKIE = "insecure-cookie"


@pytest.mark.parametrize(("call", "confidence"), [
    ('resp.set_cookie("theme", "dark", secure=False)', LOW),  # nothing says what it holds
    ("resp.set_cookie(name, value, httponly=False)", LOW),
    ('resp.set_cookie("remember_me", "1", secure=False)', HIGH),  # its name says credential
    ('resp.set_cookie("pref", request.session.session_key, secure=False)', HIGH),  # its value is a session
    ("resp.set_cookie(settings.SESSION_COOKIE_NAME, value, secure=False)", HIGH),
    ('resp.set_cookie("csrftoken", value, secure=False)', MEDIUM),
    ('resp.set_cookie("session_token", value)', MEDIUM),  # neither flag: not an explicit choice
])
def test_cookie_flags(call, confidence):
    source = f"""\
        def view(request, resp, settings, name, value):
            {call}
        """
    assert found(source) == {(2, COOKIE, confidence)}


@pytest.mark.parametrize("call", [
    'resp.set_cookie("csrftoken", value, httponly=False)',  # double submit: page scripts read it
    'resp.set_cookie("theme", "dark")',
    "resp.set_cookie(name, value, secure=settings.SESSION_COOKIE_SECURE)",
])
def test_cookie_without_an_insecure_choice_is_silent(call):
    assert found(f"def view(resp, settings, name, value):\n    {call}\n") == set()


@pytest.mark.parametrize(("path", "source", "expected"), [
    ("shop/settings.py", "SESSION_COOKIE_SECURE = False\n", {(1, COOKIE, HIGH)}),
    ("shop/settings.py", "CSRF_COOKIE_SECURE = False\n", {(1, COOKIE, MEDIUM)}),
    ("shop/settings/dev.py", "SESSION_COOKIE_SECURE = False\n", {(1, COOKIE, LOW)}),
    ("django/conf/global_settings.py", "SESSION_COOKIE_SECURE = False\n", set()),  # a table of defaults
    ("config.py", "class DevConfig:\n    SESSION_COOKIE_SECURE = False\n", {(2, COOKIE, LOW)}),
    ("config.py", "class Config:\n    SESSION_COOKIE_SECURE = False\n", {(2, COOKIE, MEDIUM)}),
    ("config.py", "class ProductionConfig:\n    SESSION_COOKIE_HTTPONLY = False\n", {(2, COOKIE, HIGH)}),
])
def test_cookie_settings(path, source, expected):
    assert found(source, path) == expected


WEAK, PASSWORD = "weak-hash-for-security", "password-fast-hash"


@pytest.mark.parametrize(("body", "expected"), [
    ("def sign(secret, body):\n    signature = hashlib.md5(secret + body).hexdigest()\n    return signature\n",
     {(2, WEAK, HIGH)}),
    ("def etag(body):\n    return hashlib.md5(body).hexdigest()\n", {(2, WEAK, LOW)}),  # says checksum
    ("def digest(data):\n    return hashlib.new('sha1', data).hexdigest()\n", {(2, WEAK, LOW)}),  # says nothing
    ("def nonce(counter):\n    return hashlib.md5(str(counter).encode()).hexdigest()\n", {(2, WEAK, LOW)}),
    ("def pwned(password):\n    return hashlib.sha1(password.encode()).hexdigest()[:5]\n",
     {(2, WEAK, LOW)}),  # a password's digest that is neither stored nor compared
    ("def login(password):\n    return hashlib.md5(password.encode()).hexdigest()\n",
     {(2, PASSWORD, HIGH)}),  # reported once, as a password hash
    ("def hash_password(raw):\n    return hashlib.sha1(raw).hexdigest()\n", {(2, PASSWORD, MEDIUM)}),
    ("def test_sign(secret, body):\n    return hashlib.md5(secret + body).hexdigest()\n",
     {(2, WEAK, LOW)}),  # in a test function
    ("def etag(body):\n    return hashlib.md5(body, usedforsecurity=False).hexdigest()\n", set()),
    ("def block():\n    return hashlib.sha1().block_size\n", set()),
])
def test_weak_hashes(body, expected):
    assert found("import hashlib\n\n" + body) == {(line + 2, rule, c) for line, rule, c in expected}


TLS = "tls-verification-disabled"


@pytest.mark.parametrize(("body", "expected"), [
    ("def f(url):\n    return requests.get(url, verify=False)\n", {(2, TLS, HIGH)}),
    ("def f(client, url):\n    return client.fetch_json(url, verify=False)\n", {(2, TLS, LOW)}),
    ("def f(Elasticsearch, hosts):\n    return Elasticsearch(hosts, verify_certs=False)\n", {(2, TLS, MEDIUM)}),
    ("def f():\n    ctx = ssl.create_default_context()\n    ctx.check_hostname = False\n    return ctx\n",
     {(3, TLS, HIGH)}),
    ("def f(ctx):\n    ctx.check_hostname = False\n    return ctx\n", {(2, TLS, MEDIUM)}),
    ("def f():\n    ctx = ssl.create_default_context()\n    ctx.check_hostname = False\n"
     "    ctx.verify_mode = ssl.CERT_NONE\n    return ctx\n", {(4, TLS, HIGH)}),  # one finding for the context
    ("def f():\n    return ssl._create_unverified_context()\n", {(2, TLS, HIGH)}),
    ("def test_f(url):\n    return requests.get(url, verify=False)\n", {(2, TLS, LOW)}),
    ("def f(url, args):\n    if args.insecure:\n        return requests.get(url, verify=False)\n", set()),
    ("def f(url, conf):\n    return requests.get(url, verify=conf.verify)\n", set()),
    ("def f(jwt, token):\n    return jwt.decode(token, verify=False)\n", set()),
])
def test_tls_switches(body, expected):
    assert found("import ssl\n\nimport requests\n\n" + body) == {(line + 4, r, c) for line, r, c in expected}


JINJA = "jinja2-autoescape-disabled"


@pytest.mark.parametrize(("imports", "call", "confidence"), [
    ("from flask import Flask\n", "Environment(autoescape=False)", HIGH),  # a web module
    ("", "Environment(autoescape=False)", MEDIUM),  # may render e-mails or configuration files
    ("", 'Template("<p>{{ name }}</p>", autoescape=False)', HIGH),  # the template is HTML
    ("from flask import Flask\n", "Environment()", LOW),  # Jinja2's default, in a web module
])
def test_autoescape(imports, call, confidence):
    source = f"{imports}from jinja2 import Environment, Template\n\nenv = {call}\n"
    line = source.count("\n")
    assert found(source) == {(line, JINJA, confidence)}


def test_autoescape_left_at_the_default_outside_web_code_is_silent():
    assert found("from jinja2 import Environment\n\nenv = Environment()\n") == set()


DEBUG = "debug-mode-enabled"


@pytest.mark.parametrize(("path", "source", "expected"), [
    ("shop/settings.py", "DEBUG = True\n", {(1, DEBUG, HIGH)}),
    ("shop/settings/local.py", "DEBUG = True\n", {(1, DEBUG, LOW)}),
    ("django/conf/global_settings.py", "DEBUG = True\n", set()),
    ("config.py", "class ProductionConfig:\n    DEBUG = True\n", {(2, DEBUG, HIGH)}),
    ("config.py", "class Config:\n    DEBUG = True\n", {(2, DEBUG, MEDIUM)}),
    ("config.py", "class DevelopmentConfig:\n    DEBUG = True\n", {(2, DEBUG, LOW)}),
    ("config.py", "class Tracer:\n    DEBUG = True\n", set()),  # not a configuration class
    ("app.py", "from flask import Flask\n\nDEBUG = True\napp = Flask(__name__)\n", {(3, DEBUG, LOW)}),
    ("tool.py", "DEBUG = True\n", set()),  # no web framework reads it
    ("app.py", "from flask import Flask\n\napp = Flask(__name__)\napp.run(debug=True)\n", {(4, DEBUG, HIGH)}),
    ("app.py", "def main(server):\n    server.run(debug=True)\n", {(2, DEBUG, MEDIUM)}),
    ("app.py", "import asyncio\n\nasyncio.run(main(), debug=True)\n", set()),
])
def test_debug_switches(path, source, expected):
    assert found(source, path) == expected


def test_confidence_medium_hides_the_low_choices_the_default_shows(tmp_path: Path):
    """The default run shows low-confidence choices in production code; `--confidence medium` is the
    precision-first view; in test code the test-code policy demotes and hides them."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "app.py").write_text(textwrap.dedent("""\
        import subprocess

        import requests

        def run(cmd):
            return subprocess.run(cmd, shell=True)

        def fetch(url):
            return requests.get(url, verify=False, timeout=5)
        """))
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_fetch.py").write_text(
        "import requests\n\n\ndef fetch_local(url):\n    return requests.get(url, verify=False, timeout=5)\n")

    def reported(config: Config) -> list[tuple[str, int, str, str]]:
        report = api.review(["."], config, cwd=tmp_path)
        return [(f.path, f.line, f.name, f.confidence.value) for f in report.findings]

    cache = str(tmp_path / "cache")
    assert reported(Config(jobs=1, cache_dir=cache)) == [("app.py", 6, SHELL, LOW), ("app.py", 9, TLS, HIGH)]
    assert reported(Config(jobs=1, cache_dir=cache, confidence=Confidence.MEDIUM)) == [("app.py", 9, TLS, HIGH)]
    assert reported(Config(jobs=1, cache_dir=cache, confidence=Confidence.LOW)) == [
        ("app.py", 6, SHELL, LOW), ("app.py", 9, TLS, HIGH), ("tests/test_fetch.py", 5, TLS, LOW)]
