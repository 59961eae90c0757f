"""Post a pull-request review to GitHub: `POST {api}/repos/{owner}/{repo}/pulls/{number}/reviews`
with the body `secreview.report.github` builds, authenticated by a token (`Authorization: Bearer`).

Errors GitHub answers with JSON `{"message": ..., "errors": [...]}` become a PostError naming the
status and GitHub's message (401 bad token, 403 missing permission or rate limit, 404 unknown or
invisible repository/pull request, 422 e.g. a comment on a line outside the diff).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from secreview.post.http import DEFAULT_TIMEOUT, PostError, post

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

_HINTS = {
    401: "check GITHUB_TOKEN",
    403: "the token needs write access to pull requests (`pull-requests: write`), or a rate limit was hit",
    404: "check --repo and --pr, and that the token can see the repository",
    422: "GitHub rejected the review content",
}


def reviews_url(api_url: str, repo: str, pr: int) -> str:
    if not _REPO.match(repo):
        raise PostError(f"--repo must be OWNER/NAME, not {repo!r}")
    if pr <= 0:
        raise PostError(f"--pr must be a positive pull request number, not {pr}")
    return f"{api_url.rstrip('/')}/repos/{repo}/pulls/{pr}/reviews"


def post_review(payload: dict, *, repo: str, pr: int, token: str, api_url: str = DEFAULT_API_URL,
                timeout: float = DEFAULT_TIMEOUT, sleep: Callable[[float], None] = time.sleep) -> dict:
    """Send the review; return GitHub's answer (the created review: id, html_url, state, ...)."""
    if not token:
        raise PostError("GITHUB_TOKEN is not set")
    url = reviews_url(api_url, repo, pr)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": API_VERSION, "User-Agent": "secreview"}
    response = post(url, json_body=payload, headers=headers, timeout=timeout, sleep=sleep, service="GitHub")
    if response.is_success:
        try:
            return response.json()
        except ValueError:
            raise PostError(f"GitHub answered {response.status_code} with a body that is not JSON") from None
    raise PostError(describe_error(response.status_code, response.text))


def describe_error(status: int, text: str) -> str:
    message, details = _parse_error(text)
    hint = _HINTS.get(status)
    out = f"GitHub answered {status}: {message or 'no message'}"
    if details:
        out += " (" + "; ".join(details) + ")"
    return out + (f" — {hint}" if hint else "")


def _parse_error(text: str) -> tuple[str, list[str]]:
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:300], []
    if not isinstance(data, dict):
        return str(data)[:300], []
    details = []
    for item in data.get("errors") or ():
        if isinstance(item, str):
            details.append(item)
        elif isinstance(item, dict):
            details.append(str(item.get("message") or " ".join(f"{k}={v}" for k, v in item.items())))
    return str(data.get("message", ""))[:300], details[:10]
