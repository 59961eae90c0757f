"""The HTML report: what it holds and escapes (plain checks of the markup), and how its filters behave in a
real headless Chromium (Debian's `chromium`, driven over the DevTools protocol on a pipe; skipped with the
reason when no chromium binary is installed)."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from secreview.api import review
from secreview.cli import main
from secreview.config import Config
from secreview.model import (
    CLEAN_SENTENCE,
    CandidateReview,
    Change,
    ChangedFile,
    Confidence,
    FileError,
    Finding,
    LLMAnswer,
    LLMRun,
    Report,
    Severity,
    Stats,
    Suppression,
    TraceStep,
    UnverifiedClaim,
)
from secreview.report import FORMATS, render

SERVICE = """\
import hashlib
import os
import subprocess

import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    cmd = request.args["cmd"]
    return subprocess.call(cmd, shell=True)


def fetch(url):
    return requests.get(url)


def digest(password):
    return hashlib.md5(password.encode()).hexdigest()


def prepare(path):
    if not os.path.exists(path):
        os.makedirs(path)
    os.system("echo '<script>alert(1)</script>' " + path)
"""
# (rule, line, severity, type, pillar) of what the review of SERVICE finds
EXPECTED = [
    ("SR104", 14, "high", "cmdi", 707),
    ("SR507", 18, "medium", "dos", 664),
    ("SR302", 22, "high", "crypto", 693),
    ("SR401", 27, "low", "race", 691),
    ("SR101", 28, "high", "cmdi", 707),
]
EVIL = "<script>alert('x')</script>\" onmouseover=\"alert(2)"
VOID = {"meta", "input", "br", "img", "link", "hr", "wbr"}


@pytest.fixture
def service_report(tmp_path, monkeypatch) -> Report:
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "service.py").write_text(SERVICE, encoding="utf-8")
    report = review(["service.py"], Config(jobs=1), cwd=tmp_path)
    assert [(f.rule, f.line, str(f.severity), f.type, f.pillar) for f in report.findings] == EXPECTED
    return report


class Page(HTMLParser):
    """The parts of the page the tests look at, and a check that every opened element is closed."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[tuple[str, int]] = []
        self.stack: list[str] = []
        self.unbalanced: list[str] = []
        self.checkboxes: list[tuple[str, str]] = []
        self.resources: list[str] = []
        self.heading = ""
        self._in_h1 = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "article":
            self.findings.append((a["data-rule"], int(a["data-line"])))
        if tag == "input" and a.get("type") == "checkbox":
            self.checkboxes.append((a["name"], a["value"]))
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            if name in a and not (a[name] or "").startswith("#"):
                self.resources.append(f"{tag} {name}={a[name]}")
        self._in_h1 = tag == "h1"

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.unbalanced.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.heading += data


def rendered(report: Report) -> tuple[str, Page]:
    text = render(report, "html")
    page = Page(text)
    assert page.unbalanced == [] and page.stack == []
    return text, page


# --- the markup ----------------------------------------------------------------------------------------------


def test_html_is_a_registered_format():
    assert "html" in FORMATS


def test_every_finding_is_shown_with_its_parts(service_report):
    text, page = rendered(service_report)
    assert page.findings == [(rule, line) for rule, line, *_ in EXPECTED]
    assert page.heading == "5 security defects detected." == service_report.verdict_sentence
    assert sorted(page.checkboxes) == sorted(
        [("severity", "high"), ("severity", "medium"), ("severity", "low"),
         ("type", "cmdi"), ("type", "dos"), ("type", "crypto"), ("type", "race"),
         ("pillar", "664"), ("pillar", "691"), ("pillar", "693"), ("pillar", "707")])
    assert 'Showing <strong id="shown-count">5</strong> of 5 findings' in text
    summary = re.search(r'<ul class="severity-summary".*?</ul>', text).group()
    assert re.findall(r'<span class="n">(\d+)</span> (\w+)', summary) == [
        ("0", "critical"), ("3", "high"), ("1", "medium"), ("1", "low")]
    assert f"secreview {service_report.tool_version}" in text
    assert f"<dt>Files reviewed</dt><dd>1 of 1 ({service_report.stats.lines} lines)</dd>" in text
    # one finding in full: labelled severity and confidence, classification, location, numbered code, trace, fix
    article = re.search(r'<article[^>]*data-rule="SR104".*?</article>', text, re.S).group()
    for part in ("<dt>Severity</dt><dd>high</dd>", "<dt>Confidence</dt><dd>high</dd>",
                 "<dt>Type</dt><dd>command injection</dd>", "<dt>Pillar</dt><dd>CWE-707 Improper Neutralization</dd>",
                 "<dt>CWE</dt><dd>CWE-78 Improper Neutralization of Special Elements used in an OS Command "
                 "(&#x27;OS Command Injection&#x27;)</dd>",
                 "<dt>Location</dt><dd><code>service.py:14:12</code></dd>",
                 '<span class="line"><span class="ln">14</span>    return subprocess.call(cmd, shell=True)</span>',
                 "Data flow (3 steps)", '<code class="where">service.py:13</code>', "<h4>Fix</h4>"):
        assert part in article, part
    assert "<h2>Pillars (CWE-1000)</h2>" in text and "<td><code>CWE-435</code></td>" in text


