"""The text report people read: exact lines of a finding block and of the summary, production code before
test code, the hidden-findings lines, the pillar table only on request, every line within the width (code
cropped with `…`), colour only when asked for or on a terminal, and the verdict sentence as the last line."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from report_samples import FINDINGS, LONG_SQL, broken, finding, sample

from secreview.cli import main
from secreview.config import Config
from secreview.model import CLEAN_SENTENCE, Confidence, Report, Severity, Stats
from secreview.report import render
from secreview.report.terminal import PIPE_WIDTH, cells, wants_color, width_for

ANSI = re.compile(r"\x1b\[[0-9;]*m")

GOLDEN_80 = """\
app/db.py — 1 finding
  app/db.py:7:5  SR113 sql-string-built  severity critical · confidence high
    SQL built from request data: The query text is built with `%` from `name`.
    CWE-89 (Improper Neutralization of Special Elements used in an SQL Command
    ('SQL Injection')) · pillar CWE-707 · type sqli
    7 |     cursor.execute("SELECT id, name, email, created_at FROM users WHERE…
    fix: Pass the values as query parameters: cursor.execute(sql, params).

app/views.py — 2 findings
  app/views.py:12:5  SR101 shell-command-injection
    severity high · confidence medium
    Shell command built from request data: `cmd` comes from the request and
    reaches `subprocess.call(..., shell=True)`.
    CWE-78 (Improper Neutralization of Special Elements used in an OS Command
    ('OS Command Injection')) · pillar CWE-707 · type cmdi
    12 |     subprocess.call(cmd, shell=True)
    trace: app/views.py:11 source: `flask.request.args` (remote input)
           app/views.py:12 sink (command): argument 1 of `subprocess.call`
    fix: Pass the command as a list of arguments, without a shell.
    suggested rewrite:
    12 |     subprocess.call(shlex.split(cmd))

  app/views.py:30:5  SR101 shell-command-injection
    severity high · confidence medium
    Shell command built from request data: `cmd` comes from the request and
    reaches `subprocess.call(..., shell=True)`.
    CWE-78 (Improper Neutralization of Special Elements used in an OS Command
    ('OS Command Injection')) · pillar CWE-707 · type cmdi
    30 |     subprocess.call(cmd, shell=True)
    fix: as for line 12 above

In test code: 1 finding in 1 file

tests/test_views.py — 1 finding
  tests/test_views.py:8:5  SR507 request-without-timeout
    severity medium · confidence low
    Network call without a timeout: `requests.get` has no timeout.
    CWE-1088 (Synchronous Access of Remote Resource without Timeout) ·
    pillar CWE-664 · type dos
    8 |     requests.get(url)
    fix: Pass timeout=(connect, read).

Unused suppressions:
  app/views.py:40: # secreview: ignore[SR999] — unknown rule code SR999

4 findings by severity: 1 critical · 2 high · 1 medium (1 in test code)
  by confidence: 1 high · 2 medium · 1 low
4 files reviewed (321 lines, 84 rules)
2 findings suppressed by comments or per-file-ignores; 1 unused suppression (1
    with an unknown rule code) listed above
168 findings in test code hidden below medium confidence;
    --confidence low shows them
3 findings below the severity/confidence threshold hidden

4 security defects detected.
"""

PILLAR_TABLE_80 = """\
Pillars (CWE-1000) checked by 84 rules over 4 reviewed files:
  CWE-284  Improper Access Control                        8 rules     0 findings
  CWE-435  Improper Interaction Between Multiple Co…  not covered     0 findings
  CWE-664  Improper Control of a Resource Through i…     31 rules      1 finding
  CWE-682  Incorrect Calculation                           1 rule     0 findings
  CWE-691  Insufficient Control Flow Management           6 rules     0 findings
  CWE-693  Protection Mechanism Failure                  13 rules     0 findings
  CWE-697  Incorrect Comparison                           2 rules     0 findings
  CWE-703  Improper Check or Handling of Exceptiona…       1 rule     0 findings
  CWE-707  Improper Neutralization                       18 rules     3 findings
  CWE-710  Improper Adherence to Coding Standards         4 rules     0 findings

"""


def text(report: Report, **options) -> str:
    return render(report, "text", **options)


def test_exact_lines_at_80_columns():
    assert text(sample(), width=80) == GOLDEN_80


def test_wide_terminal_keeps_header_and_hidden_line_whole():
    lines = text(sample(), width=100).splitlines()
    assert "  app/views.py:12:5  SR101 shell-command-injection  severity high · confidence medium" in lines
    assert "168 findings in test code hidden below medium confidence; --confidence low shows them" in lines
    assert "3 findings below the severity/confidence threshold hidden" in lines
    whole = f"    7 | {LONG_SQL}"  # 104 columns: cropped at 100, whole at 132
    assert whole not in lines and whole[:99] + "…" in lines
    assert whole in text(sample(), width=132).splitlines()


def test_production_code_first_then_test_code():
    shuffled = sample(findings=(FINDINGS[3], *FINDINGS[:3]))  # sorted by path, tests/ would not come last
    headers = [line.split()[0] for line in text(shuffled).splitlines() if re.match(r"  \S+:\d+:\d+  SR", line)]
    assert headers == ["app/db.py:7:5", "app/views.py:12:5", "app/views.py:30:5", "tests/test_views.py:8:5"]
    only_production = text(sample(findings=FINDINGS[:3]))
    assert "In test code" not in only_production and "(1 in test code)" not in only_production


@pytest.mark.parametrize("width", [40, 60, 80, 100, 132])
def test_nothing_is_wider_than_the_width_and_code_is_cropped_at_it(width):
    report = sample(stats=replace(sample().stats, lines=12_345_678))
    lines = text(report, width=width, pillars=True).splitlines()
    assert lines[-1] == report.verdict_sentence
    for line in lines:
        assert cells(line) <= width, line
    cropped = [line for line in lines if line.endswith("…")]
    code = [line for line in cropped if re.match(r" {4}\s*\d+ \| ", line)]
    assert all(cells(line) == width for line in code)
    assert any(line.startswith("    7 |     cursor.execute(") for line in code) is (width < 104)
    assert set(cropped) - set(code) <= {line for line in lines if line.startswith("  CWE-")}  # pillar names


def test_pillar_table_only_with_pillars():
    plain = text(sample(), width=80)
    assert "Pillars (CWE-1000)" not in plain and "CWE-435" not in plain
    with_table = text(sample(), width=80, pillars=True)
    assert PILLAR_TABLE_80 in with_table
    assert with_table.replace(PILLAR_TABLE_80, "") == plain  # the table comes just before the summary


@pytest.mark.parametrize(("config", "line"), [
    (Config(), "168 findings in test code hidden below medium confidence; --confidence low shows them"),
    (Config(confidence=Confidence.HIGH), "168 findings in test code hidden below high confidence; "
                                         "--confidence low shows them"),
    (Config(severity=Severity.HIGH), "168 findings in test code hidden below high severity or medium confidence; "
                                     "--severity low --confidence low shows them"),
    (Config(test_code="drop"), '168 findings in test code dropped (test-code = "drop"; test-code = "demote" '
                               "keeps them at low confidence)"),
])
def test_hidden_in_test_code_line_names_the_threshold_and_the_flag(config, line):
    lines = text(sample(), width=200, config=config).splitlines()
    assert line in lines
    assert lines[lines.index(line) + 1] == "3 findings below the severity/confidence threshold hidden"


def test_hidden_lines_only_for_what_was_hidden():
    none_in_tests = text(sample(stats=Stats(reviewed=4, lines=321, rules=84, filtered=1)))
    assert "in test code hidden" not in none_in_tests
    assert "1 finding below the severity/confidence threshold hidden" in none_in_tests.splitlines()
    nothing = text(sample(stats=Stats(reviewed=4, lines=321, rules=84)))
    assert "hidden" not in nothing and "suppressed by comments or per-file-ignores" not in nothing


def test_not_reviewed_files_are_listed_and_counted_like_the_verdict():
    report = broken()
    lines = text(report).splitlines()
    at = lines.index("Not reviewed:")
    assert lines[at + 1] == "  app/legacy.py [syntax] app/legacy.py:3: invalid syntax"
    assert "4 files reviewed (321 lines, 84 rules); 1 file could not be reviewed (see errors)" in lines
    assert lines[-1] == report.verdict_sentence == (
        "4 security defects detected. The review is incomplete: 1 file could not be reviewed (see errors).")


def test_the_verdict_sentence_is_the_last_line_and_never_wrapped():
    for report in (sample(), broken(), Report((), (), (), Stats(files=1, reviewed=1, lines=3, rules=84))):
        for options in ({}, {"width": 40}, {"color": True}, {"pillars": True, "width": 60}):
            last = ANSI.sub("", text(report, **options)).splitlines()[-1]
            assert last == report.verdict_sentence
    assert text(Report((), (), (), Stats(files=1, reviewed=1))).splitlines()[-2:] == ["", CLEAN_SENTENCE]


def test_colour_styles_the_same_words():
    coloured = text(sample(), width=80, color=True)
    assert "\x1b[1;31mcritical\x1b[0m" in coloured  # severity in colour, paths bold
    assert "\x1b[1mapp/db.py\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == GOLDEN_80
    assert "\x1b" not in text(sample(), width=80)


def test_control_characters_of_the_code_cannot_drive_the_terminal():
    evil = finding("app/x.py", 3, "SR101", "shell-command-injection", "high", "high",
                   snippet="    run('\x1b[2J' + cmd)  # \u202e }", message="reads \x1b]0;title\x07")
    for colour in (False, True):
        out = ANSI.sub("", text(sample(findings=(evil,)), color=colour))
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        assert "    3 |     run('\\x1b[2J' + cmd)  # \\u202e }" in out.splitlines()
        assert "reads \\x1b]0;title\\x07" in out
    named = replace(evil, path="app/\x1b[31mx.py")
    for fmt in ("text", "concise"):
        out = render(sample(findings=(named,)), fmt)
        assert "\x1b" not in out and "app/\\x1b[31mx.py:3:5" in out


# --- the command line -------------------------------------------------------------------------------------


SHELL = "import subprocess\n\ndef run(cmd):\n    subprocess.call('ls ' + cmd, shell=True)\n"


@pytest.fixture
def app(tmp_path, monkeypatch):
    for name in ("NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(SHELL, encoding="utf-8")
    return tmp_path


def scan(capsys, *flags: str) -> str:
    assert main(["scan", "app.py", "--no-progress", "--select", "SR101", *flags]) == 1
    return capsys.readouterr().out


def test_cli_colour_only_when_asked_or_forced(app, capsys, monkeypatch):
    assert "\x1b[" not in scan(capsys)  # a pipe (pytest's capture) gets none by default
    assert "\x1b[" not in scan(capsys, "--color", "never")
    always = scan(capsys, "--color", "always")
    assert "\x1b[" in always and ANSI.sub("", always) == scan(capsys)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in scan(capsys)
    assert "\x1b[" not in scan(capsys, "--color", "never")
    scan(capsys, "-o", "report.txt")
    assert "\x1b" not in (app / "report.txt").read_text(encoding="utf-8")  # files get none unless --color always
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in scan(capsys)
    assert "\x1b[" in scan(capsys, "--color", "always")


def test_cli_width_from_columns_and_pillars_on_request(app, capsys, monkeypatch):
    out = scan(capsys)
    assert "Pillars (CWE-1000)" not in out
    assert out.splitlines()[-1] == "1 security defect detected."
    monkeypatch.setenv("COLUMNS", "50")
    narrow = scan(capsys, "--pillars").splitlines()
    assert max(cells(line) for line in narrow) <= 50
    assert narrow[narrow.index("Pillars (CWE-1000) checked by 1 rule over 1") + 1:][:3] == [
        "reviewed file:", "  CWE-284  Improper A…  not covered     0 findings",
        "  CWE-435  Improper I…  not covered     0 findings"]
    assert narrow[-1] == "1 security defect detected."


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("choice", "tty", "to_file", "env", "expected"), [
    ("auto", True, False, {}, True),
    ("auto", False, False, {}, False),
    ("auto", True, True, {}, False),
    ("auto", True, False, {"TERM": "dumb"}, False),
    ("auto", True, False, {"NO_COLOR": "1"}, False),
    ("auto", True, False, {"NO_COLOR": ""}, True),  # set but empty: not a request (no-color.org)
    ("auto", False, False, {"FORCE_COLOR": "1"}, True),
    ("auto", False, False, {"FORCE_COLOR": "0"}, False),
    ("auto", False, False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ("auto", False, True, {"FORCE_COLOR": "1"}, False),
    ("always", False, True, {"NO_COLOR": "1"}, True),
    ("never", True, False, {"FORCE_COLOR": "1"}, False),
])
def test_wants_color(choice, tty, to_file, env, expected):
    assert wants_color(choice, _Stream(tty), to_file, env) is expected


def test_width_for(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert width_for(_Stream(False), False, {}) == PIPE_WIDTH == 100
    assert width_for(_Stream(True), True, {}) == 100
    assert width_for(_Stream(False), False, {"COLUMNS": "72"}) == 72
    assert width_for(_Stream(False), False, {"COLUMNS": "10"}) == 40  # the narrowest layout
    assert width_for(_Stream(False), False, {"COLUMNS": "wide"}) == 100
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback: type("Size", (), {"columns": 132})())
    assert width_for(_Stream(True), False, {}) == 132
