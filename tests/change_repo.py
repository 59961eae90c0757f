"""A real git repository in a temporary directory, for the `secreview diff` tests."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from secreview.cli import main

IDENTITY = {"GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.invalid",
            "GIT_COMMITTER_NAME": "Test Committer", "GIT_COMMITTER_EMAIL": "committer@example.invalid",
            "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


class Repo:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("-c", "init.defaultBranch=main", "init", "-q")

    def git(self, *args: str) -> str:
        env = {**os.environ, **IDENTITY}
        cmd = ["git", "-c", "user.name=Test Author", "-c", "user.email=author@example.invalid", *args]
        return subprocess.run(cmd, cwd=self.root, env=env, check=True, capture_output=True, text=True).stdout

    def write(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode())

    def commit(self, message: str, **files: str) -> str:
        for path, text in files.items():
            self.write(path.replace("__", "/"), text)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def diff(capsys, *args: str) -> tuple[int, list[tuple[str, int, str]], dict]:
    """Run `secreview diff ... --format json`; exit code, sorted (path, line, rule) and the JSON report."""
    code = main(["diff", *args, "--format", "json"])
    out = capsys.readouterr().out
    if code == 2:
        return code, [], {}
    data = json.loads(out)
    return code, sorted((f["path"], f["line"], f["rule"]) for f in data["findings"]), data


def error(capsys, *args: str) -> tuple[int, str]:
    code = main(["diff", *args])
    return code, capsys.readouterr().err
