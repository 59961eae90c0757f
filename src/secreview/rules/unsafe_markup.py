"""A string built from non-literal values marked safe for HTML.

## What it flags
`markupsafe.Markup(...)` (also re-exported as `flask.Markup` and
`jinja2.Markup`), `django.utils.safestring.mark_safe(...)` and `SafeString(...)`
applied to a string assembled by f-string, `%`, `.format()`, `+` or `join` from
values that are not escaped, or to outside data (request data, a URL parameter).
Values passed through `escape()`/`html.escape()`/`conditional_escape()`,
`format_html()`, `bleach.clean()` or numbers are fine, and so is
`Markup("<b>{}</b>").format(name)` or `Markup("<b>%s</b>") % name`, where
`Markup` itself escapes the arguments.

## Why it matters
`Markup` and `mark_safe` tell the template engine that the string is already
safe HTML, which switches off autoescaping for it. Any `<script>` or attribute
breaker inside the interpolated values reaches the page unescaped (CWE-79), even
in templates that are otherwise safe.

## Example
```python
from markupsafe import Markup

def user_badge(user):
    return Markup(f'<span class="badge">{user.display_name}</span>')
```

## Use instead
```python
from markupsafe import Markup

def user_badge(user):
    return Markup('<span class="badge">{}</span>').format(user.display_name)
```

## References
- CWE-79: Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')
- MarkupSafe documentation, "Formatting"; Django documentation, `mark_safe()` and `format_html()`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.analysis.flow import trace_for
from secreview.analysis.values import argument
from secreview.model import Confidence, Severity
from secreview.rules._injection.verdict import analyze, describe
from secreview.ruleset import Hit, Meta

META = Meta(
    code="SR121",
    name="unsafe-markup",
    title="String built from unescaped values marked as safe HTML",
    cwe=79,
    type="xss",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    fix='Let Markup/format_html escape the values: Markup("<b>{}</b>").format(value) or '
    'format_html("<b>{}</b>", value); or escape() each value before marking the result safe.',
    bandit=("B703", "B308", "B704"),
)
NODES = (ast.Call,)
# The last names of _MARKERS.
NEEDS = ("Markup", "mark_safe", "SafeString", "SafeText")

_MARKERS = {
    "markupsafe.Markup": "Markup",
    "flask.Markup": "Markup",
    "jinja2.Markup": "Markup",
    "jinja2.utils.Markup": "Markup",
    "django.utils.safestring.mark_safe": "mark_safe",
    "django.utils.safestring.SafeString": "SafeString",
    "django.utils.safestring.SafeText": "SafeText",
    "django.utils.html.mark_safe": "mark_safe",
}


def check(node: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    call = _MARKERS.get(ctx.call_name(node) or "")
    if call is None:
        return
    verdict = analyze(ctx, argument(node, 0, "s" if call == "mark_safe" else None), "html")
    if verdict is None:
        return
    if verdict.source is not None:
        how = f"a string built with {verdict.how} from" if verdict.how else ""
        yield Hit(
            node,
            f"`{call}` marks {how} {verdict.source.description} as safe HTML without escaping it.".replace(
                "  ", " "
            ),
            trace=trace_for(ctx, verdict.source, node, f"{call}(...)"),
            confidence=Confidence.HIGH if verdict.strong else Confidence.MEDIUM,
        )
    elif verdict.how:
        yield Hit(
            node,
            f"`{call}` marks a string built with {verdict.how} from "
            f"{describe(verdict.unsafe[0], ctx)} as safe HTML; "
            "that value is not escaped.",
            confidence=Confidence.MEDIUM,
        )
