"""A review's cost stays linear in the size of a file (issue 12): per-function or per-name work never
scans the whole module. Pinned by counting passes over the module's structures, not by timing; and the
shortcuts that make this so are checked to change no flow, summary or trace."""

from __future__ import annotations

import ast
import textwrap

import pytest

from conftest import FIXTURES, ROOT
from secreview.analysis.context import FileContext
from secreview.engine import review_text
from secreview.rules._crypto import values
from secreview.ruleset import load_rules
from secreview.source import parse
from secreview.taint import state as taint_state
from secreview.taint.flow import FunctionAnalysis
from secreview.taint.labels import label_to_list
from secreview.taint.module import ModuleAnalysis
from secreview.taint.rules import spec_index
from secreview.taint.summaries import ProjectSummaries

RULES = load_rules()
ssh_rule = next(r.meta.code for r in RULES if r.meta.name == "ssh-host-key-not-verified")


class CountingList(list):
    """A list that counts the passes made over it."""

    passes = 0

    def __iter__(self):
        type(self).passes += 1
        return super().__iter__()


class CountingEnv(dict):
    """An environment that counts the scans made over all its keys."""

    scans = 0

    def __iter__(self):
        CountingEnv.scans += 1
        return super().__iter__()

    def items(self):
        CountingEnv.scans += 1
        return super().items()


def _context(text: str, path: str = "app.py") -> FileContext:
    parsed, error = parse(text, path)
    assert error is None and parsed is not None
    return FileContext(path, parsed.source, parsed.tree)


def _module(functions: int) -> str:
    """A handler module with `functions` helpers that call each other, and a dict literal
    (which gives the module body element keys)."""
    parts = ["import subprocess\nfrom flask import request\n\nLIMITS = {'default': 10, 'max': 100}\n"]
    for i in range(functions):
        parts.append(textwrap.dedent(f"""
            def helper_{i}(cmd):
                return subprocess.run(cmd + str(LIMITS['max']), shell=True)

            def view_{i}():
                arg = request.args.get('q')
                return helper_{max(i - 1, 0)}(arg)
            """))
    return "".join(parts)


@pytest.mark.parametrize("functions", [5, 40])
def test_a_module_run_passes_over_its_units_a_fixed_number_of_times(functions, monkeypatch):
    # The summary kept only units' functions with a set of unit names rebuilt for every function:
    # a pass over all units per function.
    ctx = _context(_module(functions))
    analysis = ModuleAnalysis(ctx, "app", spec_index(), ProjectSummaries())
    monkeypatch.setattr(CountingList, "passes", 0)
    analysis.units = CountingList(analysis.units)
    summary, flows = analysis.run(need_summary=True)
    assert len(flows) == functions  # each view's argument reaches a shell through a helper
    assert len(summary.functions) == 2 * functions
    assert CountingList.passes <= 6  # fixpoint rounds and the final summary, whatever the size


def _element_analysis(text: str) -> FunctionAnalysis:
    ctx = _context(text)
    analysis = FunctionAnalysis(ModuleAnalysis(ctx, "app", spec_index(), ProjectSummaries()), ctx.tree,
                                "<module>", None)
    analysis.run()
    assert analysis.state.has_elements  # `LIMITS`'s literal keys are tracked: the scans were armed
    return analysis


def test_reading_or_rebinding_a_plain_name_does_not_scan_the_environment(monkeypatch):
    analysis = _element_analysis("LIMITS = {'default': 10}\nsize = 1\n")
    env = CountingEnv({"LIMITS": {}, "LIMITS['default']": {}, "size": {}, **{f"name_{i}": {} for i in range(50)}})
    name = ast.Name(id="size", ctx=ast.Load(), lineno=2, col_offset=0)
    monkeypatch.setattr(CountingEnv, "scans", 0)
    analysis.reads.read_path("size", name, env)
    analysis.state.drop_elements("size", env)
    assert CountingEnv.scans == 0
    # a name with element keys is still scanned for them, and rebinding it drops them
    analysis.reads.read_path("LIMITS", ast.Name(id="LIMITS", ctx=ast.Load(), lineno=1, col_offset=0), env)
    analysis.state.drop_elements("LIMITS", env)
    assert CountingEnv.scans == 2
    assert "LIMITS['default']" not in env and "size" in env


def test_the_guard_of_a_helper_flow_is_found_without_a_walk_per_flow(monkeypatch):
    # `_validated` looked for the real sink call inside the helper by walking every node of the
    # file, once for every flow that goes through a helper.
    def handlers(n: int) -> str:
        head = "import os\nfrom flask import request\n\n"
        return head + "".join(textwrap.dedent(f"""
            def read_{i}(name):
                with open(os.path.join('/srv', name)) as handle:
                    return handle.read()

            def view_{i}():
                return read_{i}(request.args['f'])
            """) for i in range(n))

    walks: list[int] = []
    real = FileContext.tree_nodes

    def counted(self):
        walks.append(1)
        return real(self)

    monkeypatch.setattr(FileContext, "tree_nodes", counted)
    counts = []
    for n in (2, 8):
        walks.clear()
        result = review_text("app.py", handlers(n), RULES)
        assert [f.line for f in result.findings if f.rule == "SR210"] == [10 + 7 * i for i in range(n)]
        counts.append(len(walks))
    assert counts[0] == counts[1]


