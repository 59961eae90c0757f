"""A hand-built report for the text and concise format tests: findings in production and test code at
several severities and confidences, a trace, a suggested rewrite, a code line wider than 80 columns, a
repeated fix, suppressions (one naming no rule) and findings the thresholds hid."""

from __future__ import annotations

from dataclasses import replace

from secreview.model import (
    PILLARS,
    Confidence,
    FileError,
    Finding,
    PillarAccount,
    Report,
    Severity,
    Stats,
    Suppression,
    TraceStep,
)

SHELL_CWE = "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')"
SQL_CWE = "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')"
LONG_SQL = ('    cursor.execute("SELECT id, name, email, created_at FROM users WHERE name = \'%s\' '
            'ORDER BY created_at" % name)')


def finding(path: str, line: int, rule: str, name: str, severity: str, confidence: str, **extra) -> Finding:
    values = dict(
        rule=rule, name=name, title="Shell command built from request data", cwe=78, cwe_name=SHELL_CWE,
        pillar=707, pillar_name=PILLARS[707], type="cmdi", severity=Severity(severity),
        confidence=Confidence(confidence), path=path, line=line, end_line=line, column=5, end_column=40,
        snippet="    subprocess.call(cmd, shell=True)",
        message="`cmd` comes from the request and reaches `subprocess.call(..., shell=True)`.",
        fix="Pass the command as a list of arguments, without a shell.", fingerprint=f"{path}:{line}:{rule}")
    values.update(extra)
    return Finding(**values)


TRACE = (TraceStep("app/views.py", 11, 11, "cmd = request.args['cmd']", "source: `flask.request.args` (remote input)"),
         TraceStep("app/views.py", 12, 5, "subprocess.call(cmd, shell=True)",
                   "sink (command): argument 1 of `subprocess.call`"))

FINDINGS = (
    finding("app/db.py", 7, "SR113", "sql-string-built", "critical", "high", cwe=89, cwe_name=SQL_CWE, type="sqli",
            title="SQL built from request data", message="The query text is built with `%` from `name`.",
            fix="Pass the values as query parameters: cursor.execute(sql, params).", snippet=LONG_SQL),
    finding("app/views.py", 12, "SR101", "shell-command-injection", "high", "medium", trace=TRACE,
            suggestion="    subprocess.call(shlex.split(cmd))"),
    finding("app/views.py", 30, "SR101", "shell-command-injection", "high", "medium"),
    finding("tests/test_views.py", 8, "SR507", "request-without-timeout", "medium", "low", test_code=True,
            cwe=1088, cwe_name="Synchronous Access of Remote Resource without Timeout", pillar=664,
            pillar_name=PILLARS[664], type="dos", title="Network call without a timeout",
            message="`requests.get` has no timeout.", fix="Pass timeout=(connect, read).",
            snippet="    requests.get(url)"),
)
RULES_PER_PILLAR = (8, 0, 31, 1, 6, 13, 2, 1, 18, 4)


def sample(findings: tuple[Finding, ...] = FINDINGS, **changes) -> Report:
    pillars = tuple(PillarAccount(p, name, rules, sum(f.pillar == p for f in findings))
                    for (p, name), rules in zip(PILLARS.items(), RULES_PER_PILLAR, strict=True))
    stats = Stats(files=4, reviewed=4, lines=321, rules=84, suppressed=2, filtered=171, filtered_test_code=168)
    unused = (Suppression("app/views.py", 40, "secreview", ("SR999",), "# secreview: ignore[SR999]",
                          ("SR999",)),)
    report = Report(findings, (), pillars, stats, unused, "0.0")
    return replace(report, **changes) if changes else report


def broken() -> Report:
    """The sample with a file that could not be reviewed."""
    return sample(errors=(FileError("app/legacy.py", "syntax", "app/legacy.py:3: invalid syntax", 3),),
                  stats=replace(sample().stats, files=5))
