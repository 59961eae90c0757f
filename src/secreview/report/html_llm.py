"""The LLM layer's part of the HTML report: how the run went, what each answer concluded, the models'
view of the static findings, and the claims the code did not confirm. Unverified claims are listed apart,
folded and labelled: they are never findings and never change the verdict or the exit code."""

from __future__ import annotations

from html import escape

from secreview.model import LLMRun, Report, UnverifiedClaim

ANSWER_VERDICTS = {"none": "no defects", "defects": "defects", "unclear": "no clear verdict",
                   "failed": "failed (see Not reviewed)"}


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _facts(run: LLMRun) -> str:
    rows = [
        ("Models", ", ".join(run.models)),
        ("Endpoint", run.endpoint),
        ("Prompt", run.prompt),
        ("Samples per model", str(run.samples)),
        ("Consensus", f"{run.consensus} answer(s) must agree"),
        ("Calls", f"{run.calls} ({run.cached_calls} from cache, {run.failed_calls} failed)"),
        ("Tokens", f"{run.prompt_tokens} prompt + {run.completion_tokens} completion"),
    ]
    if run.cost is not None:
        rows.append(("Cost", f"{run.cost:.4f}"))
    if run.redacted:
        rows.append(("Redacted", f"{run.redacted} secret(s) replaced before sending"))
    return '<dl class="facts">' + "".join(f"<div><dt>{k}</dt><dd>{_e(v)}</dd></div>" for k, v in rows) + "</dl>"


def _answers(report: Report, run: LLMRun) -> str:
    if not run.answers:
        return ""
    rows = "".join(
        f"<tr><td><code>{_e(a.path)}</code></td><td>{_e(a.part)}</td><td>{_e(a.model)}</td>"
        f'<td class="num">{a.sample}</td><td>{_e(ANSWER_VERDICTS.get(a.verdict, a.verdict))}</td>'
        f'<td class="num">{a.claims}</td><td class="num">{a.verified}</td><td>{"yes" if a.cached else ""}</td></tr>'
        for a in run.answers)
    static_paths = {f.path for f in report.findings if f.origin == "static"}
    caveat = ""
    if any(a.verdict == "none" and a.path in static_paths for a in run.answers):
        caveat = ('<p class="note">A model\'s "no defects" is its view only: static findings are never removed '
                  "by it.</p>")
    return ("<h3>Answers</h3><table><thead><tr><th>File</th><th>Part</th><th>Model</th><th class=\"num\">Sample</th>"
            '<th>Model\'s verdict</th><th class="num">Claims</th><th class="num">Verified</th><th>Cached</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>{caveat}")


def _reviews(run: LLMRun) -> str:
    if not run.reviews:
        return ""
    rows = "".join(f"<tr><td><code>{_e(r.path)}:{r.line}</code></td><td><code>{_e(r.rule)}</code></td>"
                   f"<td>{_e(r.model)}</td><td>{_e(r.stance)}</td><td>{_e(r.reason)}</td></tr>" for r in run.reviews)
    return ("<h3>The models' view of the static findings</h3><table><thead><tr><th>Finding</th><th>Rule</th>"
            f"<th>Model</th><th>Stance</th><th>Reason</th></tr></thead><tbody>{rows}</tbody></table>")


def _claim(c: UnverifiedClaim) -> str:
    where = f"{c.path}:{c.line}" if c.line else f"{c.path}:?"
    cwe = f"CWE-{c.cwe}" if c.cwe else "no CWE"
    reasons = "".join(f"<li>{_e(r)}</li>" for r in c.reasons)
    quote = f'<pre class="code">{_e(c.quote)}</pre>' if c.quote else ""
    fix = f"<p><strong>Proposed fix:</strong> {_e(c.fix)}</p>" if c.fix else ""
    return (f'<li class="claim"><p><span class="tag">unverified</span> <code>{_e(where)}</code> {_e(cwe)} '
            f"({_e(', '.join(c.models))}): {_e(c.description)}</p>{quote}{fix}"
            f"<p>Not verified because:</p><ul>{reasons}</ul></li>")


def _unverified(report: Report) -> str:
    if not report.unverified:
        return ""
    n = len(report.unverified)
    return (f'<details class="unverified" id="unverified"><summary>{n} unverified LLM claim{"s" if n != 1 else ""}'
            " (not findings; they never fail the build)</summary><ul>"
            + "".join(_claim(c) for c in report.unverified) + "</ul></details>")


def section(report: Report) -> str:
    run = report.llm
    if run is None and not report.unverified:
        return ""
    parts = ['<section id="llm"><h2>LLM review</h2>']
    if run is not None:
        parts += [_facts(run), _answers(report, run), _reviews(run)]
    parts += [_unverified(report), "</section>"]
    return "".join(parts)
