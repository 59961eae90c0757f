"""`secreview audit`: the run function the CLI dispatches to (the arguments are in secreview/cliargs.py).

Exit codes: 0 the audit ran (flags or not); 1 with `--fail-on-flags` when an answer raised one of those
flags; 2 usage error, or a code, answer or truth file that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secreview.audit import DEFAULT_ALLOWED_CWES, FLAGS, audit
from secreview.audit.report import render
from secreview.audit.truth import TruthError, load_truth
from secreview.cwe import parse_cwe_id
from secreview.output import emit
from secreview.source import decode

EXIT_OK, EXIT_FLAGS, EXIT_ERROR = 0, 1, 2
MAX_CODE_BYTES = 5_000_000
MAX_ANSWER_BYTES = 1_000_000


class _Usage(Exception):
    pass


def run(args: argparse.Namespace) -> int:
    try:
        allowed = _allowed(args.allowed_cwes)
        fail_on = _fail_on(args.fail_on_flags)
        code_text = _read_code(args.code)
        answers = _read_answers(args.answers)
        truth = None
        if args.truth:
            try:
                truth = load_truth(_read_text(args.truth, "truth file"))
            except TruthError as exc:
                raise _Usage(f"{args.truth}: {exc}") from None
    except _Usage as exc:
        print(f"secreview: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    report = audit(code_text, args.code, answers, allowed, truth)
    if not report.code.parsed:
        print(f"secreview: warning: {report.code.error}; checking names and lines as text", file=sys.stderr)
    out = render(report, args.format)
    if not emit(out, args.output):
        return EXIT_ERROR
    if fail_on and any(f.code in fail_on for a in report.answers for f in a.flags):
        return EXIT_FLAGS
    return EXIT_OK


def _allowed(value: str | None) -> tuple[int, ...]:
    if value is None:
        return DEFAULT_ALLOWED_CWES
    if value.strip().lower() in ("any", "all", "none", ""):
        return ()
    try:
        return tuple(dict.fromkeys(parse_cwe_id(v) for v in value.split(",") if v.strip()))
    except ValueError as exc:
        raise _Usage(f"--allowed-cwes: {exc}") from None


def _fail_on(value: str | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    codes = {v.strip() for v in value.split(",") if v.strip()}
    if "all" in codes:
        return frozenset(FLAGS)
    unknown = sorted(codes - set(FLAGS))
    if unknown or not codes:
        raise _Usage(f"--fail-on-flags: unknown flag(s) {', '.join(unknown) or '(none)'}; one of: {', '.join(FLAGS)}")
    return frozenset(codes)


def _read_bytes(path: str, what: str, limit: int) -> bytes:
    try:
        p = Path(path)
        if p.stat().st_size > limit:
            raise _Usage(f"{path}: {what} is over the {limit}-byte limit")
        return p.read_bytes()
    except OSError as exc:
        raise _Usage(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _read_text(path: str, what: str) -> str:
    return _read_bytes(path, what, MAX_ANSWER_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff")


def _read_code(path: str) -> str:
    text, error = decode(_read_bytes(path, "code file", MAX_CODE_BYTES), path)
    if error is not None:
        raise _Usage(error.message)
    assert text is not None
    return text


def _read_answers(paths: list[str]) -> list[tuple[str, str]]:
    if paths.count("-") > 1:
        raise _Usage("stdin (-) can be given only once")
    out = []
    for path in paths:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_ANSWER_BYTES + 1) if hasattr(sys.stdin, "buffer") else \
                sys.stdin.read(MAX_ANSWER_BYTES + 1).encode("utf-8", "replace")
            if len(data) > MAX_ANSWER_BYTES:
                raise _Usage(f"stdin: answer is over the {MAX_ANSWER_BYTES}-byte limit")
            out.append(("-", data.decode("utf-8", errors="replace").lstrip("\ufeff")))
        else:
            out.append((path, _read_text(path, "answer")))
    return out
