"""Review one file: read, decode, parse once, walk once, run the rules, ground
every hit in the source, and apply suppressions.

A file that cannot be reviewed yields an error and no findings — never a silent
pass. A rule that crashes is reported as an internal error for that file, and the
other rules' findings are kept.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field

from secreview import suppress
from secreview.analysis.context import FileContext
from secreview.cwe import Catalog, load_catalog
from secreview.model import PILLARS, FileError, Finding, Suppression
from secreview.ruleset import Hit, Rule, wanted_nodes
from secreview.source import SourceFile, decode, parse, read_source

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


def review_file(file: SourceFile, rules: tuple[Rule, ...], max_bytes: int) -> FileResult:
    data, error = read_source(file, max_bytes)
    if error:
        return FileResult(file.display, errors=[error])
    return review_bytes(file.display, data or b"", rules)


def review_bytes(display: str, data: bytes, rules: tuple[Rule, ...]) -> FileResult:
    text, error = decode(data, display)
    if error or text is None:
        return FileResult(display, errors=[error] if error else [])
    return review_text(display, text, rules)


def review_text(display: str, text: str, rules: tuple[Rule, ...]) -> FileResult:
    result = FileResult(display, lines=text.count("\n") + 1)
    parsed, error = parse(text, display)
    if error or parsed is None:
        if error:
            result.errors.append(error)
        return result
    ctx = FileContext(display, parsed.source, parsed.tree, wanted_nodes(rules))
    catalog = load_catalog()
    comments = suppress.find_comments(text)
    seen: set[tuple[str, int, int, int]] = set()
    for rule in rules:
        try:
            hits = [hit for kind in rule.nodes for node in ctx.nodes_by_type.get(kind, ()) for hit in
                    rule.check(node, ctx)]
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
                continue
            result.findings.append(finding)
    known = {r.meta.code.upper() for r in rules} | {r.meta.name.upper() for r in rules}
    known |= {b.upper() for r in rules for b in r.meta.bandit}
    result.unused_suppressions = suppress.unused(comments, display, known)
    result.findings.sort(key=lambda f: f.sort_key)
    result.reviewed = True
    return result


def suppression_lines(ctx: FileContext, node: ast.AST) -> range:
    """The lines where a suppression comment covers this node: its statement (the
    header only, for compound statements), widened to the node itself."""
    start = getattr(node, "lineno", 1)
    end = getattr(node, "end_lineno", start) or start
    stmt = ctx.statement_of(node)
    if stmt is not None:
        body = getattr(stmt, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.AST) and not isinstance(node, ast.stmt):
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
    )


def fingerprint(code: str, path: str, scope: str, snippet: str) -> str:
    """Stable across line moves and re-indentation: rule, file, enclosing scope, code text."""
    normalized = re.sub(r"\s+", " ", snippet).strip()
    digest = hashlib.sha256(f"{code}\x1f{path}\x1f{scope}\x1f{normalized}".encode()).hexdigest()
    return digest[:32]
