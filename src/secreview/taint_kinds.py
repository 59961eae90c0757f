"""The kinds of taint sources and sinks, by name, with what each means: the vocabulary a taint rule's
`TaintQuery` is written in (`secreview.ruleset` checks it when it loads a rule) and the taint specs declare
entries in (`secreview.taint.spec` re-exports it). A leaf: it imports nothing, so the rule loader can check
a rule's kinds without importing the taint package, which itself runs rules.
"""

from __future__ import annotations

# Where untrusted data enters the program.
SOURCE_KINDS: dict[str, str] = {
    "remote_input": "data sent by a network client: request parameters, body, headers, cookies, route parameters",
    "cli_input": "command-line arguments and standard input",
    "secret": "a password, token, key or other credential: an oslo.config option declared secret=True, a "
    "SECRET_KEY/*_PASSWORD/*_TOKEN setting, a value named as a secret, a CLI option named as one",
    "env_input": "environment variables",
    "file_input": "contents read from files",
    "weak_random": "a guessable value: `random` module output, `uuid1()`, the clock, the process id",
    "fast_digest": "the output of a fast general-purpose digest (MD5, SHA-1, SHA-2): too cheap to store a password",
    "socket_input": "data read from sockets and from remote responses",
}

# Where untrusted data does harm.
SINK_KINDS: dict[str, str] = {
    "sql": "an SQL statement",
    "command": "an operating-system command or shell line",
    "code": "Python code that is evaluated or compiled",
    "path": "a file-system path that is opened, written, listed or removed",
    "url": "the address of an outgoing request (SSRF)",
    "redirect": "the target of an HTTP redirect",
    "html": "HTML sent to a browser without escaping",
    "template": "the source of a template that is compiled",
    "deserialize": "bytes given to an unsafe deserializer",
    "xml": "a document given to an XML parser that resolves entities",
    "ldap": "an LDAP filter or distinguished name",
    "xpath": "an XPath expression",
    "header": "an HTTP response header name or value",
    "log": "a log message (line forging)",
    "format_string": "a format string",
    "regex": "a regular expression that is compiled",
    "trust_boundary": "session state or another store the program later trusts",
    "log_value": "a log call (the message or one of its arguments)",
    "exception_message": "the message of a raised exception (its arguments)",
    "file_write": "a file write",
    "config_line": "a generated configuration file that another program parses line by line",
    "secret_bearing": "a value that must be unguessable: session ids and values, cookies, auth/CSRF/reset/API "
                      "tokens, passwords, one-time codes, nonces, keys, IVs, Authorization-style headers",
}
