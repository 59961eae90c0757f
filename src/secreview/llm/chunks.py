"""Split a file into parts that fit the prompt token budget, keeping the file's own line numbers.

A file that fits is sent whole. A larger one is split by top-level statement: each function or class is
a part of its own (a class too big for the budget is split by its methods, each sent under the class
header), and runs of other top-level statements are grouped. Every part carries the file's imports and,
for a method, its enclosing class header as context, shown with their real line numbers. A part that
still exceeds the budget is not sent; the caller reports it as not reviewed by the LLM.

Tokens are estimated at four characters each (plus a little per line for the number), which is close
enough for code under common tokenizers and needs no model-specific library.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

CHARS_PER_TOKEN = 4
PROMPT_OVERHEAD = 700  # tokens the template text itself takes, roughly


@dataclass(frozen=True, slots=True)
class Chunk:
    path: str
    start: int  # first and last line of the part under review (1-based, inclusive)
    end: int
    context: tuple[int, ...]  # lines shown before it for context (imports, class header)
    whole: bool  # the whole file

    @property
    def lines(self) -> range:
        return range(self.start, self.end + 1)

    @property
    def label(self) -> str:
        return "whole file" if self.whole else f"lines {self.start}-{self.end}"


def estimate_tokens(text: str) -> int:
    return (len(text) + 2 * text.count("\n")) // CHARS_PER_TOKEN + 1


def file_lines(text: str) -> list[str]:
    """Lines as the verifier's code index numbers them (only \\n, \\r\\n and \\r end a line)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def numbered(lines: list[str], chunk: Chunk) -> str:
    """The listing the model sees: context lines, a gap marker, then the part, each as `N | code`."""
    width = len(str(chunk.end))
    shown = [n for n in chunk.context if n < chunk.start] + list(chunk.lines)
    out: list[str] = []
    previous = 0
    for n in shown:
        if previous and n != previous + 1:
            out.append(" " * width + " | ...")
        out.append(f"{str(n).rjust(width)} | {lines[n - 1]}")
        previous = n
    return "\n".join(out)


def split(text: str, path: str, budget: int) -> tuple[list[Chunk], list[Chunk]]:
    """(parts to send, parts over the budget). `budget` counts prompt tokens for the whole request."""
    lines = file_lines(text)
    if not lines:
        return [], []
    whole = Chunk(path, 1, len(lines), (), True)
    if _cost(lines, whole) <= budget:
        return [whole], []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return [], [whole]  # cannot find function boundaries; never send a blindly cut part
    imports = tuple(n for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
                    for n in _span(node))
    fits: list[Chunk] = []
    over: list[Chunk] = []
    for start, end, context in _parts(tree, lines, imports, budget):
        chunk = Chunk(path, start, end, context, False)
        (fits if _cost(lines, chunk) <= budget else over).append(chunk)
    return fits, over


def _cost(lines: list[str], chunk: Chunk) -> int:
    return estimate_tokens(numbered(lines, chunk)) + PROMPT_OVERHEAD


def _span(node: ast.stmt) -> range:
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
    return range(first, (node.end_lineno or node.lineno) + 1)


def _parts(tree: ast.Module, lines: list[str], imports: tuple[int, ...], budget: int):
    """Yield (start, end, context) per part; loose top-level statements are grouped in runs."""
    run: list[range] = []

    def flush():
        if run:
            yield run[0].start, run[-1].stop - 1, imports
            run.clear()

    for node in tree.body:
        span = _span(node)
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue  # shown as context everywhere
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from flush()
            whole = Chunk("", span.start, span.stop - 1, imports, False)
            if isinstance(node, ast.ClassDef) and _cost(lines, whole) > budget:
                yield from _class_parts(node, imports)
            else:
                yield span.start, span.stop - 1, imports
            continue
        candidate = run + [span]
        if run and _cost(lines, Chunk("", candidate[0].start, span.stop - 1, imports, False)) > budget:
            yield from flush()
        run.append(span)
    yield from flush()


def _class_parts(node: ast.ClassDef, imports: tuple[int, ...]):
    body_start = _span(node.body[0]).start
    header = tuple(range(_span(node).start, body_start))
    context = imports + header
    loose: list[range] = []
    for child in node.body:
        span = _span(child)
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if loose:
                yield loose[0].start, loose[-1].stop - 1, context
                loose = []
            yield span.start, span.stop - 1, context
        else:
            loose.append(span)
    if loose:
        yield loose[0].start, loose[-1].stop - 1, context
