"""Local stand-ins for the GitHub and Gerrit review APIs, for tests that post reviews.

`LocalServer` is a threaded `http.server` on 127.0.0.1 (port 0: the OS picks a free one) that records
every request and answers through a `respond(request) -> Reply` function. `GitHubApi` and `GerritApi`
are such functions: they check method, path, authentication and the payload's shape the way the real
service does, and answer with its success and error bodies. Start and stop servers with the
`local_server` context manager (tests wrap it in fixtures).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int
    body: bytes | str | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode(), "application/json; charset=utf-8"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return self.body, "application/octet-stream"


class LocalServer:
    def __init__(self, respond: Callable[[Request], Reply]):
        self.respond = respond
        self.requests: list[Request] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                  self.rfile.read(length))
                server.requests.append(request)
                reply = server.respond(request)
                data, content_type = reply.encoded()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.get("Content-Type", content_type))
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@contextmanager
def local_server(respond: Callable[[Request], Reply]) -> Iterator[LocalServer]:
    server = LocalServer(respond)
    server.start()
    try:
        yield server
    finally:
        server.stop()


GITHUB_DOCS = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"


@dataclass
class GitHubApi:
    """`POST /repos/{owner}/{repo}/pulls/{number}/reviews` for one pull request whose diff covers
    `diff` ({path: lines of the new file inside the hunks})."""

    repo: str
    number: int
    token: str
    diff: dict[str, set[int]]
    # Replies served before the normal answer (e.g. a 503 with Retry-After), one per request.
    queued: list[Reply] = field(default_factory=list)

    def __call__(self, request: Request) -> Reply:
        if self.queued:
            return self.queued.pop(0)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest",
                               "status": "401"})
        if request.method != "POST" or request.path != f"/repos/{self.repo}/pulls/{self.number}/reviews":
            return Reply(404, {"message": "Not Found", "documentation_url": GITHUB_DOCS, "status": "404"})
        if request.headers.get("accept") != "application/vnd.github+json":
            return Reply(415, {"message": "Unsupported Media Type", "status": "415"})
        try:
            payload = request.json()
        except ValueError:
            return Reply(400, {"message": "Problems parsing JSON", "status": "400"})
        problems = self.problems(payload)
        if problems:
            return Reply(422, {"message": "Unprocessable Entity", "errors": problems,
                               "documentation_url": GITHUB_DOCS, "status": "422"})
        state = {"COMMENT": "COMMENTED", "REQUEST_CHANGES": "CHANGES_REQUESTED"}[payload["event"]]
        return Reply(200, {"id": 80, "node_id": "PRR_kwDOAAABbc4AAAAQ", "user": {"login": "secreview-bot"},
                           "body": payload["body"], "state": state, "commit_id": payload.get("commit_id", "ecdd80"),
                           "html_url": f"https://github.com/{self.repo}/pull/{self.number}#pullrequestreview-80"})

    def problems(self, payload: object) -> list[str]:
        if not isinstance(payload, dict):
            return ["Invalid request.\n\nFor 'links/0/schema', nil is not an object."]
        out = []
        if payload.get("event") not in ("COMMENT", "REQUEST_CHANGES"):
            out.append(f"Invalid event {payload.get('event')!r}")
        if not isinstance(payload.get("body"), str) or len(payload["body"]) > 65_536:
            out.append("body is missing or too long (maximum is 65536 characters)")
        for comment in payload.get("comments", []):
            keys = set(comment)
            allowed = {"path", "line", "side", "start_line", "start_side", "body"}
            if not keys <= allowed or comment.get("side") != "RIGHT":
                out.append(f"Invalid comment keys {sorted(keys)}")
                continue
            lines = self.diff.get(comment["path"], set())
            span = range(comment.get("start_line", comment["line"]), comment["line"] + 1)
            if "start_line" in comment and (comment["start_line"] >= comment["line"] or
                                            comment.get("start_side") != "RIGHT"):
                out.append("Pull request review thread start line must precede the end line")
            elif not all(n in lines for n in span):
                out.append("Pull request review thread line must be part of the diff and Pull request review "
                           "thread diff hunk can't be blank")
        return out


@dataclass
class GerritApi:
    """`POST /a/changes/{change}/revisions/{revision}/review` for the changes in `files`
    ({change: paths in its current revision}); changes in `closed` answer 409."""

    user: str
    password: str
    files: dict[str, set[str]]
    closed: set[str] = field(default_factory=set)
    queued: list[Reply] = field(default_factory=list)

    def __call__(self, request: Request) -> Reply:
        if self.queued:
            return self.queued.pop(0)
        expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return Reply(401, "Unauthorized")
        parts = request.path.split("/")
        if request.method != "POST" or len(parts) != 7 or parts[1:3] != ["a", "changes"] or parts[4] != "revisions" \
                or parts[6] != "review":
            return Reply(404, "Not Found")
        change = parts[3].replace("%7E", "~")
        if change not in self.files:
            return Reply(404, f"Not found: {change}")
        if change in self.closed:
            return Reply(409, "change is closed")
        try:
            payload = request.json()
        except ValueError:
            return Reply(400, "Invalid JSON")
        problem = self.problem(payload, self.files[change])
        if problem:
            return Reply(400, problem)
        answer = {"labels": payload["labels"]} if payload.get("labels") else {}
        return Reply(200, (")]}'\n" + json.dumps(answer)).encode(), {"Content-Type": "application/json"})

    @staticmethod
    def problem(payload: object, paths: set[str]) -> str | None:
        if not isinstance(payload, dict) or not isinstance(payload.get("message"), str):
            return "message required"
        for path, comments in payload.get("comments", {}).items():
            if path not in paths:
                return f"file {path} not found in revision"
            for c in comments:
                if not isinstance(c.get("line"), int) or c["line"] < 1 or not isinstance(c.get("message"), str):
                    return f"invalid comment on {path}"
                r = c.get("range")
                if r is not None and (r["start_line"] > r["end_line"] or r["end_line"] != c["line"]):
                    return f"range invalid for comment on {path}"
        for label, value in payload.get("labels", {}).items():
            if label != "Code-Review" or value not in (-2, -1, 0, 1, 2):
                return f"label \"{label}\" is not a configured label"
        return None
