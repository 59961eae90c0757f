"""Request data written unescaped into a line-oriented configuration file.

## What it flags
Data from a network client or a socket (an API request's values) that reaches the text
written to a file whose path or name says it is configuration another program parses
line by line — `conf`, `cfg`, `hosts`, `opts`, `.ini`, `.service`, dnsmasq, haproxy,
keepalived, nginx, radvd, systemd, sudoers, cron — through `f.write(...)`,
`Path.write_text(...)`, `os.write(...)` or a project helper given that path, with the
trace. A value converted or validated first (`int()`, `netaddr.IPAddress(...)`,
`ipaddress.ip_address(...)`, an allowlist test, a project validator, a `fullmatch`
that excludes line breaks) is fine. Files whose name says nothing about configuration
are left to other rules.

## Confidence
- high: the written text is built from the request value and the file's path names a
  configuration file.

## Why it matters
Line-oriented formats give a newline (and often a comma, a space or `#`) a meaning: a
host name such as `"web1\\ndhcp-script=/tmp/x"` written into a dnsmasq hosts file adds a
directive, one with a comma adds fields. The daemon that parses the file — often as
root — then runs with settings the client chose (CWE-93: the line and field separators
in the value were not neutralised).

## Example
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/hosts", methods=["POST"])
def add_host():
    mac, name = request.form["mac"], request.form["hostname"]
    with open("/etc/dnsmasq.d/hosts.conf", "a") as f:
        f.write("%s,%s\\n" % (mac, name))
    return "ok"
```

## Use instead
```python
import re

from flask import Flask, abort, request

app = Flask(__name__)

@app.route("/hosts", methods=["POST"])
def add_host():
    mac, name = request.form["mac"], request.form["hostname"]
    if not re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}", mac):
        abort(400)
    if not re.fullmatch(r"[a-z0-9-]{1,63}", name):
        abort(400)
    with open("/etc/dnsmasq.d/hosts.conf", "a") as f:
        f.write("%s,%s\\n" % (mac, name))
    return "ok"
```

## References
- CWE-93: Improper Neutralization of CRLF Sequences ('CRLF Injection')
- CWE-15: External Control of System or Configuration Setting
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.ruleset import Meta, TaintQuery

META = Meta(
    code="SR132",
    name="config-line-injection",
    title="Request data written unescaped into a configuration file",
    cwe=93,
    type="fmt",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fix="Validate each value against the grammar of its field before writing it (an allowlist, "
    "netaddr.IPAddress/EUI, int(), a fullmatch of [A-Za-z0-9.-]+), and reject values with line breaks "
    "or the format's separators; or use the program's API instead of its config file.",
)
TAINT = TaintQuery(sources=frozenset({"remote_input", "socket_input"}), sinks=frozenset({"config_line"}))
