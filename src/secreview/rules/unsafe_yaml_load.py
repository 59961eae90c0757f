"""YAML loaded with a loader that can build arbitrary Python objects.

## What it flags
- `yaml.load(data)` / `yaml.load_all(data)` without a `Loader`, or with
  `Loader=yaml.Loader`, `UnsafeLoader`, `CLoader`, `CUnsafeLoader` (high
  confidence), or `FullLoader`/`CFullLoader` (medium: they still build some
  Python objects and were exploitable in PyYAML < 5.4);
- `yaml.unsafe_load`, `yaml.unsafe_load_all`, `yaml.full_load`, `yaml.full_load_all`;
- `ruamel.yaml.YAML(typ="unsafe")` and the old `ruamel.yaml.load(data)` without a
  safe `Loader`.
A loader class defined in the file counts as safe when it derives from
`SafeLoader`/`CSafeLoader`/`BaseLoader`; unknown loader names are not reported.
When the document comes from a request, socket or remote response the finding
carries a trace; where data flow follows the document from outside,
`untrusted-deserialization` reports the line instead (one finding, with the data-flow
trace, the same fix and the same `safe_load` rewrite).

## Why it matters
PyYAML's full and unsafe loaders honour tags such as
`!!python/object/apply:os.system`: whoever controls the document runs code in
the process that loads it (CWE-502).

## Example
```python
import yaml

def read_config(path):
    with open(path) as fh:
        return yaml.load(fh, Loader=yaml.Loader)
```

## Use instead
```python
import yaml

def read_config(path):
    with open(path) as fh:
        return yaml.safe_load(fh)
```

## References
- CWE-502: Deserialization of Untrusted Data
- PyYAML documentation, "yaml.load(input) Deprecation"
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._deserializers import YAML_FIX, loader_verdict, safe_rewrite
from secreview.ruleset import Hit, Meta
from secreview.taint import provenance

META = Meta(
    code="SR510",
    name="unsafe-yaml-load",
    title="YAML loaded with a loader that constructs Python objects",
    cwe=502,
    type="other",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix=YAML_FIX,
    bandit=("B506",),
)
NODES = (ast.Call,)

_ALWAYS = {
    "yaml.unsafe_load": None,
    "yaml.unsafe_load_all": None,
    "yaml.full_load": Confidence.MEDIUM,
    "yaml.full_load_all": Confidence.MEDIUM,
}
_LOADS = frozenset({"yaml.load", "yaml.load_all", "ruamel.yaml.load", "ruamel.yaml.load_all"})
_SENDERS = provenance.REMOTE  # a client or a peer, whatever part it sent


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    if name in _ALWAYS:
        yield _hit(
            ctx,
            node,
            f"`{name}` builds arbitrary Python objects from YAML tags",
            _ALWAYS[name],
            argument(node, 0, "stream"),
        )
    elif name in _LOADS:
        loader = argument(node, 1, "Loader")
        verdict = loader_verdict(ctx, loader)
        if verdict == "safe" or verdict is None:
            return
        what = "without a Loader" if loader is None else f"with Loader={ctx.segment(loader)}"
        confidence = Confidence.MEDIUM if verdict == "full" else None
        if loader is None and name.startswith("yaml."):
            what += " (unsafe before PyYAML 5.1, a TypeError from 6.0)"
        hit = _hit(
            ctx,
            node,
            f"`{name}` {what} can build Python objects from YAML tags",
            confidence,
            argument(node, 0, "stream"),
        )
        yield replace(hit, rewrite=safe_rewrite(ctx, node, name))
    elif name in {"ruamel.yaml.YAML", "ruamel.yaml.main.YAML"}:
        typ = argument(node, None, "typ")
        if (
            isinstance(typ, ast.Constant)
            and typ.value == "unsafe"
            or (
                isinstance(typ, (ast.List, ast.Tuple))
                and any(isinstance(e, ast.Constant) and e.value == "unsafe" for e in typ.elts)
            )
        ):
            yield Hit(node, '`ruamel.yaml.YAML(typ="unsafe")` constructs arbitrary Python objects from tags.')


def _hit(
    ctx: FileContext, node: ast.Call, message: str, confidence: Confidence | None, data: ast.expr | None
) -> Hit:
    origin = provenance.origin(ctx, data, _SENDERS)
    if origin is None:
        return Hit(node, message + ".", confidence=confidence)
    return Hit(
        node,
        f"{message}, and the document is {origin.source.description}.",
        confidence=confidence,
        trace=trace_for(ctx, origin.source, node, ctx.call_name(node) or "yaml.load"),
    )
