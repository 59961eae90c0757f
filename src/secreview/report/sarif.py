"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

Severity mapping (rule `defaultConfiguration.level`, result `level`,
`problem.severity` and the numeric `security-severity` GitHub ranks alerts by):

    critical -> error,   error,          "9.5"   (GitHub: critical, > 9.0)
    high     -> error,   error,          "8.0"   (GitHub: high, 7.0-8.9)
    medium   -> warning, warning,        "5.5"   (GitHub: medium, 4.0-6.9)
    low      -> note,    recommendation, "3.0"   (GitHub: low, 0.1-3.9)

Confidence maps to `precision` as high -> high, medium -> medium, low -> low.

URIs: GitHub code scanning resolves a result's URI against the repository root,
so `%SRCROOT%` is that root (`srcroot`) and every path under it becomes a
root-relative URI with `uriBaseId: "%SRCROOT%"`. Relative finding paths are
relative to `base` (the directory `scan` ran in; default: `srcroot`). A path
outside the root keeps an absolute `file://` URI without `uriBaseId`. The output
is a pure function of the report, `srcroot` and `base`; `uri_options` is where
the CLI finds the root.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from secreview.model import FileError, Finding, Report, RuleInfo, Severity, Suppression, TraceStep

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/secreview/"
FINGERPRINT_KEY = "secreviewFingerprint/v1"
SRCROOT = "%SRCROOT%"

LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
PROBLEM = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
           Severity.LOW: "recommendation"}
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


@dataclass(frozen=True)
class _Uris:
    root: str | None  # absolute POSIX directory ending in "/", or None
    base: str | None = None  # absolute POSIX directory relative paths are relative to (None: the root)

    def location(self, path: str, region: dict | None = None) -> dict:
        artifact = self._artifact(path)
        physical: dict = {"artifactLocation": artifact}
        if region:
            physical["region"] = region
        return {"physicalLocation": physical}

    def _artifact(self, path: str) -> dict:
        path = path.replace("\\", "/")
        base = self.base or self.root
        if base and not _is_absolute(path):
            # Normalised without touching the disk: `../lib/x.py` from a subdirectory may land under the root.
            path = posixpath.normpath(posixpath.join(base, path))
        if self.root and path.startswith(self.root):
            path = path[len(self.root):]
        if path.startswith("/"):
            return {"uri": "file://" + quote(path, safe="/")}
        if _WINDOWS_DRIVE.match(path):
            return {"uri": "file:///" + path[:2] + quote(path[2:], safe="/")}
        return {"uri": quote(path.removeprefix("./"), safe="/"), "uriBaseId": SRCROOT}


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or bool(_WINDOWS_DRIVE.match(path))


def _directory(path: str) -> str:
    return path.replace("\\", "/").rstrip("/") + "/"


def repository_root(directory: Path) -> Path:
    """The top of the git checkout that holds `directory`: the nearest directory with a `.git` entry (a
    directory, or the file a worktree or submodule has); `directory` itself when there is none. Found
    without running git, so a checkout owned by another user (CI containers, where git refuses to work
    in it) still gets its root."""
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


def uri_options(srcroot: str | Path | None, cwd: Path) -> dict[str, str]:
    """`render` options for the CLI. `srcroot`: the root a command's paths are already relative to (`diff`
    knows it); otherwise the paths are relative to `cwd` and the root is the checkout around it."""
    if srcroot:
        return {"srcroot": str(srcroot)}
    return {"srcroot": str(repository_root(cwd)), "base": str(cwd)}


def _file_uri(directory: str) -> str:
    directory = directory.replace("\\", "/").rstrip("/") + "/"
    if _WINDOWS_DRIVE.match(directory):
        return "file:///" + directory[:2] + quote(directory[2:], safe="/")
    return "file://" + quote(directory, safe="/")


def markdown_to_text(markdown: str) -> str:
    """The rule doc as plain text: headings, fences, emphasis and link syntax removed."""
    lines = []
    for line in markdown.strip().splitlines():
        if line.lstrip().startswith("```"):
            continue
        line = re.sub(r"^#{1,6}\s+", "", line)
        line = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", line)
        line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
        lines.append(line.replace("`", ""))
    return "\n".join(lines)


def _tags(info: RuleInfo) -> list[str]:
    tags = ["security"]
    if info.cwe:
        tags.append(f"external/cwe/cwe-{info.cwe:03d}")
    tags.append(f"secreview/type/{info.type}")
    if info.pillar:
        tags.append(f"secreview/pillar/cwe-{info.pillar:03d}")
    return tags[:20]


