"""Jinja2 environment with HTML autoescaping switched off.

## What it flags
`jinja2.Environment(autoescape=False)` (and `SandboxedEnvironment`, or
`jinja2.Template(..., autoescape=False)`), `app.jinja_env.autoescape = False` and
`env.autoescape = False` on an environment the code creates; and an
`Environment(...)` created without any `autoescape` argument (Jinja2's default is
off) in a module that imports a web framework (Flask, Django, Starlette, FastAPI,
Pecan, WebOb, aiohttp, Bottle, Tornado, Falcon, ...). `autoescape=True`,
`select_autoescape(...)` or any computed value are fine.

## Confidence
- high: autoescaping is switched off explicitly in a module that imports a web
  framework, or on a template whose literal source is HTML;
- medium: switched off explicitly elsewhere (Jinja2 also renders e-mails, configuration
  files and code, where escaping HTML would be wrong — but an HTML template rendered
  from there is then unescaped);
- low: an environment left at Jinja2's default (off) in a web module: no explicit
  choice, and its templates may be text.

## Why it matters
Without autoescaping, every `{{ value }}` is written into the page as raw HTML,
so a user-supplied name or comment containing `<script>` runs in other users'
browsers (CWE-79). Escaping each variable by hand with `|e` is easy to forget once.

## Example
```python
from flask import Flask
from jinja2 import Environment, FileSystemLoader

app = Flask(__name__)
env = Environment(loader=FileSystemLoader("templates"), autoescape=False)
```

## Use instead
```python
from flask import Flask
from jinja2 import Environment, FileSystemLoader, select_autoescape

app = Flask(__name__)
env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html", "xml"]))
```

## References
- CWE-79: Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')
- Jinja2 documentation, "Autoescaping" and `select_autoescape()`
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.values import is_false, keyword
from secreview.model import Confidence, Severity
from secreview.rules._access.object_facts import created_by
from secreview.ruleset import Hit, Meta
from secreview.taint.provenance import is_web_module

META = Meta(
    code="SR122",
    name="jinja2-autoescape-disabled",
    title="Jinja2 autoescaping disabled",
    cwe=79,
    type="xss",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix='Create the environment with autoescape=select_autoescape(["html", "htm", "xml"]) (or True), '
    "and mark the few trusted HTML fragments with Markup explicitly.",
    bandit=("B701",),
)
NODES = (ast.Call, ast.Assign)
# Every hit is a jinja2 constructor or an `.autoescape = False` assignment.
NEEDS = ("jinja2", "autoescape")

_ENVIRONMENTS = frozenset(
    {
        "jinja2.Environment",
        "jinja2.environment.Environment",
        "jinja2.sandbox.SandboxedEnvironment",
        "jinja2.sandbox.ImmutableSandboxedEnvironment",
    }
)
_TEMPLATES = frozenset({"jinja2.Template", "jinja2.environment.Template"})
_HTML_TAG = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9]*)[\s>/]")


def check(node: ast.AST, ctx: FileContext) -> Iterator[Hit]:
    web = is_web_module(ctx)
    if isinstance(node, ast.Assign):
        target = node.targets[0]
        if isinstance(target, ast.Attribute) and target.attr == "autoescape" and is_false(node.value):
            owner = ctx.qualname(target.value) or ctx.segment(target.value) or ""
            if owner.endswith("jinja_env") or created_by(ctx, target.value, _ENVIRONMENTS):
                yield Hit(
                    node,
                    f"`{owner}.autoescape = False` turns off HTML escaping for every template.",
                    confidence=Confidence.HIGH if web else Confidence.MEDIUM,
                    rewrite=_escape_on(node.value),
                )
        return
    assert isinstance(node, ast.Call)
    name = ctx.call_name(node) or ""
    if name not in _ENVIRONMENTS and name not in _TEMPLATES:
        return
    short = name.rsplit(".", 1)[-1]
    setting = keyword(node, "autoescape")
    if setting is not None:
        if is_false(setting.value):
            yield Hit(
                node,
                f"`{short}(autoescape=False)` renders every variable as raw HTML.",
                confidence=Confidence.HIGH if web or _html_source(node, name) else Confidence.MEDIUM,
                rewrite=_escape_on(setting.value),
            )
        return
    if name in _TEMPLATES or not web or any(kw.arg is None for kw in node.keywords):
        return  # **options may carry autoescape; outside web code the output is often not HTML
    yield Hit(
        node,
        f"`{short}()` is created without `autoescape` in a web application module; Jinja2 then "
        "does not escape variables.",
        confidence=Confidence.LOW,
    )


def _html_source(node: ast.Call, name: str) -> bool:
    """`Template("<div>{{ name }}</div>", ...)`: the template's literal source is HTML."""
    source = node.args[0] if name in _TEMPLATES and node.args else None
    return isinstance(source, ast.Constant) and isinstance(source.value, str) and bool(_HTML_TAG.search(source.value))


def _escape_on(value: ast.expr) -> tuple[ast.AST, str] | None:
    """A literal `autoescape=False` becomes `True` (escape everything: exact, and needs no new import)."""
    if isinstance(value, ast.Constant) and value.value is False:
        return value, "True"
    return None
