"""Report formats: each module has `render(report) -> str`, a pure function of the model."""

from __future__ import annotations

from collections.abc import Callable

from secreview.model import Report

FORMATS = ("text", "concise", "json", "sarif", "markdown", "github", "gerrit", "gitlab", "html")


def renderer(fmt: str) -> Callable[..., str]:
    # each format's own options (see its `render`), passed through by keyword
    render: Callable[..., str]
    if fmt == "text":
        from secreview.report.text import render
    elif fmt == "concise":
        from secreview.report.concise import render
    elif fmt == "json":
        from secreview.report.json import render
    elif fmt == "sarif":
        from secreview.report.sarif import render
    elif fmt == "markdown":
        from secreview.report.markdown import render
    elif fmt == "github":
        from secreview.report.github import render
    elif fmt == "gerrit":
        from secreview.report.gerrit import render
    elif fmt == "gitlab":
        from secreview.report.gitlab import render
    elif fmt == "html":
        from secreview.report.html import render
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return render


def render(report: Report, fmt: str, **options: object) -> str:
    return renderer(fmt)(report, **options)
