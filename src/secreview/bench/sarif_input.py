"""Another tool's SARIF 2.1.0 log -> `Hit`s keyed by dataset file.

Location: the first location's artifact URI (made relative to the dataset root, or matched by path suffix) and
`region.startLine`. CWE: the rule's (or result's) tags `external/cwe/cwe-NNN`, else a `cwe` property on the
result or rule. A result without a CWE matches labels on location only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from secreview.bench.score import Hit
from secreview.cwe import load_catalog, parse_cwe_id
from secreview.cwe.defect_types import type_for_cwe
from secreview.model import DEFECT_TYPES

_CWE_TAG = re.compile(r"(?:^|/)cwe[-_]?0*([1-9][0-9]*)$", re.IGNORECASE)
_LEVEL = {"error": 3, "warning": 2, "note": 1, "none": 0}
_PRECISION = {"very-high": 3, "high": 3, "medium": 2, "low": 1}


class SarifError(Exception):
    pass


def read_sarif(path: str | Path, root: Path, files: tuple[str, ...]) -> tuple[list[Hit], list[str]]:
    """The hits in `files` (results elsewhere are dropped) and notes about what was assumed."""
    try:
        log = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SarifError(f"cannot read SARIF {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SarifError(f"{path}: not JSON: {exc.msg}") from None
    if not isinstance(log, dict) or not isinstance(log.get("runs"), list):
        raise SarifError(f"{path}: not a SARIF log (no 'runs' list)")
    resolver = _Resolver(root, files)
    hits: list[Hit] = []
    no_cwe = outside = 0
    for run in log["runs"]:
        rules = _rules(run)
        for result in run.get("results") or []:
            rule_id, rule = _rule_of(result, rules)
            location = _location(result)
            if location is None:
                outside += 1
                continue
            key = resolver.key(location[0])
            if key is None:
                outside += 1
                continue
            cwe = _cwe(result.get("properties") or {}) or _cwe(rule.get("properties") or {})
            no_cwe += cwe == 0
            entry = load_catalog().get(cwe) if cwe else None
            pillar = entry.pillar if entry is not None else None
            hits.append(Hit(rule=rule_id or "-", cwe=cwe, pillar=pillar, type=_type(result, rule, cwe), path=key,
                            line=location[1], severity=_severity(result, rule), confidence=_confidence(rule)))
    notes = []
    if no_cwe:
        notes.append(f"{no_cwe} result(s) in {Path(path).name} carry no CWE; they match labels on location only")
    if outside:
        notes.append(f"{outside} result(s) in {Path(path).name} lie outside the dataset's files and are ignored")
    return hits, notes


def _rules(run: dict) -> tuple[list[dict], dict[str, dict]]:
    driver = ((run.get("tool") or {}).get("driver")) or {}
    listed = [r for r in driver.get("rules") or [] if isinstance(r, dict)]
    return listed, {r["id"]: r for r in listed if isinstance(r.get("id"), str)}


def _rule_of(result: dict, rules: tuple[list[dict], dict[str, dict]]) -> tuple[str, dict]:
    listed, by_id = rules
    rule_id = result.get("ruleId") or (result.get("rule") or {}).get("id") or ""
    index = result.get("ruleIndex", (result.get("rule") or {}).get("index"))
    if rule_id in by_id:
        return rule_id, by_id[rule_id]
    if isinstance(index, int) and 0 <= index < len(listed):
        return rule_id or listed[index].get("id", ""), listed[index]
    return rule_id, {}


def _location(result: dict) -> tuple[str, int] | None:
    for loc in result.get("locations") or []:
        physical = (loc or {}).get("physicalLocation") or {}
        uri = (physical.get("artifactLocation") or {}).get("uri")
        line = (physical.get("region") or {}).get("startLine")
        if isinstance(uri, str) and isinstance(line, int):
            return uri, line
    return None


def _cwe(props: dict) -> int:
    for tag in props.get("tags") or []:
        match = _CWE_TAG.search(str(tag))
        if match:
            return int(match.group(1))
    value = props.get("cwe")
    for candidate in value if isinstance(value, list) else [value]:
        if candidate is None:
            continue
        try:
            return parse_cwe_id(candidate)
        except ValueError:
            continue
    return 0


def _type(result: dict, rule: dict, cwe: int) -> str:
    value = (result.get("properties") or {}).get("type") or (rule.get("properties") or {}).get("type")
    if isinstance(value, str) and value in DEFECT_TYPES:
        return value
    return type_for_cwe(cwe) if cwe else "-"


def _severity(result: dict, rule: dict) -> int:
    score = (rule.get("properties") or {}).get("security-severity")
    try:
        value = float(score) if isinstance(score, (int, float, str)) else None
    except ValueError:
        value = None
    if value is not None:
        return 4 if value > 9.0 else 3 if value >= 7.0 else 2 if value >= 4.0 else 1
    level = result.get("level") or ((rule.get("defaultConfiguration") or {}).get("level")) or "warning"
    return _LEVEL.get(level, 2)


def _confidence(rule: dict) -> int:
    return _PRECISION.get(str((rule.get("properties") or {}).get("precision", "")).lower(), 2)


class _Resolver:
    """Artifact URI -> dataset file key: exact, relative to the root, or by a unique path suffix."""

    def __init__(self, root: Path, files: tuple[str, ...]) -> None:
        self.root = root.resolve().as_posix().rstrip("/") + "/"
        self.files = set(files)
        self.cache: dict[str, str | None] = {}

    def key(self, uri: str) -> str | None:
        if uri not in self.cache:
            self.cache[uri] = self._resolve(uri)
        return self.cache[uri]

    def _resolve(self, uri: str) -> str | None:
        path = unquote(urlparse(uri).path) if uri.startswith("file:") else unquote(uri)
        path = path.replace("\\", "/").removeprefix("./")
        if path.startswith(self.root):
            path = path[len(self.root):]
        if path in self.files:
            return path
        matches = [f for f in self.files if path.endswith("/" + f) or f.endswith("/" + path)]
        return matches[0] if len(matches) == 1 else None
