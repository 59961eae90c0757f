"""The LLM part of the text report: how the run went, what each answer concluded, the models' view of
the static findings, and (with --show-unverified) the claims the code did not confirm, each marked
`[unverified]`. Unverified claims are never findings and never change the exit code."""

from __future__ import annotations

from secreview.model import Report


def section(report: Report, show_unverified: bool) -> list[str]:
    run = report.llm
    if run is None:
        return []
    cost = f", cost {run.cost:.4f}" if run.cost is not None else ""
    out = [
        f"LLM review: {', '.join(run.models)} at {run.endpoint}, prompt `{run.prompt}`, {run.samples} sample(s) "
        f"per model, consensus {run.consensus}",
        f"  {run.calls} call(s) ({run.cached_calls} from cache, {run.failed_calls} failed), "
        f"{run.prompt_tokens} prompt + {run.completion_tokens} completion tokens{cost}"
        + (f", {run.redacted} secret(s) redacted before sending" if run.redacted else ""),
    ]
    for a in run.answers:
        verdict = {"none": "no defects", "defects": "defects", "unclear": "no clear verdict",
                   "failed": "FAILED (see errors)"}.get(a.verdict, a.verdict)
        out.append(f"  {a.path} ({a.part}) {a.model} #{a.sample}: {verdict}, {a.claims} claim(s), "
                   f"{a.verified} verified" + (" [cached]" if a.cached else ""))
    static = [f for f in report.findings if f.origin == "static"]
    if any(a.verdict == "none" and any(f.path == a.path for f in static) for a in run.answers):
        out.append("  (a model's \"no defects\" is its view only: static findings are never removed by it)")
    if run.reviews:
        out.append("LLM view of the static findings:")
        out.extend(f"  {r.path}:{r.line} {r.rule} {r.stance} by {r.model}: {r.reason}" for r in run.reviews)
    if report.unverified and show_unverified:
        out.append("Unverified LLM claims (not findings; they never fail the build):")
        for c in report.unverified:
            where = f"{c.path}:{c.line}" if c.line else f"{c.path}:?"
            cwe = f"CWE-{c.cwe}" if c.cwe else "no CWE"
            out.append(f"  [unverified] {where} {cwe} ({', '.join(c.models)}): {_one_line(c.description)}")
            out.extend(f"    - {reason}" for reason in c.reasons)
    elif report.unverified:
        n = len(report.unverified)
        out.append(f"  {n} unverified LLM claim{'s' if n != 1 else ''} not shown (--show-unverified lists them)")
    out.append("")
    return out


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
