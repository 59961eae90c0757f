"""`secreview post github|gerrit` against local servers that check each request and answer like the
real APIs (tests/review_servers.py), including their error replies. Nothing reaches the network."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from review_servers import GerritApi, GitHubApi, Reply, local_server

from secreview import cli
from secreview.model import Change, ChangedFile, Confidence, Finding, Report, Severity, Stats
from secreview.report import gerrit as gerrit_format
from secreview.report import github as github_format
from secreview.report import json as json_format

TOKEN = "ghp_test-token-not-real-0123456789"
PASSWORD = "gerrit-http-password-not-real"


def finding(path: str, line: int, end_line: int | None = None, severity: Severity = Severity.HIGH,
            suggestion: str = "") -> Finding:
    return Finding(
        rule="SR307", name="tls-verification-disabled", title="TLS certificate verification disabled", cwe=295,
        cwe_name="Improper Certificate Validation", pillar=284, pillar_name="Improper Access Control",
        type="crypto", severity=severity, confidence=Confidence.HIGH, path=path, line=line,
        end_line=end_line or line, column=5, end_column=40, snippet="    requests.get(url, verify=False)",
        message="`requests.get(..., verify=False)` accepts any certificate.", fix="Keep verification on.",
        fingerprint=f"{path}:{line}", suggestion=suggestion)


def sample_report() -> Report:
    change = Change(description="main..feature", base="b" * 40, head="a" * 40, files=(
        ChangedFile("app/client.py", "app/client.py", "modified", (12,), tuple(range(9, 16))),
    ))
    findings = (finding("app/client.py", 12, suggestion="    requests.get(url, verify=True)"),
                finding("app/client.py", 40, severity=Severity.MEDIUM),
                finding("lib/util.py", 3, severity=Severity.LOW))
    return Report(findings=findings, errors=(), pillars=(), stats=Stats(files=2, reviewed=2), change=change)


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json_format.render(sample_report()), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_REPOSITORY", "GERRIT_URL", "GERRIT_USER",
                 "GERRIT_HTTP_PASSWORD", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def github_api():
    api = GitHubApi(repo="octo/shop", number=7, token=TOKEN, diff={"app/client.py": set(range(9, 16))})
    with local_server(api) as server:
        yield api, server


@pytest.fixture
def gerrit_api():
    api = GerritApi(user="bot", password=PASSWORD, files={"42": {"app/client.py"}, "shop~main~I8473b95": {"x.py"}},
                    closed={"shop~main~I8473b95"})
    with local_server(api) as server:
        yield api, server


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert TOKEN not in out + err and PASSWORD not in out + err
    return code, out, err


def github_args(report_file: Path, *extra: str) -> list[str]:
    return ["post", "github", "--report", str(report_file), "--repo", "octo/shop", "--pr", "7", *extra]


# --- GitHub -------------------------------------------------------------------------------------------


def test_github_review_is_posted_with_comments_on_diff_lines(github_api, report_file, monkeypatch, capsys):
    api, server = github_api
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    code, out, err = run(github_args(report_file, "--request-changes"), capsys)
    assert code == 0, err
    assert "posted https://github.com/octo/shop/pull/7#pullrequestreview-80 (REQUEST_CHANGES, 1 line comment)" in err
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/repos/octo/shop/pulls/7/reviews")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    payload = request.json()
    assert payload == github_format.review(sample_report(), event="REQUEST_CHANGES")
    assert payload["commit_id"] == "a" * 40
    assert [(c["path"], c["line"]) for c in payload["comments"]] == [("app/client.py", 12)]
    assert "```suggestion\n    requests.get(url, verify=True)\n```" in payload["comments"][0]["body"]
    assert "2 findings lie outside the lines of this diff." in payload["body"]


def test_github_bad_credentials(github_api, report_file, monkeypatch, capsys):
    _, server = github_api
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong")
    code, _, err = run(github_args(report_file, "--api-url", server.url), capsys)
    assert code == 2
    assert "secreview: error: GitHub answered 401: Bad credentials — check GITHUB_TOKEN" in err
    assert "ghp_wrong" not in err


def test_github_unknown_pull_request(github_api, report_file, monkeypatch, capsys):
    _, server = github_api
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    code, _, err = run(["post", "github", "--report", str(report_file), "--repo", "octo/shop", "--pr", "8",
                        "--api-url", server.url], capsys)
    assert code == 2
    assert "GitHub answered 404: Not Found — check --repo and --pr" in err


def test_github_comment_outside_the_real_diff_is_a_422_with_github_errors(github_api, report_file, monkeypatch,
                                                                          capsys):
    api, server = github_api
    api.diff = {"app/client.py": {1, 2}}  # the pull request's diff moved on since the report was made
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    code, _, err = run(github_args(report_file, "--api-url", server.url), capsys)
    assert code == 2
    assert ("GitHub answered 422: Unprocessable Entity (Pull request review thread line must be part of the diff "
            "and Pull request review thread diff hunk can't be blank) — GitHub rejected the review content") in err


def test_github_retries_only_when_told_when(github_api, report_file, monkeypatch, capsys):
    api, server = github_api
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    api.queued = [Reply(503, {"message": "Service Unavailable"}, {"Retry-After": "0"}),
                  Reply(429, {"message": "rate limited"}, {"Retry-After": "0"})]
    code, _, err = run(github_args(report_file, "--api-url", server.url), capsys)
    assert code == 0, err
    assert len(server.requests) == 3
    server.requests.clear()
    api.queued = [Reply(502, {"message": "Server Error"})]  # no Retry-After: the review may exist; do not resend
    code, _, err = run(github_args(report_file, "--api-url", server.url), capsys)
    assert code == 2 and len(server.requests) == 1
    assert "GitHub answered 502: Server Error" in err
    server.requests.clear()
    api.queued = [Reply(429, {"message": "API rate limit exceeded"}, {"Retry-After": "0"})] * 3
    code, _, err = run(github_args(report_file, "--api-url", server.url), capsys)
    assert code == 2 and len(server.requests) == 3
    assert "GitHub answered 429: API rate limit exceeded" in err


def test_github_timeout_is_not_retried(report_file, monkeypatch, capsys):
    def slow(request):
        time.sleep(1.5)
        return Reply(200, {"id": 1})

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with local_server(slow) as server:
        code, _, err = run(github_args(report_file, "--api-url", server.url, "--timeout", "0.3"), capsys)
        assert len(server.requests) == 1
    assert code == 2
    assert "GitHub did not answer within 0.3 s; the review may or may not have been posted" in err


def test_github_unreachable_server(report_file, monkeypatch, capsys):
    with local_server(lambda request: Reply(200, {})) as server:
        url = server.url
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    code, _, err = run(github_args(report_file, "--api-url", url), capsys)
    assert code == 2
    assert f"could not reach GitHub at {url}" in err


def test_github_settings_errors_send_nothing(github_api, report_file, monkeypatch, capsys):
    _, server = github_api
    code, _, err = run(github_args(report_file, "--api-url", server.url), capsys)
    assert code == 2 and "GITHUB_TOKEN is not set" in err
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    code, _, err = run(["post", "github", "--report", str(report_file), "--repo", "octo", "--pr", "7",
                        "--api-url", server.url], capsys)
    assert code == 2 and "--repo must be OWNER/NAME, not 'octo'" in err
    code, _, err = run(["post", "github", "--report", str(report_file), "x.py", "--repo", "o/r", "--pr", "7"], capsys)
    assert code == 2 and "not both" in err
    code, _, err = run(["post", "github", "--report", str(report_file.parent / "missing.json"), "--repo", "o/r",
                        "--pr", "7"], capsys)
    assert code == 2 and "cannot read report" in err
    (report_file.parent / "bad.json").write_text('{"findings": 3}')
    code, _, err = run(["post", "github", "--report", str(report_file.parent / "bad.json"), "--repo", "o/r",
                        "--pr", "7"], capsys)
    assert code == 2 and "not supported" in err
    assert server.requests == []


def test_github_repository_from_env_and_fail_on(github_api, report_file, monkeypatch, capsys):
    _, server = github_api
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/shop")
    code, _, err = run(["post", "github", "--report", str(report_file), "--pr", "7", "--api-url", server.url,
                        "--fail-on", "high"], capsys)
    assert code == 1, err
    assert len(server.requests) == 1


def test_post_scans_paths_itself_and_dry_run_prints_the_body(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "client.py").write_text("import requests\nrequests.get(u, timeout=3, verify=False)\n")
    code, out, err = run(["post", "github", "client.py", "--select", "SR307", "--pr", "7", "--dry-run"], capsys)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["comments"] == [] and payload["event"] == "COMMENT"
    assert "`client.py:2`" in payload["body"]
    assert "requests.get(u, timeout=3, verify=True)" in payload["body"]


# --- Gerrit -------------------------------------------------------------------------------------------


def gerrit_args(report_file: Path, server_url: str, change: str = "42", *extra: str) -> list[str]:
    return ["post", "gerrit", "--report", str(report_file), "--url", server_url, "--change", change, *extra]


def test_gerrit_review_is_posted_and_the_xssi_prefix_stripped(gerrit_api, report_file, monkeypatch, capsys):
    _, server = gerrit_api
    monkeypatch.setenv("GERRIT_USER", "bot")
    monkeypatch.setenv("GERRIT_HTTP_PASSWORD", PASSWORD)
    code, _, err = run(gerrit_args(report_file, server.url, "42", "--vote", "--notify", "OWNER"), capsys)
    assert code == 0, err
    assert 'posted review to change 42 revision current (2 comments, labels {"Code-Review": -1})' in err
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/a/changes/42/revisions/current/review")
    assert request.headers["authorization"] == "Basic " + base64.b64encode(f"bot:{PASSWORD}".encode()).decode()
    payload = request.json()
    assert payload == gerrit_format.review_input(sample_report(), vote=True, notify="OWNER")
    assert [c["line"] for c in payload["comments"]["app/client.py"]] == [12, 40]
    assert "lib/util.py:3" in payload["message"]


def test_gerrit_errors_are_reported_with_gerrit_text(gerrit_api, report_file, monkeypatch, capsys):
    _, server = gerrit_api
    monkeypatch.setenv("GERRIT_USER", "bot")
    monkeypatch.setenv("GERRIT_HTTP_PASSWORD", "wrong")
    code, _, err = run(gerrit_args(report_file, server.url), capsys)
    assert code == 2 and "Gerrit answered 401: Unauthorized — check GERRIT_USER and GERRIT_HTTP_PASSWORD" in err
    monkeypatch.setenv("GERRIT_HTTP_PASSWORD", PASSWORD)
    code, _, err = run(gerrit_args(report_file, server.url, "43"), capsys)
    assert code == 2 and "Gerrit answered 404: Not found: 43 — check --change and --revision" in err
    code, _, err = run(gerrit_args(report_file, server.url, "shop~main~I8473b95"), capsys)
    assert code == 2 and "Gerrit answered 409: change is closed" in err
    assert server.requests[-1].path == "/a/changes/shop~main~I8473b95/revisions/current/review"


def test_gerrit_rejects_comments_on_files_outside_the_revision(gerrit_api, tmp_path, monkeypatch, capsys):
    _, server = gerrit_api
    monkeypatch.setenv("GERRIT_USER", "bot")
    monkeypatch.setenv("GERRIT_HTTP_PASSWORD", PASSWORD)
    plain = Report(findings=(finding("other.py", 2),), errors=(), pillars=(), stats=Stats(files=1, reviewed=1))
    path = tmp_path / "plain.json"
    path.write_text(json_format.render(plain))
    code, _, err = run(gerrit_args(path, server.url, "42", "--revision", "3"), capsys)
    assert code == 2 and "Gerrit answered 400: file other.py not found in revision" in err
    assert server.requests[-1].path == "/a/changes/42/revisions/3/review"


def test_gerrit_needs_credentials_and_url(report_file, capsys):
    code, _, err = run(gerrit_args(report_file, "http://127.0.0.1:9"), capsys)
    assert code == 2 and "GERRIT_USER and GERRIT_HTTP_PASSWORD must both be set" in err
    code, _, err = run(["post", "gerrit", "--report", str(report_file), "--change", "42"], capsys)
    assert code == 2 and "--url is required (or set GERRIT_URL)" in err


# --- pre-commit hook ----------------------------------------------------------------------------------


def test_pre_commit_hook_definition():
    import yaml

    root = Path(__file__).resolve().parent.parent
    hooks = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    assert {k: hook[k] for k in ("id", "entry", "language", "types", "require_serial")} == {
        "id": "secreview", "entry": "secreview scan", "language": "python", "types": ["python"],
        "require_serial": False}
    assert hook["name"] and hook["description"]
    program, *args = hook["entry"].split()
    assert program == "secreview"
    assert cli.build_parser().parse_args([*args, "a.py", "b.py"]).paths == ["a.py", "b.py"]


def test_scan_takes_many_file_arguments_like_pre_commit_passes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    names = [f"pkg/mod_{n:03}.py" for n in range(120)]
    for name in names:
        (tmp_path / "pkg").mkdir(exist_ok=True)
        (tmp_path / name).write_text(f"def f{name[-6:-3]}(x):\n    return x + 1\n")
    (tmp_path / names[77]).write_text("import requests\n\nrequests.get(u, timeout=3, verify=False)\n")
    code = cli.main(["scan", "--format", "json", "--select", "SR307", *names])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["stats"]["files"] == 120 and data["stats"]["reviewed"] == 120
    assert [(f["path"], f["line"], f["rule"]) for f in data["findings"]] == [("pkg/mod_077.py", 3, "SR307")]
    code = cli.main(["scan", "--select", "SR307", *names[:77]])
    assert code == 0
    assert capsys.readouterr().out.rstrip().endswith("No security defects are detected in the code.")


def test_post_as_a_gate_never_passes_an_unfinished_review(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text("def f(:\n")
    base = ["post", "github", "--pr", "1", "--dry-run", "--fail-on", "low"]
    code, _, err = run([*base, "nonexistent_dir"], capsys)
    assert (code, err) == (2, "secreview: error: nonexistent_dir: no such file or directory\n")
    code, _, err = run([*base, "bad.py"], capsys)
    assert code == 2 and "the review is incomplete: 1 file could not be reviewed" in err
    assert run([*base, "bad.py", "--allow-incomplete"], capsys)[0] == 0
    assert run(["post", "github", "--pr", "1", "--dry-run", "bad.py"], capsys)[0] == 0  # no gate: posting was the job
