"""Which of the review's defect types (`model.DEFECT_TYPES`) a CWE belongs to.

A finding from outside the rules (an LLM claim, another tool's SARIF result, a benchmark label) carries only
a CWE id; its defect type is looked up here, the type the rules with that CWE declare. Each CWE has one
type: `tests/test_cwe_defect_types.py` fails when a rule's `META.type` disagrees with this table, or when a
rule brings a CWE the table does not list, so the table and the rules cannot drift apart. A CWE no rule
uses is `other` (the nearest-type choice for those is made by whoever adds a rule for them).

Kept as data beside the catalog rather than computed from the rules: the rules import this package, so
asking them from here would be an import cycle.
"""

from __future__ import annotations

from types import MappingProxyType

_CWES_BY_TYPE: dict[str, tuple[int, ...]] = {
    "race": (362, 367, 377),
    "deadlock": (667, 833),
    "crash": (129, 248, 390, 476),
    "leak": (404, 459, 775),
    "dos": (409, 674, 770, 776, 1088, 1333),
    "sqli": (89,),
    "cmdi": (78, 94, 95),
    "fmt": (93, 117, 134),
    "access": (22, 209, 259, 489, 501, 532, 597, 601, 614, 617, 636, 639, 732, 798, 918, 942, 1023, 1327),
    "xss": (79, 1336),
    "csrf": (352, 1275),
    "crypto": (208, 295, 319, 321, 326, 327, 328, 329, 338, 347, 757, 916),
    "intovf": (190,),
    "bof": (120, 125),
    "uaf": (416,),
}

# CWE id -> defect type; every CWE not listed is "other"
DEFECT_TYPE_OF_CWE = MappingProxyType({cwe: kind for kind, cwes in _CWES_BY_TYPE.items() for cwe in cwes})


def type_for_cwe(cwe: int) -> str:
    """The defect type of findings with this CWE (a key of `model.DEFECT_TYPES`); `other` when no rule has it."""
    return DEFECT_TYPE_OF_CWE.get(cwe, "other")
