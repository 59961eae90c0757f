"""File object or descriptor opened and not closed on every path.

## What it flags
A file opened with `open()`, `io.open`, `codecs.open`, `gzip`/`bz2`/`lzma.open`,
`tarfile.open`, `zipfile.ZipFile`, `os.fdopen`, the `tempfile` file objects, or a
raw descriptor from `os.open()`, that is bound to a local name and:
- never closed in the function (no `with`, no `close()`, not returned, stored or
  handed to another owner);
- closed only in an `except` handler, or not closed when the function returns early;
- closed only after other calls that may raise, outside `finally` (low confidence);
- or used inline (`open(p).read()`, `json.load(open(p))`) so nothing closes it
  (low severity: CPython closes it when the last reference goes, other runtimes don't).

## Why it matters
Each open file holds a descriptor until it is closed. Long-running services
(agents, API workers) that leak one per request hit `EMFILE: Too many open files`
and stop serving; files written and never closed may lose buffered data, and a
descriptor left open can be inherited by child processes (CWE-775).

## Example
```python
import json

def load_policy(path):
    f = open(path)
    policy = json.load(f)
    return policy
```

## Use instead
```python
import json

def load_policy(path):
    with open(path) as f:
        return json.load(f)
```

## References
- CWE-775: Missing Release of File Descriptor or Handle after Effective Lifetime
- Python docs, "Reading and Writing Files" (the `with` statement) and `ResourceWarning`
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import reaching_value
from secreview.analysis.memo import MemoKey
from secreview.model import Confidence, Severity
from secreview.rules._lifetime.resource_spec import Spec
from secreview.rules._lifetime.resource_verdict import leak_hit
from secreview.rules._lifetime.scopes import dotted
from secreview.ruleset import Hit, Meta

_SR420_OPEN_MOCKED: MemoKey[bool] = MemoKey("sr420-open-mocked")

META = Meta(
    code="SR420",
    name="file-not-closed",
    title="File opened and not closed on every path",
    cwe=775,
    type="leak",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix="Open the file in a `with` statement (or close it in a `finally:` block) so it is closed "
    "whatever happens in between.",
)
NODES = (ast.Call,)
# A raw descriptor is an int: no `with`, no close() method.
DESCRIPTOR_FIX = ("Close the descriptor with `os.close(fd)` in a `finally:` block, or hand it at once to "
                  "`os.fdopen(fd)` opened in a `with` statement.")
_VERDICTS = ("never", "error-only", "early-exit", "success-path", "inline")

_FILE_OPENERS = {
    "builtins.open",
    "io.open",
    "codecs.open",
    "gzip.open",
    "gzip.GzipFile",
    "bz2.open",
    "bz2.BZ2File",
    "lzma.open",
    "lzma.LZMAFile",
    "tarfile.open",
    "tarfile.TarFile",
    "zipfile.ZipFile",
    "os.fdopen",
    "io.FileIO",
    "tempfile.TemporaryFile",
    "tempfile.NamedTemporaryFile",
    "tempfile.SpooledTemporaryFile",
    "shelve.open",
    "dbm.open",
    "wave.open",
    "aifc.open",
    "sunau.open",
}
_BORROWERS = frozenset(
    {
        "json.load",
        "json.dump",
        "pickle.load",
        "pickle.dump",
        "marshal.load",
        "marshal.dump",
        "yaml.load",
        "yaml.safe_load",
        "yaml.load_all",
        "yaml.safe_load_all",
        "yaml.dump",
        "yaml.safe_dump",
        "yaml.dump_all",
        "csv.reader",
        "csv.writer",
        "csv.DictReader",
        "csv.DictWriter",
        "shutil.copyfileobj",
        "os.fstat",
        "os.fsync",
        "os.fdatasync",
        "tomllib.load",
        "toml.load",
        "toml.dump",
        "plistlib.load",
        "plistlib.dump",
        "xml.etree.ElementTree.parse",
        "xml.etree.cElementTree.parse",
        "lxml.etree.parse",
        "hashlib.file_digest",
        "configparser.ConfigParser.read_file",
        "pprint.pprint",
        "traceback.print_exc",
        "traceback.print_exception",
    }
)
# Openers that may wrap a stream the caller owns instead of a path.
_WRAPPERS = {
    "gzip.open",
    "gzip.GzipFile",
    "bz2.open",
    "bz2.BZ2File",
    "lzma.open",
    "lzma.LZMAFile",
    "tarfile.open",
    "tarfile.TarFile",
    "zipfile.ZipFile",
    "wave.open",
    "aifc.open",
    "sunau.open",
}
_STREAMISH = re.compile(
    r"(^(f|fp|fh|fo|fd|fileobj|file_obj|fobj|stream|buf|buffer|bio|data|blob|content|raw|"
    r"body|payload|response|resp)$|(fp|fh|fobj|stream|buf|buffer|io|_obj|_data|_bytes|body)$)"
)
_FILE = Spec(
    "file",
    release_methods=frozenset({"close", "detach", "__exit__"}),
    borrowers=_BORROWERS,
    borrower_prefixes=("subprocess.", "fcntl.", "msvcrt."),
)
_FD = Spec(
    "descriptor",
    release_methods=frozenset(),
    release_funcs=frozenset({"os.close"}),
    borrower_prefixes=("os.", "fcntl.", "select.", "termios.", "tty.", "pty."),
    takers=frozenset(
        {
            "os.fdopen",
            "io.open",
            "builtins.open",
            "io.FileIO",
            "socket.socket",
            "socket.fromfd",
            "mmap.mmap",
            "os.dup2",
        }
    ),
)


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node)
    if name in _FILE_OPENERS:
        if name in _WRAPPERS and _wraps_stream(ctx, node):
            return  # closing the wrapper would not release a descriptor: the stream owns it
        if _open_is_mocked(ctx, node) or (name == "os.fdopen" and _borrowed_fd(node)):
            return
        spec, what = _FILE, f"the file from `{_short(name)}()`"
    elif name == "os.open":
        spec, what = _FD, "the descriptor from `os.open()`"
    else:
        return
    hit = leak_hit(ctx, node, spec, what, fix=DESCRIPTOR_FIX if spec is _FD else None, verdicts=_VERDICTS)
    if hit is None:
        return
    # A bare `open(...)` statement or module-level one-liners (setup.py's `open("README").read()`)
    # are not worth a review comment: the process ends or the object dies at once.
    if ctx.enclosing_function(node) is None and hit.severity == Severity.LOW:
        return
    yield hit


def _wraps_stream(ctx: FileContext, call: ast.Call) -> bool:
    """`tarfile.open(fileobj=buf)`, `zipfile.ZipFile(fp)`, `gzip.GzipFile(fileobj=...)`: an in-memory
    or caller-owned stream, not a path."""
    if any(k.arg in ("fileobj", "fp", "file") for k in call.keywords):
        return True
    first = call.args[0] if call.args else None
    if first is None:
        first = next((k.value for k in call.keywords if k.arg in ("name", "filename")), None)
    if first is None:
        return True
    if isinstance(first, (ast.Constant, ast.JoinedStr, ast.BinOp)):
        return False
    if isinstance(first, ast.Call):
        return not (ctx.call_name(first) or "").startswith(("os.path.", "os.fspath", "builtins.str"))
    ident = dotted(first) or ""
    last = ident.rsplit(".", 1)[-1].lower()
    if _STREAMISH.search(last):
        return True
    if isinstance(first, ast.Name):
        value = reaching_value(ctx, first)
        if isinstance(value, ast.Call):
            return not (ctx.call_name(value) or "").startswith(("os.path.", "os.fspath", "builtins.str"))
        if value is None and any(
            isinstance(a, ast.withitem)
            and a.optional_vars is not None
            and dotted(a.optional_vars) == first.id
            for a in ast.walk(ctx.enclosing_function(call) or ctx.tree)
        ):
            return True
    return False


def _borrowed_fd(call: ast.Call) -> bool:
    """`os.fdopen(sys.stdin.fileno())`, `os.fdopen(1, "w")`: wrapping a descriptor someone else owns."""
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant):
        return True
    return (
        isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute) and first.func.attr == "fileno"
    )


def _open_is_mocked(ctx: FileContext, call: ast.Call) -> bool:
    """Tests that patch `open` (mock.patch("builtins.open"), mock_open()) open nothing for real."""
    func = ctx.enclosing_function(call)
    if func is None:
        return False

    def compute() -> bool:
        roots: list[ast.AST] = [func]
        roots += [d for anc in ctx.ancestors(func) for d in getattr(anc, "decorator_list", ())]
        for root in roots:
            for node in ast.walk(root):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and (node.value.endswith(".open") or node.value == "open")
                ):
                    return True
                if isinstance(node, (ast.Name, ast.Attribute)) and (dotted(node) or "").endswith("mock_open"):
                    return True
        return False

    return ctx.memo(_SR420_OPEN_MOCKED, func, compute)


def _short(name: str) -> str:
    return name.removeprefix("builtins.")