def _rule(info: RuleInfo) -> dict:
    full = f"{info.title}. CWE-{info.cwe}: {info.cwe_name}." if info.cwe_name else f"{info.title}."
    markdown = info.help.strip() or f"{info.title}\n\nFix: {info.fix}"
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": full},
        "help": {"text": markdown_to_text(markdown), "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        "properties": {
            "tags": _tags(info),
            "precision": info.confidence.value,
            "problem.severity": PROBLEM[info.severity],
            "security-severity": SECURITY_SEVERITY[info.severity],
        },
    }


def _from_finding(f: Finding) -> RuleInfo:
    """Rule metadata for a finding whose rule is missing from `report.rules`."""
    return RuleInfo(f.rule, f.name, f.title, f.cwe, f.cwe_name, f.pillar, f.pillar_name, f.type,
                    f.severity, f.confidence, f.fix, "")


def _step(step: TraceStep, uris: _Uris) -> dict[str, object]:
    region: dict[str, object] = {"startLine": step.line, "startColumn": max(step.column, 1)}
    if step.snippet:
        region["snippet"] = {"text": step.snippet}
    location = uris.location(step.path, region)
    location["message"] = {"text": step.note}
    return {"location": location}


def _result(f: Finding, index: int, uris: _Uris) -> dict:
    region = {"startLine": f.line, "startColumn": max(f.column, 1), "endLine": max(f.end_line, f.line),
              "endColumn": max(f.end_column, 1), "snippet": {"text": f.snippet}}
    result = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.title}: {f.message} Fix: {f.fix}"},
        "locations": [uris.location(f.path, region)],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {"cwe": f.cwe, "pillar": f.pillar, "type": f.type, "confidence": f.confidence.value,
                       "severity": f.severity.value},
    }
    if f.trace:
        result["codeFlows"] = [{"threadFlows": [{"locations": [_step(s, uris) for s in f.trace]}]}]
    return result


def _error(e: FileError, uris: _Uris) -> dict:
    note: dict[str, object] = {"level": "error", "message": {"text": e.message},
                               "descriptor": {"id": f"file-error/{e.kind}"}}
    if e.path:
        note["locations"] = [uris.location(e.path, {"startLine": e.line} if e.line and e.line >= 1 else None)]
    return note


def _unused(s: Suppression, uris: _Uris) -> dict:
    return {"level": "note", "descriptor": {"id": "unused-suppression"},
            "message": {"text": f"Unused suppression {s.text!r}: it silences no finding; remove it."},
            "locations": [uris.location(s.path, {"startLine": max(s.line, 1)})]}


def to_dict(report: Report, srcroot: str | None = None, base: str | None = None) -> dict:
    infos = list(report.rules)
    known = {i.code for i in infos}
    for f in report.findings:
        if f.rule not in known:
            known.add(f.rule)
            infos.append(_from_finding(f))
    index = {info.code: i for i, info in enumerate(infos)}
    for name, directory in (("srcroot", srcroot), ("base", base)):
        if directory and not _is_absolute(directory.replace("\\", "/")):
            raise ValueError(f"{name} must be an absolute directory, not {directory!r}")
    root = _file_uri(srcroot) if srcroot else None
    uris = _Uris(_directory(srcroot) if srcroot else None, _directory(base) if base else None)
    driver: dict = {"name": "secreview", "informationUri": INFORMATION_URI, "rules": [_rule(i) for i in infos]}
    if report.tool_version:
        driver.update(version=report.tool_version, semanticVersion=report.tool_version)
    run: dict = {
        "tool": {"driver": driver},
        "invocations": [{
            "executionSuccessful": report.complete,
            "toolExecutionNotifications": [_error(e, uris) for e in report.errors]
            + [_unused(s, uris) for s in report.unused_suppressions],
        }],
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule], uris) for f in report.findings],
        "properties": {"verdict": report.verdict, "summary": report.verdict_sentence},
    }
    if root:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, srcroot: str | None = None, base: str | None = None) -> str:
    """`srcroot`: the absolute directory `%SRCROOT%` stands for (the repository root); `base`: the absolute
    directory relative finding paths are relative to, when it is not `srcroot`."""
    return json.dumps(to_dict(report, srcroot, base), indent=2, ensure_ascii=False) + "\n"
