"""Review one file: read, decode, parse once, walk once, run the rules, ground
every hit in the source, and apply suppressions.

A file that cannot be reviewed yields an error and no findings — never a silent
pass. A rule that crashes is reported as an internal error for that file, and the
other rules' findings are kept.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from secreview import suppress
from secreview.analysis.code import is_test_module, test_scopes
from secreview.analysis.context import FileContext
from secreview.cwe import Catalog, load_catalog
from secreview.fingerprint import fingerprint
from secreview.model import PILLARS, FileError, Finding, Suppression
from secreview.overlap import Overlaps, pattern_hits_kept, resolve
from secreview.ruleset import Hit, Rule, wanted_nodes
from secreview.source import SourceFile, decode, parse, read_source
from secreview.taint.result import TaintResult
from secreview.taint.rules import TaintSetup, single_module_setup, taint_hits, taint_result

if TYPE_CHECKING:
    from secreview.taint.questions import Recorded

MAX_SNIPPET_LINES = 8


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    suppressed: int = 0
    unused_suppressions: list[Suppression] = field(default_factory=list)
    lines: int = 0
    reviewed: bool = False
    # the recorded answers of the project's summaries this review read; kept beside the cached result, not in it
    depends: Recorded | None = None


def review_file(file: SourceFile, rules: tuple[Rule, ...], max_bytes: int,
                taint: TaintSetup | None = None) -> FileResult:
    data, error = read_source(file, max_bytes)
    if error:
        return FileResult(file.display, errors=[error])
    return review_bytes(file.display, data or b"", rules, taint)


def review_bytes(display: str, data: bytes, rules: tuple[Rule, ...], taint: TaintSetup | None = None) -> FileResult:
    text, error = decode(data, display)
    if error or text is None:
        return FileResult(display, errors=[error] if error else [])
    return review_text(display, text, rules, taint)


def review_text(display: str, text: str, rules: tuple[Rule, ...], taint: TaintSetup | None = None) -> FileResult:
    """`taint`: the file's module name and its project's summaries, from the project phase of
    `api.review`; without it, taint rules see this file as a project of one module."""
    # lines as an editor counts them: a final newline ends the last line, it does not start another
    result = FileResult(display, lines=text.count("\n") + (1 if text and not text.endswith("\n") else 0))
    wanted = wanted_nodes(rules)
    ctx = taint.context if taint is not None else None
    if ctx is None or ctx.path != display or ctx.source != text or not wanted <= ctx.nodes_by_type.keys():
        parsed, error = parse(text, display)
        if error or parsed is None:
            if error:
                result.errors.append(error)
            return result
        ctx = FileContext(display, parsed.source, parsed.tree, wanted)
    catalog = load_catalog()
    comments = suppress.find_comments(text)
    seen: set[tuple[str, int, int, int]] = set()
    found, flows = _taint_hits(ctx, rules, taint, result)
    silenced: list[Finding] = []  # findings suppression comments silenced
    for rule in rules:
        try:
            # Taint hits first: where a rule's pattern part flags the same place, the traced one is kept.
            hits = flows.get(rule.meta.code, [])
            if rule.applies(ctx):  # the pattern part; skipped where the file lacks what every hit needs
                pattern = [hit for kind in rule.nodes for node in ctx.nodes_by_type.get(kind, ())
                           for hit in rule.check(node, ctx)]
                hits = hits + pattern_hits_kept(ctx, rule, pattern, found, taint)
        except (RecursionError, MemoryError) as exc:
            result.errors.append(FileError(display, "internal", f"{display}: rule {rule.meta.code} stopped: {exc!r}"))
            continue
        except Exception as exc:  # a rule bug must not hide the other rules' findings
            result.errors.append(
                FileError(display, "internal", f"{display}: rule {rule.meta.code} failed: {type(exc).__name__}: {exc}")
            )
            continue
        for hit in hits:
            finding = ground(hit, rule, ctx, catalog)
            key = (finding.rule, finding.line, finding.column, finding.end_line)
            if key in seen:
                continue
            seen.add(key)
            lines = suppression_lines(ctx, hit.node)
            if suppress.match(comments, lines, rule.meta.code, rule.meta.name, rule.meta.bandit):
                result.suppressed += 1
                silenced.append(finding)
                continue
            result.findings.append(finding)
    if silenced:  # a suppression carries over to the traced finding that restates the silenced one
        outcome = resolve(result.findings, Overlaps.of(rules), silenced)
        result.findings = outcome.kept
        result.suppressed += len(outcome.dropped)
    result.unused_suppressions = suppress.unused(comments, display, rules)
    if result.findings and is_test_module(ctx):  # a fact about the file; the run's policy decides (policy.py)
        result.findings = [replace(f, test_code=True) for f in result.findings]
    elif result.findings and (spans := test_scopes(ctx)):  # a test function in a module of other code
        result.findings = [replace(f, test_code=True) if any(a <= f.line <= b for a, b in spans) else f
                           for f in result.findings]
    result.findings.sort(key=lambda f: f.sort_key)
    result.reviewed = True
    return result


def _taint_hits(ctx: FileContext, rules: tuple[Rule, ...], taint: TaintSetup | None,
                result: FileResult) -> tuple[TaintResult | None, dict[str, list[Hit]]]:
    """What data flow found in this file (None when no taint rule runs or the engine failed) and the
    taint rules' hits by rule code; an engine failure is this file's internal error (the pattern
    rules' findings are kept, and the file is not reported clean of taint)."""
    if not any(rule.taint is not None for rule in rules):
        return None, {}
    by_rule: dict[str, list[Hit]] = {}
    try:
        found = taint_result(ctx, taint if taint is not None else single_module_setup(ctx))
        for rule, hit in taint_hits(ctx, found, rules):
            by_rule.setdefault(rule.meta.code, []).append(hit)
    except (RecursionError, MemoryError) as exc:
        result.errors.append(FileError(ctx.path, "internal", f"{ctx.path}: taint analysis stopped: {exc!r}"))
        return None, {}
    except Exception as exc:  # an engine bug must not hide the pattern rules' findings
        result.errors.append(
            FileError(ctx.path, "internal", f"{ctx.path}: taint analysis failed: {type(exc).__name__}: {exc}"))
        return None, {}
    return found, by_rule


def suppression_lines(ctx: FileContext, node: ast.AST) -> range:
    """The lines where a suppression comment covers this node: its statement (the
    header only, for compound statements), widened to the node itself."""
    start = getattr(node, "lineno", 1)
    end = getattr(node, "end_lineno", start) or start
    stmt = ctx.statement_of(node)
    if stmt is not None:
        body = getattr(stmt, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt) and not isinstance(node, ast.stmt):
            header_end = max(stmt.lineno, body[0].lineno - 1)
            start, end = min(start, stmt.lineno), max(end, min(header_end, stmt.end_lineno or header_end))
        else:
            first = min((d.lineno for d in getattr(stmt, "decorator_list", ())), default=stmt.lineno)
            start = min(start, first)
            last = stmt.end_lineno or stmt.lineno
            if isinstance(body, list) and body:
                last = max(stmt.lineno, body[0].lineno - 1)
            end = max(end, last)
    return range(start, end + 1)


def ground(hit: Hit, rule: Rule, ctx: FileContext, catalog: Catalog) -> Finding:
    """Turn a hit into a Finding whose location and snippet are read from the file."""
    meta = rule.meta
    node = hit.node
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.While,
                         ast.With, ast.Try)):
        end_line = line  # a block is located at its header, not its whole body
    column = ctx.char_column(line, getattr(node, "col_offset", 0))
    end_offset = getattr(node, "end_col_offset", None)
    end_column = ctx.char_column(end_line, end_offset) if end_offset is not None and end_line == getattr(
        node, "end_lineno", None) else len(ctx.line_text(end_line)) + 1
    snippet = "\n".join(ctx.lines[line - 1 : min(end_line, line + MAX_SNIPPET_LINES - 1)])
    entry = catalog.get(meta.cwe)
    pillar = entry.pillar if entry and entry.pillar else 0
    return Finding(
        rule=meta.code,
        name=meta.name,
        title=meta.title,
        cwe=meta.cwe,
        cwe_name=entry.name if entry else "",
        pillar=pillar,
        pillar_name=PILLARS.get(pillar, ""),
        type=meta.type,
        severity=hit.severity or meta.severity,
        confidence=hit.confidence or meta.confidence,
        path=ctx.path,
        line=line,
        end_line=end_line,
        column=column,
        end_column=end_column,
        snippet=snippet,
        message=hit.message,
        fix=hit.fix or meta.fix,
        fingerprint=fingerprint(meta.code, ctx.path, ctx.scope_name(node), snippet),
        trace=hit.trace,
        suggestion=suggestion(hit, ctx, line, end_line),
    )


def suggestion(hit: Hit, ctx: FileContext, line: int, end_line: int) -> str:
    """The full text of lines line..end_line with `hit.rewrite`'s node replaced; "" when the
    rule gave no rewrite or the node does not lie within those lines (a partial rewrite would be wrong)."""
    if hit.rewrite is None:
        return ""
    node, replacement = hit.rewrite
    start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    if start is None or end is None or col is None or end_col is None or start < line or end > end_line:
        return ""
    if end_line > len(ctx.lines):
        return ""
    first = ctx.lines[start - 1].encode()
    last = ctx.lines[end - 1].encode()
    rewritten = (first[:col] + replacement.encode() + last[end_col:]).decode("utf-8", "replace")
    return "\n".join([*ctx.lines[line - 1 : start - 1], rewritten, *ctx.lines[end : end_line]])