def test_reviewed_code_is_escaped_and_nothing_is_fetched(service_report):
    text, page = rendered(service_report)
    assert len(re.findall(r"<script", text, re.I)) == 1  # the page's own script
    assert "os.system(&quot;echo &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; &quot; + path)" in text
    assert page.resources == []  # only in-page anchors
    assert not re.search(r"https?://|url\(|@import|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I)
    assert "default-src 'none'" in text  # and the browser is told to refuse any fetch


def hostile_report() -> Report:
    """Every string field of the model holds markup that would run or break out of an attribute."""
    step = TraceStep(path=EVIL, line=3, column=1, snippet=EVIL, note=EVIL)
    finding = Finding(
        rule="SR101", name=EVIL, title=EVIL, cwe=78, cwe_name=EVIL, pillar=707, pillar_name=EVIL, type="cmdi",
        severity=Severity.HIGH, confidence=Confidence.LOW, path=EVIL, line=3, end_line=3, column=1, end_column=4,
        snippet=EVIL, message=EVIL, fix=EVIL, fingerprint="f", trace=(step,), suggestion=EVIL, test_code=True,
        origin="llm")
    run = LLMRun(endpoint=EVIL, models=(EVIL,), prompt=EVIL, samples=1, consensus=1, calls=2, cached_calls=0,
                 failed_calls=1, prompt_tokens=10, completion_tokens=5, cost=0.5, redacted=1,
                 answers=(LLMAnswer(EVIL, EVIL, EVIL, 1, "none", 1, 0),),
                 reviews=(CandidateReview(EVIL, 3, EVIL, EVIL, "disputed", EVIL),))
    static = replace(finding, origin="static", test_code=False, line=5, trace=())
    return Report(
        findings=(finding, static), errors=(FileError(EVIL, "syntax", EVIL, 2),), pillars=(), stats=Stats(files=2),
        unused_suppressions=(Suppression(EVIL, 1, "secreview", (EVIL,), EVIL, (EVIL,)),), tool_version=EVIL,
        change=Change(EVIL, EVIL, EVIL, (ChangedFile(EVIL, EVIL + "old", "renamed", (1,), (1,)),), (EVIL,)),
        unverified=(UnverifiedClaim(EVIL, 2, 2, 79, EVIL, EVIL, EVIL, (EVIL,), (EVIL,)),), llm=run)


def test_every_field_from_the_report_is_escaped():
    text, page = rendered(hostile_report())
    assert len(re.findall(r"<script", text, re.I)) == 1
    assert "onmouseover=" not in text.replace("onmouseover=&quot;", "")
    assert text.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot; onmouseover=&quot;alert(2)") >= 25
    assert page.findings == [("SR101", 3), ("SR101", 5)] and page.resources == []


def test_test_code_llm_origin_change_errors_and_llm_parts_are_shown():
    text, _ = rendered(hostile_report())
    assert text.count('<span class="tag">test code</span>') == 1
    assert text.count("LLM review, verified against the code") == 1
    assert "<h2>Change reviewed</h2>" in text and "1 file, 1 added or modified line; reported: findings on the " \
        "changed lines." in text
    assert "Context was limited to the patch hunks" in text
    assert re.search(r"<h2>Not reviewed \(1 problem\)</h2>.*<td>syntax</td>", text)
    assert "<h2>Unused suppressions (1)</h2>" in text and "names no secreview rule" in text
    assert "<h2>LLM review</h2>" in text and "1 unverified LLM claim (not findings; they never fail the build)" in text
    assert "2 (0 from cache, 1 failed)" in text and "no defects" in text and "disputed" in text
    assert "static findings are never removed" in text  # a model said "none" on a file with a static finding


def test_clean_report_has_no_filters_and_says_so():
    clean = Report(findings=(), errors=(), pillars=(), stats=Stats(files=1, reviewed=1, lines=3, rules=80),
                   tool_version="9.9")
    text, page = rendered(clean)
    assert page.heading == CLEAN_SENTENCE
    assert page.findings == [] and page.checkboxes == [] and 'id="filters"' not in text
    assert "verdict: clean" in text


def test_findings_hidden_below_the_thresholds_are_counted():
    report = Report(findings=(), errors=(), pillars=(), stats=Stats(files=1, reviewed=1, filtered=3,
                                                                      filtered_test_code=2))
    text, _ = rendered(report)
    assert ("3 findings below the severity/confidence thresholds are not shown (2 of them in test code): "
            "<code>--confidence low</code> shows them") in text


def test_cli_writes_the_html_file(tmp_path, monkeypatch, capsys):
    for name in [k for k in os.environ if k.startswith("SECREVIEW_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "service.py").write_text(SERVICE, encoding="utf-8")
    assert main(["scan", "service.py", "--format", "html", "-o", "report.html", "--jobs", "1"]) == 1
    assert capsys.readouterr().err == "5 security defects detected.\n"
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and Page(text).findings == [(r, line) for r, line, *_ in EXPECTED]


# --- in a real browser ---------------------------------------------------------------------------------------

BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--remote-debugging-pipe")


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """A headless Chromium spoken to over --remote-debugging-pipe: JSON messages ending in NUL, commands on
    the child's fd 3, replies and events on its fd 4. Nothing but the standard library, no port, no download."""

    def __init__(self, binary: str, profile: Path, timeout: float = 30.0) -> None:
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def to_fds_3_and_4() -> None:  # in the child: move the pipe ends to the numbers Chromium expects
            read = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
            write = fcntl.fcntl(replies_write, fcntl.F_DUPFD, 10)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.process = subprocess.Popen(
            [binary, *BROWSER_FLAGS, f"--user-data-dir={profile}", "about:blank"], preexec_fn=to_fds_3_and_4,
            pass_fds=(3, 4, commands_read, replies_write), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(replies_write)
        self.timeout = timeout
        self.events: list[dict] = []
        self._buffer = b""
        self._next_id = 0
        self.session = ""

    def send(self, method: str, params: dict | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") != self._next_id:
                    self.events.append(reply)
                    continue
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            ready, _, _ = select.select([self._replies], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError(f"Chromium did not answer {method} within {self.timeout} s")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise RuntimeError(f"Chromium exited (code {self.process.poll()}) before answering {method}")
            self._buffer += chunk

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Network.enable")
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + self.timeout
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not finish loading")
            time.sleep(0.05)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click (press and release) at the middle of the element."""
        x, y = self.evaluate(f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
                             "el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();"
                             "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def close(self) -> None:
        try:
            self.session = ""
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except (OSError, RuntimeError, TimeoutError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self._commands)
            os.close(self._replies)


@pytest.fixture
def browser(tmp_path):
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no chromium binary on PATH: install Debian's `chromium` package (apt-get install -y chromium) "
                    "to run the HTML report in a real browser")
    chromium = Chromium(binary, tmp_path / "profile")
    yield chromium
    chromium.close()


VISIBLE = ("[...document.querySelectorAll('article.finding')].filter(a => a.checkVisibility())"
           ".map(a => [a.dataset.rule, Number(a.dataset.line)])")
SHOWN = "document.getElementById('shown-count').textContent"


def test_filters_show_and_hide_findings_in_chromium(service_report, tmp_path, browser):
    page = tmp_path / "report.html"
    page.write_text(render(service_report, "html"), encoding="utf-8")
    browser.open(page.as_uri())
    assert browser.evaluate(VISIBLE) == [[rule, line] for rule, line, *_ in EXPECTED]
    assert browser.evaluate(SHOWN) == "5"

    browser.click("input[name=severity][value=high]")  # hide the high findings
    assert browser.evaluate(VISIBLE) == [["SR507", 18], ["SR401", 27]]
    assert browser.evaluate(SHOWN) == "2"
    assert browser.evaluate("document.querySelector('.file-count').textContent") == "2 of 5 findings shown"

    browser.click("input[name=type][value=race]")  # and the race conditions
    assert browser.evaluate(VISIBLE) == [["SR507", 18]]
    assert browser.evaluate(SHOWN) == "1"

    browser.click("input[name=pillar][value='664']")  # nothing left: the page says so
    assert browser.evaluate(VISIBLE) == []
    assert browser.evaluate(SHOWN) == "0"
    assert browser.evaluate("document.getElementById('none-shown').checkVisibility()") is True

    browser.click("#show-all")
    assert browser.evaluate(VISIBLE) == [[rule, line] for rule, line, *_ in EXPECTED]
    assert browser.evaluate(SHOWN) == "5"

    browser.click("input[name=pillar][value='707']")  # a pillar: both command injections go
    assert browser.evaluate(VISIBLE) == [["SR507", 18], ["SR302", 22], ["SR401", 27]]
    assert browser.evaluate(SHOWN) == "3"

    requested = [e["params"]["request"]["url"] for e in browser.events
                 if e.get("method") == "Network.requestWillBeSent"]
    assert requested == [page.as_uri()]  # the page itself and nothing else
