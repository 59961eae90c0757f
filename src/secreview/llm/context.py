"""What the `project` and `cot` prompts tell the model besides the code: the project it belongs to (from
the nearest pyproject.toml's [project] name and description) and the last commit message that touched
the file (from git, read-only). Callers that know better (the `diff` command knows its commits) pass
their own `PromptContext`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from secreview.config import find_pyproject, tomllib

NO_PROJECT = "(no project information is available)"
NO_MESSAGE = "(no commit message is available)"


@dataclass(frozen=True, slots=True)
class PromptContext:
    project: str | None = None  # None: look it up
    commit_message: str | None = None


def project_info(cwd: Path) -> str:
    path = find_pyproject(cwd)
    if path is None:
        return NO_PROJECT
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return NO_PROJECT
    name, description = project.get("name"), project.get("description")
    text = " — ".join(str(v) for v in (name, description) if v)
    return text or NO_PROJECT


def commit_message(path: Path) -> str:
    """The message of the last commit that changed `path`, or NO_MESSAGE outside git."""
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%B", "--", path.name], cwd=path.parent,
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return NO_MESSAGE
    message = done.stdout.strip() if done.returncode == 0 else ""
    return message or NO_MESSAGE
