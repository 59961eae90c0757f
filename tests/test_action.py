"""The composite GitHub Action (action.yml): its structure, read with PyYAML, and its own shell scripts run
here with bash against the installed secreview (nothing runs GitHub)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ACTION = Path(__file__).resolve().parent.parent / "action.yml"
SHELL = 'import os\nos.system("ls " + x)\n'


@pytest.fixture(scope="module")
def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def steps(action) -> dict[str, dict]:
    return {step["name"]: step for step in action["runs"]["steps"]}


def test_inputs_and_their_defaults(action):
    assert action["runs"]["using"] == "composite"
    assert {name: spec.get("default") for name, spec in action["inputs"].items()} == {
        "paths": ".", "args": "", "sarif-file": "secreview.sarif", "upload": "true", "python-version": "3.11"}
    assert all(spec["description"] for spec in action["inputs"].values())


def test_every_input_and_step_output_used_exists(action):
    text = ACTION.read_text(encoding="utf-8")
    assert set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text)) == set(action["inputs"])
    ids = [step.get("id") for step in action["runs"]["steps"]]
    for index, step in enumerate(action["runs"]["steps"]):
        for used in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs\.", json.dumps(step)):
            assert used in ids[:index], f"{step['name']} reads outputs of {used}, which has not run yet"
    for name, output in action["outputs"].items():
        (used,) = re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", output["value"])
        assert used == ("scan", name)


def test_run_steps_name_a_shell_and_never_paste_expressions_into_scripts(action):
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"  # composite actions require it
            assert "${{" not in step["run"], f"{step['name']}: inputs must reach the script through env"


def test_python_is_set_up_and_secreview_installed_from_the_action_path(steps):
    setup = steps["Set up Python"]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"] == {"python-version": "${{ inputs.python-version }}"}
    install = steps["Install secreview"]
    assert install["env"] == {"ACTION_PATH": "${{ github.action_path }}"}
    assert "pip install" in install["run"] and install["run"].rstrip().endswith('"$ACTION_PATH"')


def test_upload_is_conditional_and_comes_before_the_failing_step(action, steps):
    names = [step["name"] for step in action["runs"]["steps"]]
    upload, fail = steps["Upload SARIF to code scanning"], steps["Fail the job on secreview's verdict"]
    assert names.index("Review with secreview") < names.index(upload["name"]) < names.index(fail["name"])
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["if"] == "${{ !cancelled() && inputs.upload == 'true' && steps.scan.outputs.sarif-file != '' }}"
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert "!cancelled()" in fail["if"] and "steps.scan.outputs.exit-code != '0'" in fail["if"]
    assert fail["env"] == {"STATUS": "${{ steps.scan.outputs.exit-code }}"}


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a step's script as GitHub does (`bash --noprofile --norc -eo pipefail`), with this interpreter's
    secreview first on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                          env={**os.environ, "PATH": path, **env}, capture_output=True, text=True, timeout=300)


def outputs(file: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in file.read_text(encoding="utf-8").splitlines())


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    for name in [k for k in os.environ if k.startswith("SECREVIEW_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    work = tmp_path / "workspace"
    for name in ("src/app.py", "skip/a.py", "skip/b.py"):
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(SHELL, encoding="utf-8")
    return work


@pytest.mark.parametrize(("args", "code"), [("--exclude skip/*", "1"), ("--exclude skip/* --exit-zero", "0")])
def test_the_scan_step_records_the_exit_code_and_writes_the_sarif(steps, workspace, args, code):
    (workspace / "old.sarif").write_text("stale", encoding="utf-8")
    github_output = workspace.parent / "github_output"
    github_output.write_text("", encoding="utf-8")
    done = bash(steps["Review with secreview"]["run"], workspace, {
        "SECREVIEW_PATHS": ". src", "SECREVIEW_ARGS": args, "SARIF_FILE": "old.sarif",
        "GITHUB_OUTPUT": str(github_output)})
    assert done.returncode == 0, done.stderr  # the step itself never fails: the upload comes first
    assert outputs(github_output) == {"exit-code": code, "sarif-file": "old.sarif"}
    run = json.loads((workspace / "old.sarif").read_text(encoding="utf-8"))["runs"][0]
    # `skip/*` reached secreview unexpanded, so both files under skip/ were excluded
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]] == [
        "src/app.py"]


def test_no_sarif_output_when_secreview_wrote_none(steps, workspace):
    github_output = workspace.parent / "github_output"
    github_output.write_text("", encoding="utf-8")
    done = bash(steps["Review with secreview"]["run"], workspace, {
        "SECREVIEW_PATHS": ".", "SECREVIEW_ARGS": "--no-such-option", "SARIF_FILE": "out.sarif",
        "GITHUB_OUTPUT": str(github_output)})
    assert done.returncode == 0
    assert outputs(github_output) == {"exit-code": "2"}  # so the upload step is skipped
    assert not (workspace / "out.sarif").exists()


def test_the_last_step_fails_with_secreviews_exit_code(steps, workspace):
    done = bash(steps["Fail the job on secreview's verdict"]["run"], workspace, {"STATUS": "1"})
    assert done.returncode == 1
    assert done.stdout.startswith("::error title=secreview::secreview exited with code 1 (1: findings")
