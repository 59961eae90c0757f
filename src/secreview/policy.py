"""What a run does with the findings the engine recorded, decided in one place after the result cache
(the cache holds facts about files; these settings may differ from run to run):

1. `per-file-ignores`: a finding of a listed rule in a file matching the glob is not reported (counted
   with the suppressed ones);
2. the test-code policy (`test-code`): findings in test code (the engine's per-file fact, plus a test
   directory of the file's project, `analysis/code.py`) are demoted to low confidence (default),
   dropped, or kept as they are;
3. the severity and confidence thresholds (`Config.reports`); by default test code needs medium
   confidence, so demoted findings are counted as hidden, not reported.

When the policy hides every finding in test code (`hides_test_code`: the default), files in a test
directory are not reviewed at all (`api.review` counts them in `Stats.skipped_test_code`): two thirds of
Django's files are its tests, and reviewing them cost two thirds of a cold review for findings no one sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from secreview.analysis.code import is_test_path
from secreview.config import Config, ConfigError
from secreview.model import Confidence, Finding
from secreview.paths import PathPatterns, below_project_root

# The LLM layer's findings are not a static rule but can be ignored per file like one.
_LLM_RULE = ("SR900", "llm-review", "other")


@dataclass
class Outcome:
    reported: list[Finding] = field(default_factory=list)
    ignored: int = 0  # by per-file-ignores
    filtered: int = 0  # below the thresholds, or dropped as test code
    filtered_test_code: int = 0  # of `filtered`, those in test code


class RunPolicy:
    """`known`: (code, name, type) of every rule, to check the rules `per-file-ignores` names (empty: no check,
    as for the LLM layer, whose run was checked by the static review's)."""

    def __init__(self, config: Config, base: Path, known: Iterable[tuple[str, str, str]] = ()):
        self.config = config
        rules = [*known, _LLM_RULE] if known else []
        self.ignores: list[tuple[PathPatterns, tuple[str, ...]]] = []
        for glob, selectors in config.per_file_ignores:
            for token in selectors:
                if rules and not any(_matches(rule, token) for rule in rules):
                    raise ConfigError(f"per-file-ignores {glob!r}: unknown rule, prefix or type {token!r}")
            self.ignores.append((PathPatterns([glob], base), selectors))
        self.base = base
        self._test_dirs = TestDirectories(base)

    def apply(self, findings: Iterable[Finding]) -> Outcome:
        out = Outcome()
        for finding in findings:
            if self._ignored(finding):
                out.ignored += 1
                continue
            if not finding.test_code and self._test_dirs.holds(finding.path):
                finding = replace(finding, test_code=True)
            if finding.test_code and self.config.test_code == "drop":
                out.filtered += 1
                out.filtered_test_code += 1
                continue
            if finding.test_code and self.config.test_code == "demote" and finding.confidence != Confidence.LOW:
                finding = replace(finding, confidence=Confidence.LOW)
            if self.config.reports(finding):
                out.reported.append(finding)
            else:
                out.filtered += 1
                out.filtered_test_code += finding.test_code
        return out


    def _ignored(self, finding: Finding) -> bool:
        if not self.ignores:
            return False
        rule = (finding.rule, finding.name, finding.type)
        path = self.base / finding.path
        return any(any(_matches(rule, t) for t in selectors) and patterns.matches(path)
                   for patterns, selectors in self.ignores)


def hides_test_code(config: Config) -> bool:
    """No finding in test code can be reported in this run: dropped (`test-code = "drop"`), or demoted to low
    confidence while test code needs more (the default: medium)."""
    if config.test_code == "drop":
        return True
    return config.test_code == "demote" and config.confidence_threshold(test_code=True) > Confidence.LOW


class TestDirectories:
    """Which display paths (relative to `base`) are test code by location."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, base: Path) -> None:
        self.base = base
        self._known: dict[str, bool] = {}  # display directory -> under a test directory of its project

    def holds(self, display: str) -> bool:
        """Under a tests/ (test/, testing/...) directory of its project, or a conftest.py; directories
        above the project root do not count, and outside any project none do (better shown than hidden)."""
        directory, _, name = display.replace("\\", "/").rpartition("/")
        known = self._known.get(directory)
        if known is None:
            below = below_project_root(self.base / display)
            known = self._known[directory] = below is not None and is_test_path(str(below.parent / "x.py"))
        return known or name == "conftest.py"


def _matches(rule: tuple[str, str, str], token: str) -> bool:
    code, name, kind = rule
    return token in rule or (token.startswith("SR") and code.startswith(token)) or token.lower() in (name, kind)
