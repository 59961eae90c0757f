"""Secret value put into the message of an exception that is raised.

## What it flags
A secret (source kind `secret`: an oslo.config option declared `secret=True`, a
`SECRET_KEY`/`*_PASSWORD`/`*_TOKEN` setting, a value named `password`, `token`,
`secret`, `private_key` ..., a `--db-password` command-line option) that reaches the
arguments of `raise SomeError(...)`, for any exception class (a project exception
formats its keyword arguments into its message), directly or through helpers and
modules, with the trace: `raise ValueError(f"cannot connect with {password}")`, or
the rendered text of a config file that holds a secret option.
Masked values, `len()`, hashes and values that never held the secret are fine.

## Confidence
- medium: the secret is in the raised exception's arguments; whether the message
  reaches a user or only a log depends on who catches it, which the rule does not see.
- low: the flow has more than 10 steps: it crossed several containers and helpers, which
  the engine follows as wholes, so it more often carries a neighbour of the secret;
- low: the value is passed to a helper that logs it, with a flag that tells the helper how
  to log (`log_filter_flag=True`, `sensitive=True`): the flow does not follow the flag;

## Why it matters
Exception messages end up in logs, in API error responses (a web framework or an
RPC layer serialises them back to the caller) and in crash reports: a password in one
is exposed to everyone who reads those (CWE-209).

## Example
```python
def connect(host, password):
    if not host:
        raise ValueError(f"no host given for password {password}")
    return (host, password)
```

## Use instead
```python
def connect(host, password):
    if not host:
        raise ValueError("no host given")
    return (host, password)
```

## References
- CWE-209: Generation of Error Message Containing Sensitive Information
- OWASP Error Handling Cheat Sheet
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules._access.secret_flows import reported_once
from secreview.ruleset import Meta, TaintQuery

META = Meta(
    code="SR241",
    name="secret-in-exception",
    title="Secret value in an exception message",
    cwe=209,
    type="access",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    fix="Name the failing item (the user, the option, the host) in the message, never the secret itself; "
    "mask it (oslo_utils.strutils.mask_password) when the text around it is needed.",
)
TAINT = TaintQuery(sources=frozenset({"secret"}), sinks=frozenset({"exception_message"}), for_sink=reported_once)