def test_a_class_is_walked_a_fixed_number_of_times_however_many_methods_read_its_constants(monkeypatch):
    # `class_constant` (`self.KEY` -> the class body's `KEY = ...`) walked the whole class for every
    # read it resolved: quadratic in the size of a class with many methods.
    def service(n: int) -> str:
        methods = "".join(f"\n    def run_{i}(self):\n        subprocess.run(self.COMMAND_{i % 3})\n" for i in range(n))
        return ("import subprocess\n\nclass Service:\n    COMMAND_0 = 'ls'\n"
                "    COMMAND_1 = 'ssh -o StrictHostKeyChecking=no h'\n    COMMAND_2 = 'df'\n" + methods)

    class_walks: list[int] = []
    real_ast_walk, real_walk = ast.walk, values.walk

    def counting(real):
        def walk(node):
            if isinstance(node, ast.ClassDef):
                class_walks.append(1)
            return real(node)
        return walk

    monkeypatch.setattr(ast, "walk", counting(real_ast_walk))
    monkeypatch.setattr(values, "walk", counting(real_walk))
    counts = []
    for n in (3, 12):
        class_walks.clear()
        result = review_text("svc.py", service(n), RULES)
        assert [f.line for f in result.findings if f.rule == ssh_rule] == [9 + 3 * i for i in range(1, n, 3)]
        counts.append(len(class_walks))
    assert counts[0] == counts[1]


def test_calls_on_line_are_the_calls_of_the_walk_in_walk_order():
    ctx = _context("f(g(1), h(2))\nx = 1\nk(\n  m())\n")
    for line in range(1, 6):
        expected = [n for n in ctx.tree_nodes() if isinstance(n, ast.Call) and n.lineno == line]
        assert ctx.calls_on_line(line) == expected
    assert [n.func.id for n in ctx.calls_on_line(1)] == ["f", "g", "h"]


# -- the shortcuts change nothing -------------------------------------------------------------

class Everything(set):
    """`compound_roots` that answers yes for every path: the environment scans of before."""

    def __contains__(self, item: object) -> bool:
        return True


def _analysis_result(ctx: FileContext) -> tuple:
    summary, flows = ModuleAnalysis(ctx, "pkg.app", spec_index(), ProjectSummaries()).run(need_summary=True)
    functions = {name: (f.shape(), [(p, label_to_list(label)) for p, label in sorted(f.stores.items())],
                        [(key[0], sorted(key[1]), key[2].call, [(s.line, s.note) for s in steps])
                         for key, steps in f.sinks.items()], label_to_list(f.returns))
                 for name, f in summary.functions.items()}
    attributes = {c: {a: label_to_list(label) for a, label in attrs.items()}
                  for c, attrs in summary.class_attributes.items()}
    return functions, attributes, [
        (f.sink_node.lineno, f.sink_node.col_offset, f.source_kind, f.sink_kind, f.sink.call,
         f.arg_node.lineno, f.arg_node.col_offset, tuple((s.path, s.line, s.column, s.note) for s in f.trace))
        for f in flows]


SOURCES = sorted([*(FIXTURES / "taint").rglob("*.py"), *(FIXTURES / "rules").glob("*.py"),
                  *(ROOT / "bench" / "corpus").rglob("*.py")])


def test_skipping_environment_scans_changes_no_flow_summary_or_trace(monkeypatch):
    real_init = taint_state.FunctionState.__init__

    def scanning_init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self.compound_roots = Everything()

    compared = 0
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        parsed, error = parse(text, path.name)
        if error or parsed is None:
            continue
        fast = _analysis_result(FileContext(path.name, parsed.source, parsed.tree))
        with monkeypatch.context() as patch:
            patch.setattr(taint_state.FunctionState, "__init__", scanning_init)
            parsed_again, _ = parse(text, path.name)
            assert parsed_again is not None
            slow = _analysis_result(FileContext(path.name, parsed_again.source, parsed_again.tree))
        assert fast == slow, path
        compared += 1
    assert compared > 300


def test_callee_first_order_does_not_link_every_method_of_a_shared_name(monkeypatch):
    """Units are ordered callee first; a method name many classes share (`run`) links a method only to its
    own class's method, so the edges examined grow with the module, not with its square."""
    from secreview.taint import units

    classes = "\n".join(f"class C{i}:\n    def run(self):\n        return self.helper()\n\n"
                        f"    def helper(self):\n        return run_all()\n" for i in range(300))
    source = f"def run_all():\n    return 1\n\n\n{classes}"
    ctx = FileContext("m.py", source, ast.parse(source), frozenset())
    analysis = ModuleAnalysis(ctx, "m", spec_index(), ProjectSummaries())
    examined = []

    def counting_sorted(items, **kwargs):
        items = list(items)
        examined.append(len(items))
        return sorted(items, **kwargs)

    monkeypatch.setattr(units, "sorted", counting_sorted, raising=False)
    order = units.callee_first(ctx, analysis.units)
    assert sum(examined) <= 3 * len(analysis.units)
    names = [u.name for u in order]
    assert names.index("run_all") < names.index("C7.helper") < names.index("C7.run")
