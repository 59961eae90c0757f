"""The team's dev corpus (bench/corpus) stays well-formed: every sample parses, every
label points at a code line, and every pair has one vulnerable and one safe side."""

from __future__ import annotations

import ast
import io
import tokenize
from collections import Counter

from conftest import ROOT
from secreview.bench.datasets import load_dataset

CORPUS = ROOT / "bench" / "corpus"


def _code_lines(source: str) -> set[int]:
    lines = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                            tokenize.ENDMARKER):
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return lines


def test_corpus_is_well_formed():
    dataset = load_dataset(CORPUS)
    assert len(dataset.labels) >= 336
    sides = Counter((label.pair, label.polarity) for label in dataset.labels)
    pairs = {pair for pair, _ in sides}
    assert all(sides[(pair, "vuln")] == 1 and sides[(pair, "safe")] == 1 for pair in pairs)
    cache: dict[str, set[int]] = {}
    for label in dataset.labels:
        if label.file not in cache:
            source = (CORPUS / label.file).read_text(encoding="utf-8")
            ast.parse(source)
            cache[label.file] = _code_lines(source)
        assert set(label.lines) <= cache[label.file], (label.file, label.lines)
    assert len({label.type for label in dataset.labels}) >= 12
