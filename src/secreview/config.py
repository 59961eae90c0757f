"""The frozen run configuration: `[tool.secreview]` in pyproject.toml, then
`SECREVIEW_*` environment variables, then command-line flags (CLI > env > file)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from secreview.model import Confidence, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration value that cannot be used (reported with exit code 2)."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Severity = Severity.LOW  # report findings at or above
    confidence: Confidence = Confidence.LOW
    fail_on: Severity = Severity.LOW  # exit 1 when a reported finding is at or above
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    max_file_size: int = 2_000_000  # bytes
    jobs: int = 0  # 0: all cores
    progress: bool | None = None  # None: only on an interactive terminal outside CI
    cache: bool = True  # reuse results of unchanged files (see secreview/cache.py)
    cache_dir: str | None = None  # default: the user cache directory, or SECREVIEW_CACHE_DIR


_KEYS = {f.name for f in fields(Config)}
_ALIASES = {"fail-on": "fail_on", "max-file-size": "max_file_size", "respect-gitignore": "respect_gitignore",
            "cache-dir": "cache_dir"}


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _tool_table(path: Path, section: str) -> Any:
    """The raw `[tool.secreview]` value of a pyproject.toml; `section` names what the caller reads,
    for the error message."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [{section}]: {exc}") from exc
    return data.get("tool", {}).get("secreview", {})


def from_pyproject(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    table = _tool_table(path, "tool.secreview")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.secreview] must be a table")
    settings = {}
    for key, value in table.items():
        if isinstance(value, dict):
            continue  # sub-tables ([tool.secreview.llm], ...) belong to other components
        name = _ALIASES.get(key, key.replace("-", "_"))
        if name not in _KEYS:
            raise ConfigError(f"{path}: unknown setting {key!r} in [tool.secreview]")
        settings[name] = value
    return settings


def subtable(path: Path | None, name: str) -> dict[str, Any]:
    """`[tool.secreview.<name>]` of a pyproject.toml (e.g. "llm"), unvalidated: its owner checks the keys."""
    if path is None:
        return {}
    table = _tool_table(path, f"tool.secreview.{name}")
    section = table.get(name, {}) if isinstance(table, dict) else {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.secreview.{name}] must be a table")
    return section


def from_env(env: Mapping[str, str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name in _KEYS:
        value = env.get(f"SECREVIEW_{name.upper()}")
        if value is not None and value != "":
            settings[name] = value
    return settings


def build(*layers: Mapping[str, Any]) -> Config:
    """Later layers win. Values are validated and converted here, once."""
    config = Config()
    for layer in layers:
        for key, value in layer.items():
            if value is None:
                continue
            config = replace(config, **{key: _convert(key, value)})
    return config


def load(cli: Mapping[str, Any], cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    cwd = cwd or Path.cwd()
    file_settings = from_pyproject(find_pyproject(cwd))
    return build(file_settings, from_env(os.environ if env is None else env), cli)


def _convert(key: str, value: Any) -> Any:
    try:
        if key in ("severity", "fail_on"):
            return Severity(str(value).lower())
        if key == "confidence":
            return Confidence(str(value).lower())
        if key in ("select", "ignore", "exclude"):
            if isinstance(value, str):
                value = [v for v in value.replace(";", ",").split(",")]
            return tuple(str(v).strip() for v in value if str(v).strip())
        if key in ("max_file_size", "jobs"):
            number = int(value)
            if number < 0:
                raise ValueError("must not be negative")
            return number
        if key == "cache_dir":
            return str(value)
        if key in ("respect_gitignore", "progress", "cache"):
            return parse_bool(value)
    except ValueError as exc:
        raise ConfigError(f"invalid value {value!r} for {key}: {exc}") from exc
    raise ConfigError(f"unknown setting {key!r}")


def parse_bool(value: object) -> bool:
    """A boolean from TOML (a bool) or the environment (`1/true/yes/on`, `0/false/no/off`)."""
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")
