"""Parser for the ?filter= query language: (status=active OR status=paused) AND region=eu"""
import re

TOKEN_RE = re.compile(r"\s*(\(|\)|AND|OR|[A-Za-z_][A-Za-z0-9_]*=[^\s()]+)")


class FilterSyntaxError(ValueError):
    pass


def tokenize(text):
    pos, tokens = 0, []
    while pos < len(text.rstrip()):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise FilterSyntaxError("unexpected input at %d" % pos)
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


class Parser(object):
    MAX_NESTING = 20

    def __init__(self, text):
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

    def _peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self):
        node = self.expr()
        if self._peek() is not None:
            raise FilterSyntaxError("trailing input")
        return node

    def expr(self):
        node = self.term()
        while self._peek() in ("AND", "OR"):
            op = self.tokens[self.pos]
            self.pos += 1
            node = (op, node, self.term())
        return node

    def term(self):
        tok = self._peek()
        if tok == "(":
            self.pos += 1
            self.depth += 1
            if self.depth > self.MAX_NESTING:
                raise FilterSyntaxError("filter nested too deeply")
            node = self.expr()
            self.depth -= 1
            if self._peek() != ")":
                raise FilterSyntaxError("missing )")
            self.pos += 1
            return node
        if tok is None or tok in (")", "AND", "OR"):
            raise FilterSyntaxError("expected a condition")
        self.pos += 1
        field, _, value = tok.partition("=")
        return ("EQ", field, value)
