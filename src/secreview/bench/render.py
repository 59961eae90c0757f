"""Text tables (one per granularity, tools side by side as columns) and JSON for `secreview bench`."""

from __future__ import annotations

import json

from secreview.bench.datasets import Dataset
from secreview.bench.score import DIMENSIONS, TOP_K

SCHEMA = "secreview-bench/1"


def summary(dataset: Dataset, tolerance: int, results: dict[str, dict], notes: list[str]) -> dict:
    vuln = sum(1 for lab in dataset.labels if lab.vuln)
    return {
        "schema": SCHEMA,
        "dataset": {"name": dataset.name, "kind": dataset.kind, "labels": len(dataset.labels), "vuln": vuln,
                    "safe": len(dataset.labels) - vuln, "files": len(dataset.files)},
        "tolerance": tolerance,
        "tools": list(results),
        "notes": notes,
        "results": results,
    }


def render_json(data: dict) -> str:
    return json.dumps(data, indent=2) + "\n"


def _num(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(title: str, rows: list[tuple[str, list[str]]], tools: list[str]) -> list[str]:
    label_width = max([len(title), *(len(r[0]) for r in rows)]) + 2
    widths = [max([len(t), *(len(r[1][i]) for r in rows)]) + 2 for i, t in enumerate(tools)]
    out = [title.ljust(label_width) + "".join(t.rjust(w) for t, w in zip(tools, widths, strict=True))]
    out += [name.ljust(label_width) + "".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
            for name, cells in rows]
    return out + [""]


def _metric_rows(results: dict[str, dict], part: str, keys: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    return [(name, [_num(r.get(part, {}).get(key)) for r in results.values()]) for key, name in keys]


_PRF = [("tp", "TP"), ("fp", "FP"), ("fn", "FN"), ("precision", "precision"), ("recall", "recall"), ("f1", "F1")]


def render_text(data: dict) -> str:
    d, results, tools = data["dataset"], data["results"], data["tools"]
    k = data["tolerance"]
    lines = [f"secreview bench: {d['name']} ({d['kind']}): {d['labels']} labels ({d['vuln']} vulnerable, "
             f"{d['safe']} safe) in {d['files']} files; line tolerance ±{k}, same CWE-1000 pillar", ""]
    lines += _table(f"Line level (±{k})", _metric_rows(results, "line", [*_PRF, ("safe_flagged", "safe flagged")])
                    + [("findings", [_num(r["findings"]) for r in results.values()])], tools)
    lines += _table("File level", _metric_rows(results, "file", _PRF), tools)
    if any("paired" in r for r in results.values()):
        keys = [("tpr", "TPR"), ("fpr", "FPR"), ("youden", "Youden (TPR-FPR)")]
        if any("pairs" in r.get("paired", {}) for r in results.values()):
            keys += [("pairs", "pairs"), ("pairs_told_apart", "pairs told apart")]
        lines += _table("Paired vulnerable/safe", _metric_rows(results, "paired", keys), tools)
    if any("top_k" in r for r in results.values()):
        rows = [("samples", [_num(r.get("top_k", {}).get("samples")) for r in results.values()])]
        for key in [*(f"top_{n}" for n in TOP_K), "all"]:
            rows.append(("all findings" if key == "all" else key.replace("_", "-") + " detection rate",
                         [_cell_topk(r.get("top_k", {}).get(key)) for r in results.values()]))
        lines += _table("Samples, top-k findings per file", rows, tools)
    for dim in DIMENSIONS:
        groups = sorted({key for r in results.values() for key in r["by"][dim]}, key=_order)
        rows = [(key, [_cell_prf(r["by"][dim].get(key)) for r in results.values()]) for key in groups]
        lines += _table(f"By {dim} (TP/FP/FN P R F1)", rows, tools)
    lines += [f"note: {n}" for n in data["notes"]]
    return "\n".join(lines).rstrip("\n") + "\n"


def _order(key: str) -> tuple[int, int, str]:
    number = key.removeprefix("CWE-")
    return (0, int(number), key) if number.isdigit() else (1, 0, key)


def _cell_topk(cell: dict | None) -> str:
    return f"{_num(cell['rate'])} ({cell['detected']})" if cell else "-"


def _cell_prf(cell: dict | None) -> str:
    if not cell:
        return "-"
    counts = f"{cell['tp']}/{cell['fp']}/{cell['fn']}"
    return f"{counts:>11} {_num(cell['precision']):>5} {_num(cell['recall']):>5} {_num(cell['f1']):>5}"
