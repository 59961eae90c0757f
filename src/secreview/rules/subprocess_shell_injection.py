"""Shell command that is not a literal (built from other values, or passed in) run through a shell.

## What it flags
Calls that hand a command string to a shell (`subprocess.*` with `shell=True`,
`os.system`, `os.popen`, `subprocess.getoutput`/`getstatusoutput`) when the
command is not a literal: built from other values (f-string, `%`, `.format()`,
`+`, `join`), coming from outside the program, or any other value the shell
receives as it is (a parameter, an attribute, a call's result). A literal command
(directly, through a constant or through local names bound only to literals), a
command whose every interpolated value is `shlex.quote()`d or a number, and an
argument list are not reported.

## Confidence
- high: the command contains a value from outside the program (request data, argv,
  the environment, a socket), shown with a trace; not where the taint engine judged the
  call and found nothing reaching it (it follows values through checks and sanitizers);
- medium: the command is built by string operations from non-literal values; it is a
  defect when a caller passes untrusted data;
- low: the command is an opaque non-literal value (`subprocess.run(cmd, shell=True)`
  with `cmd` a parameter): running it through a shell is an explicit choice a reviewer
  should see, but nothing here shows who supplies it. Where the taint analysis follows
  untrusted data into such a helper, `remote-command-injection` reports the flow (with
  its trace) at the call that passes it.

## Why it matters
The shell interprets `;`, `|`, `$()` and backticks in the interpolated value,
so whoever controls it runs their own commands with the service's privileges
(CWE-78). OpenStack has shipped several such bugs in agents that build `ip`,
`dnsmasq` or `qemu-img` command lines.

## Example
```python
import subprocess

def resize(image, size):
    subprocess.check_call("qemu-img resize %s %s" % (image, size), shell=True)
```

## Use instead
```python
import subprocess

def resize(image, size):
    subprocess.check_call(["qemu-img", "resize", image, size])
```

## References
- CWE-78: Improper Neutralization of Special Elements used in an OS Command
- Python docs, subprocess "Security Considerations"
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import assignments, built_string, reaching_value, trace_for
from secreview.analysis.values import argument, is_literal, is_true, keyword
from secreview.model import Confidence, Severity
from secreview.ruleset import Hit, Meta
from secreview.taint.provenance import source_of

META = Meta(
    code="SR101",
    name="shell-command-injection",
    title="Shell command built from a non-literal value",
    cwe=78,
    type="cmdi",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Pass the program and its arguments as a list without a shell: subprocess.run([\"prog\", value]) "
    "(asyncio.create_subprocess_exec) instead of shell=True, os.system or os.popen; if a shell is "
    "unavoidable, quote every interpolated value with shlex.quote().",
    bandit=("B602", "B605", "B609"),
    # where data flow typed the call as a command sink, followed the values into it (with the guards,
    # conversions and project sanitizers in between) and found nothing reaching it, its silence outweighs
    # the pattern's guess that request data is in the command (`if not RE.fullmatch(branch): return`)
    defers_to=("SR104",),
)
NODES = (ast.Call,)
# The last names of _SHELL_ALWAYS and the subprocess calls of _SUBPROCESS.
NEEDS = ("system", "popen", "getoutput", "getstatusoutput", "subprocess")

_SHELL_ALWAYS = {
    "os.system": 0,
    "os.popen": 0,
    "subprocess.getoutput": 0,
    "subprocess.getstatusoutput": 0,
    "commands.getoutput": 0,
    "commands.getstatusoutput": 0,
}
_SUBPROCESS = {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
               "subprocess.Popen", "asyncio.create_subprocess_shell"}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    name = ctx.call_name(node)
    if name in _SHELL_ALWAYS:
        command = argument(node, 0, "cmd") or argument(node, None, "command")
    elif name in _SUBPROCESS and (is_true(_kw(node, "shell")) or name == "asyncio.create_subprocess_shell"):
        command = argument(node, 0, "args") or argument(node, None, "cmd")
    else:
        return
    if command is None or isinstance(command, ast.Starred) or _fixed(ctx, command):
        return
    if _quoted_only(ctx, command):
        return  # every interpolated value is one shell word (shlex.quote) or a number
    source = source_of(ctx, command, follow="carriers")  # a lookup keyed by the input is not its text
    built = built_string(ctx, command)
    if built:
        how, _ = built
        # Built from values of unknown origin: a defect only if a caller passes untrusted data.
        unsourced = Hit(node, f"`{name}` runs a shell command built with {how} from non-literal values.",
                        confidence=Confidence.MEDIUM)
    else:
        # An opaque command run through a shell: an explicit choice, whoever supplies the value
        # chooses the commands; nothing here says who does, hence low.
        shown = ctx.segment(command) or "the command"
        unsourced = Hit(node, f"`{name}` runs `{_short(shown)}` through a shell; it is not a literal, so whoever "
                        "supplies it chooses the commands that run.", confidence=Confidence.LOW)
    if source:
        # where data flow judged this call and found nothing reaching it, `unsourced` stands (META defers_to);
        # where it reports a flow, the report keeps the traced finding of SR104 (which restates this one)
        yield Hit(
            node,
            f"`{name}` runs a shell command that contains {source.description}.",
            trace=trace_for(ctx, source, node, f"{name}(..., shell)"),
            without_source=unsourced,
        )
    else:
        yield unsourced


def _fixed(ctx: FileContext, expr: ast.expr, depth: int = 0) -> bool:
    """The command cannot hold anything the program did not write: a literal, a constant, a
    conditional between literals, or a local name every earlier binding of which is such a value;
    or an argument list (with shell=True only its first item is the script: not a string build)."""
    if depth > 3:
        return False
    if is_literal(expr, ctx) or isinstance(expr, (ast.List, ast.Tuple)):
        return True
    if isinstance(expr, ast.IfExp):
        return _fixed(ctx, expr.body, depth + 1) and _fixed(ctx, expr.orelse, depth + 1)
    if isinstance(expr, ast.Name):
        func = ctx.enclosing_function(expr)
        if func is not None and expr.id in _parameters(func):
            return False  # whatever the caller passes, even if some branch rebinds it to a literal
        bindings = [value for line, value in assignments(ctx, func).get(expr.id, []) if line < expr.lineno]
        if not bindings:
            value = reaching_value(ctx, expr)  # a module-level binding read inside a function
            bindings = [value] if value is not None else []
        return bool(bindings) and all(v is not expr and _fixed(ctx, v, depth + 1) for v in bindings)
    return False


def _parameters(func: FunctionNode) -> set[str]:
    args = func.args
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a}


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


_QUOTING = frozenset({"shlex.quote", "pipes.quote", "shlex.join", "builtins.int", "builtins.float", "builtins.len"})


def _quoted_only(ctx: FileContext, expr: ast.AST | None, depth: int = 0) -> bool:
    """The command is built from literals and `shlex.quote(...)` (or numbers) alone, directly or
    through one local name: the shell sees each interpolated value as one inert word."""
    if expr is None or depth > 3:
        return False
    if isinstance(expr, ast.Name):
        value = reaching_value(ctx, expr)
        return value is not None and _quoted_only(ctx, value, depth + 1)
    values = _interpolated(expr)
    return values is not None and bool(values) and all(
        is_literal(v, ctx) or (isinstance(v, ast.Call) and ctx.call_name(v) in _QUOTING) for v in values)


def _interpolated(expr: ast.AST) -> list[ast.AST] | None:
    """The values a string build puts into its literal text (None: not a string build seen here)."""
    if isinstance(expr, ast.JoinedStr):
        return [v.value for v in expr.values if isinstance(v, ast.FormattedValue)]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        parts: list[ast.AST] = []
        for side in (expr.left, expr.right):
            if isinstance(side, ast.Constant):
                continue
            inner = _interpolated(side)
            parts += inner if inner is not None else [side]
        return parts
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and isinstance(expr.left, ast.Constant):
        right = expr.right
        return list(right.elts) if isinstance(right, ast.Tuple) else [right]
    func = expr.func if isinstance(expr, ast.Call) else None
    if isinstance(expr, ast.Call) and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Constant):
        if func.attr == "format":
            return [*expr.args, *(kw.value for kw in expr.keywords)]
        if func.attr == "join" and expr.args and isinstance(expr.args[0], (ast.List, ast.Tuple)):
            return list(expr.args[0].elts)
    return None


def _kw(node: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(node, name)
    return kw.value if kw else None
