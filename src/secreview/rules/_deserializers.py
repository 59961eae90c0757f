"""Deserializers that rebuild objects: the fix for each (shared by unsafe-deserialization, its taint twin
untrusted-deserialization and unsafe-yaml-load), and PyYAML's loaders — which are safe, and the exact
rewrite to a safe one. A fix written for pickle (sign it with HMAC) is wrong advice for YAML, where
`yaml.safe_load()` is the whole fix, and for PyTorch, where it is `weights_only=True`."""

from __future__ import annotations

import ast

from secreview.analysis.context import FileContext
from secreview.analysis.values import argument

PICKLE_FIX = (
    "Do not unpickle data from outside the program: exchange it as JSON (json.loads) or another data-only "
    "format; if pickled bytes must cross a trust boundary, sign them (hmac.new(key, data, 'sha256')) and check "
    "the signature with hmac.compare_digest() before loading."
)
MARSHAL_FIX = (
    "Exchange the data as JSON (json.loads): marshal is Python's internal format for code objects, not meant "
    "for data from elsewhere (it is not safe against malformed or malicious input)."
)
SHELVE_FIX = (
    "A shelf is a file of pickles: open only shelves this program created, at a path it chose, in a directory "
    "nobody else can write; keep data from outside as JSON or in a database."
)
JSONPICKLE_FIX = (
    "Parse with json.loads() and build the objects explicitly: jsonpickle.decode() recreates whatever class the "
    "document names (py/object, py/reduce); decode with jsonpickle only documents this program encoded and signed."
)
JOBLIB_FIX = (
    "joblib files are pickles: load only files this program wrote, from a place nobody else can write; exchange "
    "models from elsewhere in a data-only format (skops.io, ONNX, safetensors)."
)
TORCH_FIX = "Load with torch.load(f, weights_only=True) (the default from PyTorch 2.6), or keep weights in safetensors."
NUMPY_FIX = "Keep numpy.load's allow_pickle=False (the default) and store plain numeric arrays, not object arrays."
PANDAS_FIX = (
    "Store data frames in a data-only format (Parquet, Feather, CSV: read_parquet, read_csv); read_pickle() "
    "unpickles, so use it only on files this program wrote."
)
YAML_FIX = (
    "Load with yaml.safe_load() / yaml.safe_load_all() (or Loader=yaml.SafeLoader / yaml.CSafeLoader), which build "
    "plain data only; with ruamel.yaml use YAML(typ='safe')."
)

_FIXES = (
    (("yaml.", "ruamel.yaml."), YAML_FIX),
    (("pickle.", "cPickle.", "_pickle.", "six.moves.cPickle.", "dill.", "cloudpickle."), PICKLE_FIX),
    (("marshal.",), MARSHAL_FIX),
    (("shelve.",), SHELVE_FIX),
    (("jsonpickle.",), JSONPICKLE_FIX),
    (("joblib.", "sklearn.externals.joblib."), JOBLIB_FIX),
    (("torch.",), TORCH_FIX),
    (("numpy.",), NUMPY_FIX),
    (("pandas.",), PANDAS_FIX),
)


def deserializer_fix(name: str) -> str | None:
    """The fix for a deserializing call by its qualified name (`pickle.loads`, `yaml.load`); None: unknown."""
    return next((fix for prefixes, fix in _FIXES if name.startswith(prefixes)), None)


# -- PyYAML loaders -----------------------------------------------------------------------------------

SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
UNSAFE_LOADERS = frozenset({"Loader", "UnsafeLoader", "CLoader", "CUnsafeLoader"})
FULL_LOADERS = frozenset({"FullLoader", "CFullLoader"})
# the PyYAML loads whose call has an exact safe twin (a Loader swapped, or safe_load for a plain load)
_SAFE_TWIN = {"yaml.load": "safe_load", "yaml.load_all": "safe_load_all"}


def loader_verdict(ctx: FileContext, loader: ast.expr | None, depth: int = 0) -> str | None:
    """ "safe", "full", "unsafe", or None when we cannot tell (a loader that is neither PyYAML's nor a
    class of this file)."""
    if loader is None:
        return "unsafe"
    qualified = ctx.qualname(loader) or ""
    short = qualified.rsplit(".", 1)[-1]
    if qualified.startswith(("yaml.", "ruamel.yaml.")):
        if short in SAFE_LOADERS:
            return "safe"
        if short in FULL_LOADERS:
            return "full"
        if short in UNSAFE_LOADERS:
            return "unsafe"
        return None
    if "." in qualified or depth > 3:
        return "safe" if "Safe" in short else None
    cls = next((s for s in ctx.tree_nodes() if isinstance(s, ast.ClassDef) and s.name == short), None)
    if cls is None:
        return "safe" if "Safe" in short else None
    verdicts = {loader_verdict(ctx, base, depth + 1) for base in cls.bases}
    if "safe" in verdicts:
        return "safe"
    return "unsafe" if "unsafe" in verdicts else "full" if "full" in verdicts else None


def safe_rewrite(ctx: FileContext, node: ast.Call, name: str) -> tuple[ast.AST, str] | None:
    """`yaml.load(x)` -> `yaml.safe_load(x)`; `Loader=yaml.Loader` -> `Loader=yaml.SafeLoader` (C loaders
    keep their C variant). Only for PyYAML called through its module, where the rewrite is exact."""
    if name not in _SAFE_TWIN:
        return None
    loader = argument(node, 1, "Loader")
    func = node.func
    if loader is None:
        if isinstance(func, ast.Attribute) and func.attr == name.rpartition(".")[2]:
            return func, f"{ctx.segment(func.value)}.{_SAFE_TWIN[name]}"
        return None
    qualified = ctx.qualname(loader) or ""
    unsafe = UNSAFE_LOADERS | FULL_LOADERS
    if isinstance(loader, ast.Attribute) and qualified.startswith("yaml.") and loader.attr in unsafe:
        safe = "CSafeLoader" if loader.attr.startswith("C") else "SafeLoader"
        return loader, f"{ctx.segment(loader.value)}.{safe}"
    return None
