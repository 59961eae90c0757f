"""Labeled datasets for `secreview bench`, all loaded into one shape: a root folder and a list of `Label`s.

Three inputs:
- JSON Lines of line labels `{"file", "line", "cwe", "polarity": "vuln"|"safe"}` (+ optional `type`, `pair`);
- JSON Lines of samples `{"file", "lines": [...], "type", "cwe"}` (one defect per sample file);
- a directory: every `labels.jsonl` below it (paths relative to that labels file's folder), or, when there is
  none, a directory of fixture files with inline markers (`ruleid`/`todoruleid` vuln, `ok`/`todook` safe).

File paths in labels are relative to the JSON Lines file's folder; keys are POSIX paths relative to the root.
"""

from __future__ import annotations

import json
import tokenize
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from secreview.cwe import load_catalog, parse_cwe_id
from secreview.cwe.defect_types import type_for_cwe
from secreview.markers import parse_markers
from secreview.model import DEFECT_TYPES
from secreview.ruleset import load_rules
from secreview.source import decode

POLARITIES = ("vuln", "safe")
LABELS_FILE = "labels.jsonl"


class DatasetError(Exception):
    """A dataset that cannot be read (reported with exit code 2)."""


@dataclass(frozen=True, slots=True)
class Label:
    file: str  # POSIX path relative to the dataset root
    lines: tuple[int, ...]  # a line label has one line; a sample may have several
    cwe: int
    pillar: int | None
    polarity: str  # vuln | safe
    type: str  # a key of DEFECT_TYPES
    rule: str = ""  # the rule name, for marker labels
    pair: str = ""
    sample: bool = False  # from a sample dataset ({file, lines, type, cwe})

    @property
    def vuln(self) -> bool:
        return self.polarity == "vuln"


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    root: Path
    kind: str  # lines | samples | mixed | markers
    labels: tuple[Label, ...]
    files: tuple[str, ...]  # every file to review, keys relative to root


def load_dataset(path: str | Path) -> Dataset:
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"{path}: no such file or directory")
    if path.is_dir():
        label_files = sorted(p for p in path.rglob(LABELS_FILE) if p.is_file())
        if label_files:
            labels = [lab for lf in label_files for lab in _read_jsonl(lf, path)]
            return _dataset(path.name, path, labels, files=None)
        return _markers_dataset(path)
    return _dataset(path.name, path.parent, _read_jsonl(path, path.parent), files=None)


def _dataset(name: str, root: Path, labels: list[Label], files: list[str] | None) -> Dataset:
    if not labels:
        raise DatasetError(f"{name}: the dataset holds no labels")
    samples = sum(1 for lab in labels if lab.sample)
    kind = "samples" if samples == len(labels) else "lines" if samples == 0 else "mixed"
    keys = files if files is not None else sorted({lab.file for lab in labels})
    for key in keys:
        if not (root / key).is_file():
            raise DatasetError(f"{name}: labeled file {key} does not exist under {root}")
    return Dataset(name, root, kind, tuple(labels), tuple(keys))


def _read_jsonl(path: Path, root: Path) -> list[Label]:
    try:
        text = path.read_text(encoding="utf-8").lstrip("\ufeff")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read {path}: {exc}") from None
    labels = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not JSON: {exc.msg}") from None
        if not isinstance(record, dict):
            raise DatasetError(f"{where}: each line must be a JSON object")
        labels.append(_label(record, where, path.parent, root))
    return labels


def _label(record: dict, where: str, base: Path, root: Path) -> Label:
    file = record.get("file")
    if not isinstance(file, str) or not file.strip():
        raise DatasetError(f"{where}: 'file' must be a non-empty string")
    key = _key(base / file, root, where)
    cwe, pillar = _cwe(record.get("cwe"), where)
    sample = "lines" in record
    if sample:
        lines = record["lines"]
        if not (isinstance(lines, list) and lines and all(_is_line(n) for n in lines)):
            raise DatasetError(f"{where}: 'lines' must be a non-empty list of line numbers >= 1")
        polarity = record.get("polarity", "vuln")
    else:
        if not _is_line(record.get("line")):
            raise DatasetError(f"{where}: needs 'line' (a line number >= 1) or 'lines' (a list of them)")
        lines = [record["line"]]
        polarity = record.get("polarity")
    if polarity not in POLARITIES:
        raise DatasetError(f"{where}: 'polarity' must be one of {', '.join(POLARITIES)}, not {polarity!r}")
    kind = record.get("type")
    if kind is None:
        kind = type_for_cwe(cwe)
    elif kind not in DEFECT_TYPES:
        raise DatasetError(f"{where}: unknown defect type {kind!r}; one of: {', '.join(DEFECT_TYPES)}")
    pair = record.get("pair", "")
    return Label(key, tuple(sorted(set(lines))), cwe, pillar, polarity, kind,
                 pair=str(pair) if pair is not None else "", sample=sample)


def _is_line(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _cwe(value: object, where: str) -> tuple[int, int | None]:
    """The CWE id `value` names and its pillar; anything else (not a CWE id, or one the catalog lacks) raises."""
    try:
        if not isinstance(value, (int, str)):  # a list, a float, null: not an id either
            raise ValueError(value)
        cwe = parse_cwe_id(value)
    except ValueError:
        raise DatasetError(f"{where}: 'cwe' must be a CWE id such as 78 or \"CWE-78\", not {value!r}") from None
    catalog = load_catalog()
    entry = catalog.get(cwe)
    if entry is None:
        raise DatasetError(f"{where}: unknown CWE-{cwe} (not in CWE {catalog.version})")
    return cwe, entry.pillar


def _key(path: Path, root: Path, where: str) -> str:
    resolved, base = path.resolve(), root.resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        raise DatasetError(f"{where}: {path} lies outside the dataset folder {root}") from None


@cache
def _rules_by_name() -> dict[str, tuple[int, str]]:
    return {r.meta.name: (r.meta.cwe, r.meta.type) for r in load_rules()}


def _markers_dataset(root: Path) -> Dataset:
    files = sorted(p for p in root.rglob("*.py") if p.is_file())
    if not files:
        raise DatasetError(f"{root}: no {LABELS_FILE} and no Python fixture files")
    rules = _rules_by_name()
    catalog = load_catalog()
    labels: list[Label] = []
    keys = []
    for path in files:
        key = path.relative_to(root).as_posix()
        keys.append(key)
        text, error = decode(path.read_bytes(), key)
        if error is not None or text is None:
            raise DatasetError(f"{key}: {error.message if error else 'cannot decode'}")
        try:
            markers = parse_markers(text)
        except (SyntaxError, ValueError, tokenize.TokenError) as exc:  # broken fixtures
            raise DatasetError(f"{key}: cannot read markers: {exc}") from None
        for m in markers:
            if m.rule not in rules:
                raise DatasetError(f"{key}:{m.line}: marker names unknown rule {m.rule!r}")
            cwe, kind = rules[m.rule]
            entry = catalog.get(cwe)
            polarity = "vuln" if m.kind in ("ruleid", "todoruleid") else "safe"
            labels.append(Label(key, (m.line,), cwe, entry.pillar if entry else None, polarity, kind, rule=m.rule))
    return Dataset(root.name, root, "markers", tuple(_dedupe(labels)) or _no_labels(root), tuple(keys))


def _dedupe(labels: list[Label]) -> list[Label]:
    return list(dict.fromkeys(labels))


def _no_labels(root: Path) -> tuple[Label, ...]:
    raise DatasetError(f"{root}: the fixture files hold no ruleid/ok/todoruleid/todook markers")
