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
carries a trace.

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
from secreview.rules._dos.provenance import PAYLOAD, find_origin
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR510",
    name="unsafe-yaml-load",
    title="YAML loaded with a loader that constructs Python objects",
    cwe=502,
    type="other",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Use yaml.safe_load() / yaml.safe_load_all(), or pass Loader=yaml.SafeLoader (yaml.CSafeLoader); "
    "with ruamel.yaml use YAML(typ='safe').",
    bandit=("B506",),
)
NODES = (ast.Call,)

_SAFE = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
_UNSAFE = frozenset({"Loader", "UnsafeLoader", "CLoader", "CUnsafeLoader"})
_FULL = frozenset({"FullLoader", "CFullLoader"})
_ALWAYS = {
    "yaml.unsafe_load": None,
    "yaml.unsafe_load_all": None,
    "yaml.full_load": Confidence.MEDIUM,
    "yaml.full_load_all": Confidence.MEDIUM,
}
_LOADS = frozenset({"yaml.load", "yaml.load_all", "ruamel.yaml.load", "ruamel.yaml.load_all"})
_SENDERS = PAYLOAD | {"field", "route"}


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
        verdict = _loader_verdict(ctx, loader)
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
        yield replace(hit, rewrite=_safe_rewrite(ctx, node, name, loader))
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
    origin = find_origin(ctx, data, _SENDERS)
    if origin is None:
        return Hit(node, message + ".", confidence=confidence)
    return Hit(
        node,
        f"{message}, and the document is {origin.source.description}.",
        confidence=confidence,
        trace=trace_for(ctx, origin.source, node, ctx.call_name(node) or "yaml.load"),
    )


def _safe_rewrite(ctx: FileContext, node: ast.Call, name: str, loader: ast.expr | None) -> tuple[ast.AST, str] | None:
    """`yaml.load(x)` -> `yaml.safe_load(x)`; `Loader=yaml.Loader` -> `Loader=yaml.SafeLoader` (C loaders
    keep their C variant). Only for PyYAML called through its module, where the rewrite is exact."""
    if name not in ("yaml.load", "yaml.load_all"):
        return None
    if loader is None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("load", "load_all"):
            return func, f"{ctx.segment(func.value)}.safe_{func.attr}"
        return None
    qualified = ctx.qualname(loader) or ""
    if isinstance(loader, ast.Attribute) and qualified.startswith("yaml.") and loader.attr in _UNSAFE | _FULL:
        safe = "CSafeLoader" if loader.attr.startswith("C") else "SafeLoader"
        return loader, f"{ctx.segment(loader.value)}.{safe}"
    return None


def _loader_verdict(ctx: FileContext, loader: ast.expr | None, depth: int = 0) -> str | None:
    """ "safe", "full", "unsafe", or None when we cannot tell."""
    if loader is None:
        return "unsafe"
    qualified = ctx.qualname(loader) or ""
    short = qualified.rsplit(".", 1)[-1]
    if qualified.startswith(("yaml.", "ruamel.yaml.")):
        if short in _SAFE:
            return "safe"
        if short in _FULL:
            return "full"
        if short in _UNSAFE:
            return "unsafe"
        return None
    if "." in qualified or depth > 3:
        return "safe" if "Safe" in short else None
    cls = next((s for s in ctx.tree_nodes() if isinstance(s, ast.ClassDef) and s.name == short), None)
    if cls is None:
        return "safe" if "Safe" in short else None
    verdicts = {_loader_verdict(ctx, base, depth + 1) for base in cls.bases}
    if "safe" in verdicts:
        return "safe"
    return "unsafe" if "unsafe" in verdicts else "full" if "full" in verdicts else None
