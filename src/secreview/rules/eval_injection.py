"""`eval`, `exec` or `compile` run on code built from non-literal values.

## What it flags
The built-ins `eval()`, `exec()` and `compile()` when the code they receive comes
from outside the program — request data, a route parameter or a socket (high
confidence), or `input()`, argv or the environment themselves (medium) — or is
assembled by f-string, `%`, `.format()` or `+` from a parameter of the enclosing
function (medium). Literal code, values rendered with `repr()`/`%r`/`!r` or
reduced to numbers, names checked against a whitelist, a file named by argv or
the environment (a script runner), values named like code (`expression`,
`source`: evaluated on purpose) and code generators that write out
`def`/`lambda`/`class` source are not reported, nor are built strings in test
modules. `ast.literal_eval` is a different, safe function.

## Why it matters
`eval` and `exec` run arbitrary Python with the privileges of the process. A
"calculator" or "filter expression" fed `__import__('os').system('id')` executes
it; restricting `__builtins__` in the globals is not a sandbox, because object
attributes lead back to every module (CWE-95).

## Example
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/calc")
def calc():
    expression = request.args.get("expr", "0")
    return str(eval(expression))
```

## Use instead
```python
import ast

from flask import Flask, request

app = Flask(__name__)

@app.route("/calc")
def calc():
    expression = request.args.get("expr", "0")
    return str(ast.literal_eval(expression))
```

## References
- CWE-95: Improper Neutralization of Directives in Dynamically Evaluated Code ('Eval Injection')
- Python docs, `eval()` and `ast.literal_eval()`
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument
from secreview.analysis.words import identifier_of
from secreview.model import Confidence, Severity
from secreview.rules._injection.verdict import analyze, describe
from secreview.ruleset import Hit, Meta
from secreview.taint.provenance import is_parameter

META = Meta(
    code="SR102",
    name="eval-injection",
    title="Dynamically evaluated code built from non-literal values",
    cwe=95,
    type="cmdi",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Do not evaluate code built from data: parse literals with ast.literal_eval(), json.loads() "
    "or int(), and map names to functions with a dict lookup instead of eval().",
    bandit=("B307", "B102"),
)
NODES = (ast.Call,)

_EVAL = {"builtins.eval": "eval", "builtins.exec": "exec", "builtins.compile": "compile"}
# Source text that defines code (a generator writing out functions), not an expression from data.
# A value named like code (`expression`, `source`) is evaluated on purpose (a REPL, a rule engine):
# without an outside source that is a design decision, not an injection.
_CODE_NAME = re.compile(
    r"^_*(code|source|src|expr|expression|stmt|statement|snippet|script|body|func|lambda)", re.IGNORECASE
)
_CODEGEN = re.compile(r"(^|\n)\s*(def|async def|class|lambda|import|from)\b|\blambda\b|\n")


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    short = _EVAL.get(ctx.call_name(node) or "")
    if short is None:
        return
    code = argument(node, 0, "source")
    if isinstance(code, ast.Call) and ctx.call_name(code) == "builtins.compile":
        return  # exec(compile(...)): the compile() call is judged on its own
    verdict = analyze(ctx, code, "code")
    if verdict is None:
        return
    if verdict.source is not None:
        how = f"code built with {verdict.how} from" if verdict.how else "code taken from"
        yield Hit(
            node,
            f"`{short}()` runs {how} {verdict.source.description}.",
            trace=trace_for(ctx, verdict.source, node, f"{short}(...)"),
            confidence=Confidence.HIGH if verdict.strong else Confidence.MEDIUM,
        )
    elif (
        verdict.how
        and verdict.how != "str.join()"
        and not _CODEGEN.search(verdict.text)
        and not any(_CODE_NAME.search(identifier_of(p.site) or identifier_of(p.expr)) for p in verdict.unsafe)
        and any(is_parameter(ctx, p.site) or is_parameter(ctx, p.expr) for p in verdict.unsafe)
    ):
        yield Hit(
            node,
            f"`{short}()` runs code built with {verdict.how} from {describe(verdict.unsafe[0], ctx)}.",
            confidence=Confidence.MEDIUM,
        )
