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
