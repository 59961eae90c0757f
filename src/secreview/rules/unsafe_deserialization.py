"""Deserialization with a format that can run code (pickle and friends).

## What it flags
Loading data with serializers that rebuild arbitrary objects:
`pickle.load/loads` and `pickle.Unpickler` (also `cPickle`, `_pickle`),
`dill`, `cloudpickle`, `jsonpickle.decode`, `marshal.load/loads`, `shelve.open`,
`pandas.read_pickle`, `joblib.load`, `torch.load` without `weights_only=True`,
and `numpy.load(..., allow_pickle=True)`. The finding has high confidence and a
trace when the bytes come from a request, an upload, a socket or a remote
response, and medium confidence otherwise (a pickle file is still only as
trustworthy as everyone who can write it). `pickle.loads(pickle.dumps(x))`
(a deep copy) is not reported.

## Why it matters
Unpickling calls whatever `__reduce__` the data names, e.g.
`os.system("...")`: loading attacker-supplied bytes is remote code execution,
and so is loading a cache, model or session file an attacker can replace
(CWE-502).

## Example
```python
import base64
import pickle
from flask import Flask, request

app = Flask(__name__)

@app.route("/cart", methods=["POST"])
def restore_cart():
    cart = pickle.loads(base64.b64decode(request.cookies["cart"]))
    return {"items": len(cart)}
```

## Use instead
```python
import json
from flask import Flask, request

app = Flask(__name__)

@app.route("/cart", methods=["POST"])
def restore_cart():
    cart = json.loads(request.cookies["cart"])
    return {"items": len(cart)}
```

## References
- CWE-502: Deserialization of Untrusted Data
- Python docs, `pickle` module warning; PyTorch docs, `torch.load(weights_only=True)`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value, trace_for
from secreview.analysis.values import argument, is_literal, is_true, keyword
from secreview.model import Confidence, Severity
from secreview.rules._deserializers import deserializer_fix
from secreview.ruleset import Hit, Meta
from secreview.taint import provenance

META = Meta(
    code="SR511",
    name="unsafe-deserialization",
    title="Deserialization with a format that can execute code",
    cwe=502,
    type="other",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    fix="Exchange data as JSON (or another data-only format); if pickled data must cross a trust boundary, "
    "sign it with HMAC and verify before loading, or restrict Unpickler.find_class. Load PyTorch weights "
    "with weights_only=True and keep numpy's allow_pickle off.",
    bandit=("B301", "B302", "B614"),
)
NODES = (ast.Call,)
# The modules of _SINKS ("ickle": pickle, cPickle, cloudpickle, jsonpickle, read_pickle).
NEEDS = ("ickle", "dill", "marshal", "shelve", "joblib", "torch", "numpy")

_PICKLERS = ("pickle", "cPickle", "_pickle", "six.moves.cPickle", "dill", "cloudpickle")
_SINKS: dict[str, tuple[int, str]] = {}
for _module in _PICKLERS:
    _SINKS[f"{_module}.load"] = (0, "file")
    _SINKS[f"{_module}.loads"] = (0, "data")
    _SINKS[f"{_module}.Unpickler"] = (0, "file")
_SINKS.update(
    {
        "jsonpickle.decode": (0, "string"),
        "jsonpickle.unpickler.decode": (0, "string"),
        "marshal.load": (0, "file"),
        "marshal.loads": (0, "bytes"),
        "shelve.open": (0, "filename"),
        "pandas.read_pickle": (0, "filepath_or_buffer"),
        "joblib.load": (0, "filename"),
        "sklearn.externals.joblib.load": (0, "filename"),
        "torch.load": (0, "f"),
        "numpy.load": (0, "file"),
    }
)
_SENDERS = provenance.REMOTE  # a client or a peer, whatever part it sent
_VERIFIERS = frozenset({"compare_digest", "verify", "unsign", "loads_signed", "check_signature"})


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node) or ""
    if name not in _SINKS:
        return
    if name == "torch.load" and is_true(_kw(node, "weights_only")):
        return
    if name == "numpy.load" and not is_true(_kw(node, "allow_pickle")):
        return
    position, keyword_name = _SINKS[name]
    data = argument(node, position, keyword_name)
    if data is None or is_literal(data, ctx) or _round_trip(ctx, data):
        return  # bytes written in the source, or a copy of our own object
    what = f"`{name}`" + (" without weights_only=True" if name == "torch.load" else "")
    if name == "numpy.load":
        what = "`numpy.load(allow_pickle=True)`"
    origin = provenance.origin(ctx, data, _SENDERS)
    fix = deserializer_fix(name)
    if origin is None:
        yield Hit(
            node,
            f"{what} can execute code embedded in the data it loads; make sure nobody untrusted "
            f"can write `{ctx.segment(data)[:60]}`.",
            fix=fix,
            # No outside origin seen: a review flag (caches, own state files), not a proven flow.
            severity=Severity.MEDIUM,
            confidence=Confidence.LOW,
        )
        return
    verified = _verifies_signature(ctx, node)
    yield Hit(
        node,
        f"{what} deserializes {origin.source.description}: a crafted payload runs code in this process"
        + (
            " (a signature check is present in this function: make sure it runs before loading)."
            if verified
            else "."
        ),
        fix=fix,
        trace=trace_for(ctx, origin.source, node, f"{name}(...)"),
        confidence=Confidence.MEDIUM if verified else Confidence.HIGH,
    )


def _kw(node: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(node, name)
    return kw.value if kw else None


def _round_trip(ctx: FileContext, data: ast.expr) -> bool:
    """`pickle.loads(pickle.dumps(obj))`: a deep copy of our own object."""
    value = reaching_value(ctx, data) if isinstance(data, ast.Name) else data
    if isinstance(data, ast.Name) and value is not None and is_literal(value, ctx):
        return True  # `pkl = b"..."` in a test
    return isinstance(value, ast.Call) and (ctx.call_name(value) or "").endswith((".dumps", ".dump"))


def _verifies_signature(ctx: FileContext, node: ast.AST) -> bool:
    func = ctx.enclosing_function(node)
    if func is None:
        return False
    for sub in ast.walk(func):
        if isinstance(sub, ast.Call) and isinstance(sub.func, (ast.Attribute, ast.Name)):
            attr = sub.func.attr if isinstance(sub.func, ast.Attribute) else sub.func.id
            if attr in _VERIFIERS:
                return True
    return False
