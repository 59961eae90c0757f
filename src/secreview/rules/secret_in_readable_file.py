"""Secret written to a file that other local users can read.

## What it flags
A secret (source kind `secret`: an oslo.config option declared `secret=True`, a
`SECRET_KEY`/`*_PASSWORD`/`*_TOKEN` setting, a value named as a secret, a
`--password`-style command-line option) written to a file — `f.write(text)` on
`open(path, "w")`, `os.write(fd, ...)` on `os.open(path, flags)` without a mode or
with one that lets others read (`0o666`, `0o644`), `Path.write_text`,
`json.dump(obj, f)`, `ConfigParser.write(f)` — directly or as part of a text built
from it (a rendered config file), through helpers and modules, with the trace.
The function that writes is fine when it makes the file private: an `os.open`/`chmod`
mode without read for others (`0o600`, `0o640`), a `umask` that masks it (`0o077`,
`0o027`), `tempfile.mkstemp`/`NamedTemporaryFile` (0o600), an `opener=`; a mode that is
not a literal is taken as deliberate.

## Confidence
- medium: the secret is written through a file object or descriptor whose mode the
  enclosing function never restricts; the directory's own permissions, which the
  rule does not see, may still keep other users out.
- low: the flow has more than 10 steps: it crossed several containers and helpers, which
  the engine follows as wholes, so it more often carries a neighbour of the secret;

## Why it matters
A file created without an explicit mode gets 0o666 minus the process umask: with the
usual umask 0o022 that is 0o644, readable by every local user and by every service
account on the host. A password or key in it is exposed to all of them, and to backups
and support bundles that copy the directory (CWE-732: the permissions of a file that
holds a credential are the defect; the daemon that reads the file needs the cleartext).

## Example
```python
def save_credentials(path, password):
    with open(path, "w") as f:
        f.write("password=%s\\n" % password)
```

## Use instead
```python
import os

def save_credentials(path, password):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("password=%s\\n" % password)
```

## References
- CWE-732: Incorrect Permission Assignment for Critical Resource
- CWE-276: Incorrect Default Permissions
- Python docs, os.open (mode) and os.umask
"""

from __future__ import annotations

import ast
from dataclasses import replace

from secreview.analysis.context import FileContext
from secreview.model import Confidence, Severity
from secreview.rules._access.file_modes import literal_mode, mode_argument, private_file_scope
from secreview.ruleset import Hit, Meta, TaintQuery
from secreview.taint.secrets import long_flow, reported_in_helper

META = Meta(
    code="SR242",
    name="secret-in-readable-file",
    title="Secret written to a file other users can read",
    cwe=732,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Create the file with a private mode before writing the secret: "
    "os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') (0o640 with a service "
    "group), or set os.umask(0o077) around the write; fix the mode of existing files with os.chmod.",
    restates=("SR205", "SR243"),
)


def _private(call: ast.Call, arg: ast.AST, ctx: FileContext) -> bool:
    return private_file_scope(ctx, call) is not None


def _with_mode(hit: Hit, sink_call: str, ctx: FileContext) -> Hit | None:
    """Say which mode the file gets: the `os.open` mode the function gives, or the default. A helper
    whose parameter is named as a secret reports the flow itself, at its own write."""
    if reported_in_helper(hit.trace):
        return None
    if long_flow(hit.trace):
        hit = replace(hit, confidence=Confidence.LOW)
    scope = ctx.enclosing_function(hit.node) or ctx.tree
    for sub in ast.walk(scope):
        if isinstance(sub, ast.Call):
            found = mode_argument(sub, ctx)
            if found is not None and found[0] == "os.open" and found[1] is not None:
                mode = literal_mode(found[1], ctx)
                if mode is not None:
                    why = (f" The file is created by `os.open` with mode {mode:#o} (minus the umask): others may "
                           "read it.")
                    return replace(hit, message=hit.message + why)
    why = " The file gets the default mode, 0o666 minus the umask (usually 0o644): every local user can read it."
    return replace(hit, message=hit.message + why)


TAINT = TaintQuery(sources=frozenset({"secret"}), sinks=frozenset({"file_write"}), validated=_private,
                   for_sink=_with_mode)
