"""The frozen run configuration: `[tool.secreview]` in pyproject.toml, then
`SECREVIEW_*` environment variables, then command-line flags (CLI > env > file)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TypeVar

from secreview.model import Confidence, Finding, Severity

# `as tomllib`: re-exported (llm/context.py reads pyproject.toml with the same parser)
if sys.version_info >= (3, 11):
    import tomllib as tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration value that cannot be used (reported with exit code 2)."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Severity = Severity.LOW  # report findings at or above
    # None: low for production code, medium for test code (whose findings are demoted to low, so
    # they are hidden unless asked for); a level given by the user applies to all code.
    confidence: Confidence | None = None
    fail_on: Severity = Severity.LOW  # exit 1 when a reported finding is at or above
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    max_file_size: int = 1_000_000  # bytes; a file at the limit reviews in under 10 s on one core (scaling.py)
    jobs: int = 0  # 0: all cores
    progress: bool | None = None  # None: only on an interactive terminal outside CI
    cache: bool = True  # reuse results of unchanged files (see secreview/cache.py)
    cache_dir: str | None = None  # default: the user cache directory, or SECREVIEW_CACHE_DIR
    allow_incomplete: bool = False  # exit 0/1 by findings alone even when the review did not finish
    # The project a review learns from (taint summaries of the modules the reviewed files reach): None finds
    # it (secreview.paths.project_root of the reviewed paths); a directory names it; False turns it off.
    project: str | bool | None = None
    test_code: str = "demote"  # findings in test code: "demote" (to low confidence), "drop", "keep"
    extend_exclude: tuple[str, ...] = ()  # more exclude globs, added to `exclude`
    # (glob, rule selectors) pairs: those rules' findings are not reported in files matching the glob
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def excludes(self) -> tuple[str, ...]:
        """`exclude` and `extend-exclude` together (secreview.paths says what a pattern matches)."""
        return self.exclude + self.extend_exclude

    def confidence_threshold(self, test_code: bool) -> Confidence:
        """The lowest confidence reported for a finding in test code (or not)."""
        if self.confidence is not None:
            return self.confidence
        return Confidence.MEDIUM if test_code and self.test_code != "keep" else Confidence.LOW

    def reports(self, finding: Finding) -> bool:
        """The finding is at or above the severity and confidence thresholds."""
        return finding.severity >= self.severity and finding.confidence >= self.confidence_threshold(finding.test_code)


_KEYS = {f.name for f in fields(Config)}
_ALIASES = {"fail-on": "fail_on", "max-file-size": "max_file_size", "respect-gitignore": "respect_gitignore",
            "cache-dir": "cache_dir", "allow-incomplete": "allow_incomplete", "test-code": "test_code",
            "extend-exclude": "extend_exclude", "per-file-ignores": "per_file_ignores"}
TEST_CODE_POLICIES = ("demote", "drop", "keep")


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _tool_table(path: Path, section: str) -> object:
    """The raw `[tool.secreview]` value of a pyproject.toml; `section` names what the caller reads,
    for the error message."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [{section}]: {exc}") from exc
    tool: object = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    table: object = tool.get("secreview", {})
    return table


def from_pyproject(path: Path | None) -> dict[str, object]:
    if path is None:
        return {}
    table = _tool_table(path, "tool.secreview")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.secreview] must be a table")
    settings: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict) and key not in ("per-file-ignores", "per_file_ignores"):
            continue  # sub-tables ([tool.secreview.llm], ...) belong to other components
        name = _ALIASES.get(key, key.replace("-", "_"))
        if name not in _KEYS:
            raise ConfigError(f"{path}: unknown setting {key!r} in [tool.secreview]")
        settings[name] = value
    return settings


def anchor_patterns(settings: Mapping[str, object], base: Path) -> dict[str, object]:
    """Relative path patterns of a pyproject.toml are relative to its directory, wherever secreview runs
    (single-path patterns match anywhere and stay as they are); those of the command line and the
    environment are relative to the current directory."""
    from secreview.paths import anchored

    out = dict(settings)
    for key in ("exclude", "extend_exclude"):
        if out.get(key) is not None:
            out[key] = tuple(anchored(v, base) for v in _checked(key, out[key], _patterns))
    project = out.get("project")
    if isinstance(project, str) and project.strip().lower() not in (
            "0", "1", "false", "true", "no", "yes", "off", "on", ""):
        out["project"] = str((base / project).resolve()) if not os.path.isabs(project) else project
    if out.get("per_file_ignores") is not None:
        out["per_file_ignores"] = tuple((anchored(glob, base), codes) for glob, codes in
                                        _checked("per_file_ignores", out["per_file_ignores"], _per_file_ignores))
    return out


def subtable(path: Path | None, name: str) -> dict[str, object]:
    """`[tool.secreview.<name>]` of a pyproject.toml (e.g. "llm"), unvalidated: its owner checks the keys."""
    if path is None:
        return {}
    table = _tool_table(path, f"tool.secreview.{name}")
    section: object = table.get(name, {}) if isinstance(table, dict) else {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.secreview.{name}] must be a table")
    return section


def from_env(env: Mapping[str, str]) -> dict[str, object]:
    settings: dict[str, object] = {}
    for name in _KEYS:
        value = env.get(f"SECREVIEW_{name.upper()}")
        if value is not None and value != "":
            settings[name] = value
    return settings


