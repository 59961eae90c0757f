"""The rule index: every rule's data, kept as JSON in the cache directory, so that a review whose files
all come from the result cache (and `secreview rules`, `secreview rule CODE`) imports no rule module,
compiles none of their patterns and does not read the CWE catalog.

The index holds each rule's META, node types, NEEDS, documentation, taint kinds, and the CWE name and
pillar of its RuleInfo. It is tagged with `cache.code_signature()`, which changes with any source, spec
or catalog of secreview and with the interpreter's version, and compiled again from the modules when
the tag differs (or the file is missing or unreadable). A rule read from it is a full `Rule`: its
functions (check, prefilter, a taint rule's `validated` and `for_sink`) are `DeferredFunction`s that
import the module on first call.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

from secreview.model import Confidence, RuleInfo, Severity
from secreview.ruleset import DeferredFunction, Meta, Rule, TaintQuery, load_rules, no_check, rule_info

# One index per interpreter version (the signature holds it too): two Pythons sharing a cache
# directory do not recompile the index for each other on every run.
INDEX_FILE = f"rule-index-py{sys.version_info[0]}.{sys.version_info[1]}.json"
INDEX_FORMAT = 2  # bump when the entries below change shape (2: META restates, defers_to)
# The index names the modules whose code it defers: only rule modules of this package may be named,
# so a file in the cache directory can never make secreview import anything else.
_RULE_MODULE = re.compile(r"secreview\.rules\.[a-z][a-z0-9_]*")


def indexed_rules(directory: Path, signature: str) -> tuple[Rule, ...]:
    """Every rule, sorted by code: from the index in `directory` when it was compiled from this very
    code (`signature`), else from the modules (and the index is written for the next run)."""
    path = directory / INDEX_FILE
    try:
        data = json.loads(path.read_bytes())
        if data["format"] == INDEX_FORMAT and data["signature"] == signature:
            return tuple(rule_from_entry(entry) for entry in data["rules"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # absent, stale or damaged: compile it again
    rules = load_rules()
    entries = index_entries(rules)
    if entries is not None:
        from secreview.cache import write_json_atomically

        write_json_atomically(path, {"format": INDEX_FORMAT, "signature": signature, "rules": entries})
    return rules


def index_entries(rules: tuple[Rule, ...]) -> list[dict[str, Any]] | None:
    """The JSON entries of `rules`; None when a rule holds something JSON cannot name (a node type
    that is not one of the `ast` module's), and then no index is kept."""
    entries = []
    for rule in rules:
        if any(getattr(ast, kind.__name__, None) is not kind for kind in rule.nodes):
            return None
        m, info = rule.meta, rule_info(rule)
        entries.append({
            "module": rule.module, "code": m.code, "name": m.name, "title": m.title, "cwe": m.cwe, "type": m.type,
            "severity": m.severity.value, "confidence": m.confidence.value, "fix": m.fix, "bandit": list(m.bandit),
            "restates": list(m.restates), "defers_to": list(m.defers_to),
            "nodes": [kind.__name__ for kind in rule.nodes], "check": rule.check is not no_check,
            "prefilter": rule.prefilter is not None, "needs": sorted(rule.needs), "doc": rule.doc,
            "sections": rule.sections, "cwe_name": info.cwe_name, "pillar": info.pillar,
            "pillar_name": info.pillar_name,
            "taint": None if rule.taint is None else {
                "sources": sorted(rule.taint.sources), "sinks": sorted(rule.taint.sinks),
                "validated": rule.taint.validated is not None, "for_sink": rule.taint.for_sink is not None},
        })
    return entries


def rule_from_entry(entry: dict[str, Any]) -> Rule:
    module = entry["module"]
    if not isinstance(module, str) or not _RULE_MODULE.fullmatch(module):
        raise ValueError(f"not a rule module: {module!r}")
    meta = Meta(entry["code"], entry["name"], entry["title"], entry["cwe"], entry["type"],
                Severity(entry["severity"]), Confidence(entry["confidence"]), entry["fix"], tuple(entry["bandit"]),
                tuple(entry["restates"]), tuple(entry["defers_to"]))
    taint = entry["taint"]
    query = None if taint is None else TaintQuery(
        frozenset(taint["sources"]), frozenset(taint["sinks"]),
        DeferredFunction(module, "TAINT", "validated") if taint["validated"] else None,
        DeferredFunction(module, "TAINT", "for_sink") if taint["for_sink"] else None)
    info = RuleInfo(meta.code, meta.name, meta.title, meta.cwe, entry["cwe_name"], entry["pillar"],
                    entry["pillar_name"], meta.type, meta.severity, meta.confidence, meta.fix, entry["doc"])
    return Rule(meta=meta, nodes=tuple(getattr(ast, name) for name in entry["nodes"]),
                check=DeferredFunction(module, "check") if entry["check"] else no_check, doc=entry["doc"],
                module=module, sections=dict(entry["sections"]), taint=query, needs=frozenset(entry["needs"]),
                prefilter=DeferredFunction(module, "prefilter") if entry["prefilter"] else None, info=info)
