"""Configuration layers: pyproject.toml < SECREVIEW_* environment < command line."""

from __future__ import annotations

import pytest

from secreview.config import Config, ConfigError, load
from secreview.model import Confidence, Severity


def test_file_then_env_then_cli(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.secreview]\nseverity = "medium"\nfail-on = "high"\nignore = ["SR206"]\njobs = 3\n'
        '[tool.secreview.llm]\nmodel = "x"\n'
    )
    (tmp_path / "sub").mkdir()
    config = load({}, cwd=tmp_path / "sub", env={})
    assert config == Config(severity=Severity.MEDIUM, fail_on=Severity.HIGH, ignore=("SR206",), jobs=3)
    config = load({}, cwd=tmp_path, env={"SECREVIEW_SEVERITY": "high", "SECREVIEW_IGNORE": "SR1,SR2"})
    assert config.severity is Severity.HIGH and config.ignore == ("SR1", "SR2")
    config = load({"severity": "low", "confidence": "high", "jobs": None}, cwd=tmp_path,
                  env={"SECREVIEW_SEVERITY": "high"})
    assert (config.severity, config.confidence, config.jobs) == (Severity.LOW, Confidence.HIGH, 3)


@pytest.mark.parametrize(("text", "message"), [
    # each raised TypeError or AttributeError (a traceback, not exit 2) until the settings were typed `object`
    ("[tool.secreview]\njobs = [1]\n", "invalid value [1] for jobs: expected a number"),
    ("[tool.secreview]\nselect = 5\n", "invalid value 5 for select: expected a list of strings"),
    ("[tool.secreview]\nexclude = 5\n", "invalid value 5 for exclude: expected a list of strings"),
    ("tool = 1\n", "pyproject.toml: [tool] must be a table"),
])
def test_a_setting_of_the_wrong_type_is_a_config_error(tmp_path, text, message):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load({}, cwd=tmp_path, env={})
    assert str(caught.value).removeprefix(str(tmp_path.resolve()) + "/") == message


def test_unknown_key_and_bad_values_are_clear_errors(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.secreview]\nseverty = "high"\n')
    with pytest.raises(ConfigError, match="unknown setting 'severty'"):
        load({}, cwd=tmp_path, env={})
    (tmp_path / "pyproject.toml").write_text('[tool.secreview]\njobs = -1\n')
    with pytest.raises(ConfigError, match="jobs"):
        load({}, cwd=tmp_path, env={})
    (tmp_path / "pyproject.toml").write_text("[tool.secreview\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load({}, cwd=tmp_path, env={})
    with pytest.raises(ConfigError, match="severity"):
        (tmp_path / "pyproject.toml").unlink()
        load({"severity": "urgent"}, cwd=tmp_path, env={})