def build(*layers: Mapping[str, object]) -> Config:
    """Later layers win, except `extend-exclude`, which each layer extends. Values are validated and
    converted here, once."""
    config = Config()
    for layer in layers:
        for key, value in layer.items():
            if value is None:
                continue
            config = _set(config, key, value)
    return config


def load(cli: Mapping[str, object], cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    cwd = cwd or Path.cwd()
    pyproject = find_pyproject(cwd)
    file_settings = anchor_patterns(from_pyproject(pyproject), pyproject.parent) if pyproject else {}
    # the command line's and the environment's patterns are relative to where secreview runs, for every
    # command (diff reports paths from the repository root, but a user types them from here)
    environment = anchor_patterns(from_env(os.environ if env is None else env), cwd)
    return build(file_settings, environment, anchor_patterns(dict(cli), cwd))


_T = TypeVar("_T")


def _set(config: Config, key: str, value: object) -> Config:
    """`config` with setting `key` read from `value` (a TOML value, an environment string or a command-line
    value); `extend_exclude` adds to what earlier layers gave."""
    match key:
        case "select":
            return replace(config, select=_checked(key, value, _patterns))
        case "ignore":
            return replace(config, ignore=_checked(key, value, _patterns))
        case "exclude":
            return replace(config, exclude=_checked(key, value, _patterns))
        case "extend_exclude":
            return replace(config, extend_exclude=config.extend_exclude + _checked(key, value, _patterns))
        case "severity":
            return replace(config, severity=_checked(key, value, _severity))
        case "fail_on":
            return replace(config, fail_on=_checked(key, value, _severity))
        case "confidence":
            return replace(config, confidence=_checked(key, value, _confidence))
        case "per_file_ignores":
            return replace(config, per_file_ignores=_checked(key, value, _per_file_ignores))
        case "test_code":
            return replace(config, test_code=_checked(key, value, _test_code))
        case "max_file_size":
            return replace(config, max_file_size=_checked(key, value, _count))
        case "jobs":
            return replace(config, jobs=_checked(key, value, _count))
        case "project":
            return replace(config, project=_checked(key, value, _project))
        case "cache_dir":
            return replace(config, cache_dir=str(value))
        case "respect_gitignore":
            return replace(config, respect_gitignore=_checked(key, value, parse_bool))
        case "progress":
            return replace(config, progress=_checked(key, value, parse_bool))
        case "cache":
            return replace(config, cache=_checked(key, value, parse_bool))
        case "allow_incomplete":
            return replace(config, allow_incomplete=_checked(key, value, parse_bool))
    raise ConfigError(f"unknown setting {key!r}")


def _checked(key: str, value: object, convert: Callable[[object], _T]) -> _T:
    try:
        return convert(value)
    except ValueError as exc:
        raise ConfigError(f"invalid value {value!r} for {key}: {exc}") from exc


def _patterns(value: object) -> tuple[str, ...]:
    """Rule selectors or path patterns: a list, or one string of them (`a,b`, see `paths.split_patterns`)."""
    if isinstance(value, str):
        from secreview.paths import split_patterns

        value = split_patterns(value)
    if not isinstance(value, (list, tuple)):
        raise ValueError("expected a list of strings")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _severity(value: object) -> Severity:
    return Severity(str(value).lower())


def _confidence(value: object) -> Confidence:
    return Confidence(str(value).lower())


def _count(value: object) -> int:
    if not isinstance(value, (int, float, str)):
        raise ValueError("expected a number")
    number = int(value)
    if number < 0:
        raise ValueError("must not be negative")
    return number


def _test_code(value: object) -> str:
    policy = str(value).strip().lower()
    if policy not in TEST_CODE_POLICIES:
        raise ValueError(f"expected one of {', '.join(TEST_CODE_POLICIES)}")
    return policy


def _per_file_ignores(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`{"GLOB" = ["SR101", ...]}` (TOML), or `GLOB:CODE,CODE` entries separated by `;` or new lines
    (environment and command line; a list of such entries too)."""
    pairs: list[tuple[str, object]] = []
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        entries = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else None
        if entries is None:
            raise ValueError("expected a table of glob = [rules]")
        for entry in entries:
            if isinstance(entry, (list, tuple)) and len(entry) == 2:
                pairs.append((str(entry[0]), entry[1]))
                continue
            for part in str(entry).replace("\n", ";").split(";"):
                if not part.strip():
                    continue
                glob, sep, codes = part.strip().rpartition(":")
                if not sep or not glob.strip():
                    raise ValueError(f"{part.strip()!r} is not GLOB:RULES")
                pairs.append((glob.strip(), codes))
    out = []
    for glob, listed in pairs:
        items = listed.split(",") if isinstance(listed, str) else listed
        if not isinstance(items, (list, tuple)):
            raise ValueError(f"the rules for {glob!r} must be a list")
        names = tuple(str(c).strip() for c in items if str(c).strip())
        if not glob.strip() or not names:
            raise ValueError(f"{glob!r} needs a glob and at least one rule")
        out.append((str(glob).strip(), names))
    return tuple(out)


def _project(value: object) -> str | bool | None:
    """`project`: a directory, or false/no/off/0 (no project scope); true means "find it" (None)."""
    if isinstance(value, bool):
        return None if value else False
    text = str(value).strip()
    if text.lower() in ("0", "false", "no", "off"):
        return False
    if text.lower() in ("1", "true", "yes", "on", ""):
        return None
    return text


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

