"""Unit tests of the taint engine on small snippets, with a hand-made spec (and, at
the end, the built-in specs). Each test asserts the exact (line, source, sink) set."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

from secreview.analysis.context import FileContext
from secreview.taint.engine import ProjectSummaries, analyze, build_project
from secreview.taint.imports import dotted_module
from secreview.taint.loader import build_index, load_builtin_specs
from secreview.taint.module import ModuleAnalysis
from secreview.taint.spec import LibrarySpec, Propagator, Sanitizer, Sink, Source, TypeRule

SPEC = LibrarySpec(
    name="toy",
    imports=("toy", "web", "os", "subprocess", "shlex", "db"),
    sources=(
        Source("toy", "remote_input", attribute="web.Request.args"),
        Source("toy", "remote_input", call="web.Request.body"),
        Source("toy", "cli_input", attribute="sys.argv"),
        Source("toy", "env_input", call="os.getenv"),
        Source("toy", "remote_input", decorated=("web.App.route",)),
    ),
    sinks=(
        Sink("toy", "command", "os.system", args=(0,)),
        Sink("toy", "command", "subprocess.run", args=(0,), keywords=("args",), when=(("shell", True),)),
        Sink("toy", "sql", "db.Cursor.execute", args=(0,), keywords=("sql",)),
        Sink("toy", "html", "web.Response", args=(0,), unless=(("mimetype", "text/plain"),)),
        Sink("toy", "trust_boundary", "web.Session.__setitem__", args=(1,)),
    ),
    sanitizers=(
        Sanitizer("toy", "shlex.quote", frozenset({"command"})),
        Sanitizer("toy", "builtins.int", frozenset({"*"})),
    ),
    propagators=(
        Propagator("toy", "str.format", ("receiver", "args")),
        Propagator("toy", "str.join", ("args",)),
        Propagator("toy", "os.path.join", ("args",)),
    ),
    types=(
        TypeRule("toy", "web.Request", attribute="web.request"),
        TypeRule("toy", "web.Session", attribute="web.session"),
        TypeRule("toy", "web.App", call="web.App"),
        TypeRule("toy", "db.Connection", call="db.connect"),
        TypeRule("toy", "db.Cursor", call="db.Connection.cursor"),
        TypeRule("toy", "web.Request", parameter="req"),
    ),
)
INDEX = build_index([SPEC])


def contexts(files: dict[str, str]) -> dict[str, FileContext]:
    out = {}
    for path, text in files.items():
        source = textwrap.dedent(text).lstrip("\n")
        module = dotted_module(list(Path(path).parts))
        out[module] = FileContext(path, source, ast.parse(source))
    return out


def flows_of(files: dict[str, str], index=INDEX, only: str | None = None) -> set[tuple[str, int, str, str]]:
    mods = contexts(files)
    project = build_project(mods, index)
    found = set()
    for name, ctx in mods.items():
        if only is not None and ctx.path != only:
            continue
        for flow in analyze(ctx, name, index, project).flows:
            found.add((ctx.path, flow.sink_node.lineno, flow.source_kind, flow.sink_kind))
    return found


def one(text: str, index=INDEX) -> set[tuple[int, str, str]]:
    return {(line, src, sink) for _, line, src, sink in flows_of({"app.py": text}, index)}


def test_intra_procedural_precision():
    code = """
        import os, shlex
        from web import request

        def view():
            q = request.args["q"]
            os.system(q)
            os.system("ls")
            x = q
            x = "literal"
            os.system(x)
            if False:
                os.system(q)
            if not True:
                os.system(q)
            os.system(shlex.quote(q))
            os.system(int(q))
            y = q.strip().lower()
            os.system(y)
            os.system(unknown_library_call(q))
            return q
    """
    assert one(code) == {(6, "remote_input", "command"), (18, "remote_input", "command")}


def test_string_building_and_containers():
    code = """
        import os
        from web import request

        def view():
            q = request.args["q"]
            os.system(f"ls {q}")
            os.system("ls %s" % q)
            os.system("ls {}".format(q))
            os.system("ls " + q)
            os.system(" ".join([q]))
            os.system(q[1:])
            d = {"a": q, "b": "const"}
            os.system(d["a"])
            os.system(d["b"])
            os.system(d.get("b"))
            items = ["fixed", q]
            os.system(items[0])
            os.system(items[1])
            a, b = "fixed", q
            os.system(a)
            os.system(b)
            for part in [q]:
                os.system(part)
            os.system([p for p in q.split()][0])
            cmd = "ls "
            cmd += q
            os.system(cmd)
            if (n := q):
                os.system(n)
            with q.strip() as fh:
                os.system(fh)
            e = {}
            e["k"] = q
            os.system(e["other"])
            os.system(e["k"])
    """
    lines = {line for line, _, _ in one(code)}
    assert lines == {6, 7, 8, 9, 10, 11, 13, 18, 21, 23, 24, 27, 29, 31, 35}


def test_branches_join_and_loops_reach_fixpoint():
    code = """
        import os
        from web import request

        def view(flag):
            x = "safe"
            if flag:
                x = request.args["q"]
            os.system(x)
            y = "safe"
            z = "safe"
            while flag:
                os.system(z)
                z = y
                y = request.args["q"]
            if flag:
                w = request.args["q"]
            else:
                w = "a"
                return
            os.system(w)
    """
    assert one(code) == {(8, "remote_input", "command"), (12, "remote_input", "command"),
                         (20, "remote_input", "command")}


def test_sink_conditions_and_types():
    code = """
        import subprocess
        import db
        import web
        from web import request

        def view():
            q = request.args["q"]
            subprocess.run(q, shell=True)
            subprocess.run(q)
            subprocess.run(args=q, shell=True)
            conn = db.connect("x")
            cur = conn.cursor()
            cur.execute("SELECT " + q)
            cur.execute("SELECT ?", (q,))
            web.Response(q)
            web.Response(q, mimetype="text/plain")
            web.session["user"] = q
            web.session["user"] = "x"

        def handler(req):
            return web.Response(req.args["x"])

        def body(req):
            return web.Response(req.body())
    """
    assert one(code) == {(8, "remote_input", "command"), (10, "remote_input", "command"),
                         (13, "remote_input", "sql"), (15, "remote_input", "html"),
                         (17, "remote_input", "trust_boundary"), (21, "remote_input", "html"),
                         (24, "remote_input", "html")}


def test_decorated_handler_parameters():
    code = """
        import os
        import web

        app = web.App()

        @app.route("/x/<name>")
        def view(name, req, dep=Depends(get_db)):
            os.system(name)
            os.system(dep)

        def plain(name):
            os.system(name)
    """
    assert one(code) == {(8, "remote_input", "command")}


def test_helper_in_another_module_is_reported_at_the_call_site():
    files = {
        "pkg/__init__.py": "",
        "pkg/helpers.py": """
            import os

            def run(cmd, extra=""):
                full = "ls " + cmd
                os.system(full)

            def constant():
                os.system("ls")

            def echo(value):
                return value.strip()

            def clean(value):
                return int(value)
        """,
        "pkg/views.py": """
            from web import request
            from pkg.helpers import run, echo
            from . import helpers as h
            import pkg.helpers
            import os

            def view():
                q = request.args["q"]
                run(q)
                run("fixed")
                h.run(cmd=q)
                pkg.helpers.run(q)
                os.system(echo(q))
                os.system(echo("x"))
                os.system(h.clean(q))
                alias = h.run
                alias(q)
        """,
    }
    assert flows_of(files) == {("pkg/views.py", line, "remote_input", "command") for line in (9, 11, 12, 13, 17)}
    # the helper's own file has no source: nothing is reported there
    assert flows_of(files, only="pkg/helpers.py") == set()


def test_trace_continues_into_the_helper_and_points_at_real_lines():
    files = {
        "lib.py": """
            import os

            def run(cmd):
                full = "ls " + cmd
                os.system(full)
        """,
        "app.py": """
            from web import request
            from lib import run

            def view():
                q = request.args["q"]
                run(q)
        """,
    }
    mods = contexts(files)
    project = build_project(mods, INDEX)
    (flow,) = analyze(mods["app"], "app", INDEX, project).flows
    assert flow.sink_node.lineno == 6 and flow.sink.call == "os.system"
    assert [(s.path, s.line) for s in flow.trace] == [
        ("app.py", 5), ("app.py", 5), ("app.py", 6), ("lib.py", 3), ("lib.py", 4), ("lib.py", 5)]
    for step in flow.trace:
        assert step.snippet == mods[step.path[:-3]].line_text(step.line).strip()
    assert flow.trace[0].note.startswith("source") and flow.trace[-1].note.startswith("sink")


def test_helper_returning_a_source_and_self_attributes():
    files = {
        "util.py": """
            from web import request

            def get_query():
                return request.args["q"]
        """,
        "app.py": """
            import os
            from util import get_query

            class View:
                def use(self):
                    os.system(self.value)
                    os.system(self.fixed)

                def load(self):
                    self.value = get_query()
                    self.fixed = "ls"

                def local(self):
                    self.fixed = get_query()
                    self.fixed = "ls"
                    os.system(self.fixed)
        """,
    }
    assert flows_of(files) == {("app.py", 6, "remote_input", "command")}


def test_recursion_and_import_cycles_terminate():
    files = {
        "a.py": """
            import os
            from b import bounce

            def ping(x, n):
                if n:
                    return bounce(x, n - 1)
                os.system(x)
                return ping(x, n)
        """,
        "b.py": """
            from a import ping
            from web import request

            def bounce(x, n):
                return ping(x, n)

            def view():
                bounce(request.args["q"], 3)
        """,
    }
    assert flows_of(files) == {("b.py", 8, "remote_input", "command")}


def test_summaries_round_trip_through_json():
    files = {
        "lib.py": """
            import os

            def run(cmd):
                os.system(cmd)

            def source():
                return os.getenv("X")
        """,
        "app.py": """
            from web import request
            from lib import run

            def view():
                run(request.args["q"])
        """,
    }
    mods = contexts(files)
    project = build_project(mods, INDEX)
    restored = ProjectSummaries.from_dict(json.loads(json.dumps(project.to_dict())))
    assert restored.to_dict() == project.to_dict()
    before = [(f.sink_node.lineno, f.trace) for f in analyze(mods["app"], "app", INDEX, project).flows]
    after = [(f.sink_node.lineno, f.trace) for f in analyze(mods["app"], "app", INDEX, restored).flows]
    assert before == after and len(before) == 1
    single, _ = ModuleAnalysis(mods["lib"], "lib", INDEX, ProjectSummaries()).run(need_summary=True)
    assert [k for k in single.functions["run"].to_dict()["sinks"]] and single.functions["run"].params == ("cmd",)


def test_odd_code_never_raises():
    deep = " + ".join(["q"] * 400)
    code = f"""
        import os
        from web import request

        async def view(*args, **kwargs):
            global G
            q = request.args["q"]
            f = lambda v: os.system(v)
            f(q)
            os.system(*args, **kwargs)
            match q:
                case {{"a": inner, **rest}}:
                    os.system(inner)
                case [first, *others]:
                    os.system(others)
                case _:
                    pass
            async with open(q) as fh:
                pass
            async for item in q:
                os.system(item)
            try:
                pass
            except ValueError:
                pass
            os.system({deep})

        def outer():
            value = "x"
            def inner():
                nonlocal value
                os.system(request.args["z"])
            return inner

        class Empty:
            os.system(request.args["c"])
    """
    found = one(code)
    assert {line for line, _, _ in found} == {12, 14, 20, 25, 31, 35}


def test_module_name():
    assert dotted_module(["pkg", "sub", "mod.py"]) == "pkg.sub.mod"
    assert dotted_module(["pkg", "__init__.py"]) == "pkg"
    assert dotted_module(["script.py"]) == "script"


def test_with_builtin_specs():
    code = """
        import sqlite3
        from flask import Flask, request, redirect

        app = Flask(__name__)

        @app.route("/a")
        def view():
            conn = sqlite3.connect("db.sqlite")
            cur = conn.cursor()
            cur.execute("SELECT * FROM t WHERE id = " + request.args["id"])
            cur.execute("SELECT * FROM t WHERE id = ?", (request.args["id"],))
            return redirect(request.args.get("next"))
    """
    index = build_index(load_builtin_specs())
    assert one(code, index) == {(10, "remote_input", "sql"), (12, "remote_input", "redirect")}


def test_builtin_specs_type_requests_by_parameter_and_on_self():
    code = """
        import os
        from django.http import HttpResponseRedirect
        from django.views import View

        def view(request):
            return HttpResponseRedirect(request.GET["next"])

        class Page(View):
            def get(self, request):
                os.system(self.request.GET.get("cmd"))
                os.system(self.request.method)
    """
    index = build_index(load_builtin_specs())
    assert one(code, index) == {(6, "remote_input", "redirect"), (10, "remote_input", "command")}


def test_guards_validate_values_in_the_branch_they_protect():
    code = """
        import os, re
        from web import request

        ALLOWED = ("ls", "df")

        def view():
            q = request.args["q"]
            if q in ALLOWED:
                os.system(q)
            else:
                os.system(q)
            if q not in ("a", "b"):
                return
            os.system(q)

        def checked():
            q = request.args["q"]
            if not q.isdigit():
                raise ValueError(q)
            os.system(q)

        def regex():
            name = request.args["name"]
            if not re.fullmatch(r"[a-z0-9_]+", name):
                return
            os.system(name)
            dotted = request.args["name"]
            if re.match(r"^[a-z.]+$", dotted):
                os.system(dotted)
                open(dotted)
            os.system(dotted if dotted == "x" else "ls")

        def flag():
            url = request.args["u"]
            ok = is_safe(url=url)
            os.system(url if ok else "ls")
            ok = is_safe(url)
            url = request.args["v"]
            os.system(url if ok else "ls")
    """
    spec = LibrarySpec(name="guards", imports=("os",), sinks=(Sink("guards", "path", "builtins.open", args=(0,)),),
                       sanitizers=(Sanitizer("guards", "str.isdigit", frozenset({"*"})),
                                   Sanitizer("guards", "is_safe", frozenset({"*"}))))
    assert one(code, build_index([SPEC, spec])) == {(11, "remote_input", "command"), (30, "remote_input", "path"),
                                                    (39, "remote_input", "command")}


def test_receiver_sinks_keyword_options_and_later_helpers():
    code = """
        from web import request

        CONFIG = {"a": 1}

        def view():
            fmt = request.args["f"]
            fmt.format(1)
            "x {}".format(fmt)
            fmt % CONFIG
            "x %s" % fmt
            fmt % 2
            load(fmt, Loader=Safe)
            load(fmt, Loader=web.Unsafe)
            later(fmt)

        def later(value):
            return deeper(value)

        def deeper(value):
            value.format_map({})
    """
    spec = LibrarySpec(
        name="fmt", imports=("web",),
        sinks=(Sink("fmt", "format_string", "str.format", receiver=True),
               Sink("fmt", "format_string", "str.format_map", receiver=True),
               Sink("fmt", "format_string", "str.__mod__", receiver=True),
               Sink("fmt", "deserialize", "load", args=(0,), unless=(("Loader", ("Safe", "web.Safer")),))),
    )
    found = one(code, build_index([SPEC, spec]))
    assert found == {(7, "remote_input", "format_string"), (9, "remote_input", "format_string"),
                     (13, "remote_input", "deserialize"), (14, "remote_input", "format_string")}


def test_path_containment_and_converting_getters():
    code = """
        import os
        from web import request

        BASE = "/srv/files"

        def view():
            name = request.args["name"]
            full = os.path.realpath(os.path.join(BASE, name))
            if not full.startswith(BASE):
                return
            open(full)
            os.system(full)
            raw = os.path.join(BASE, name)
            if raw.startswith(BASE):
                open(raw)
            page = request.args.get("page", type=int)
            open(page)
    """
    spec = LibrarySpec(name="paths", imports=("os",), sinks=(Sink("paths", "path", "builtins.open", args=(0,)),),
                       propagators=(Propagator("paths", "os.path.realpath", (0,)),))
    assert one(code, build_index([SPEC, spec])) == {(12, "remote_input", "command"), (15, "remote_input", "path")}


def test_module_level_types_cross_modules():
    files = {
        "site/__init__.py": """
            import web

            app = web.App()
        """,
        "site/views.py": """
            import os
            from site import app
            from . import app as same

            @app.route("/a/<name>")
            def view(name):
                os.system(name)

            @same.route("/b/<name>")
            def other(name):
                os.system(name)
        """,
    }
    assert flows_of(files) == {("site/views.py", 7, "remote_input", "command"),
                               ("site/views.py", 11, "remote_input", "command")}


def test_constructor_parameters_reaching_sinks():
    files = {
        "jobs.py": """
            import os

            class Job:
                def __init__(self, cmd, label="x"):
                    os.system(cmd)
                    self.label = label
        """,
        "app.py": """
            from web import request
            import jobs
            from jobs import Job

            class Local:
                def __init__(self, value):
                    os.system(value)

            def view():
                Job(request.args["q"])
                jobs.Job("ls", label=request.args["q"])
                Local(request.args["q"])
        """,
    }
    assert flows_of(files) == {("app.py", 10, "remote_input", "command"), ("app.py", 12, "remote_input", "command")}


def test_no_return_calls_and_url_host_allowlists():
    code = """
        import sys
        from urllib.parse import urlparse
        from flask import abort
        from web import request, fetch

        HOSTS = {"api.example.com"}

        def view():
            url = request.args["u"]
            if urlparse(url).hostname not in HOSTS:
                abort(400)
            fetch(url)
            other = request.args["o"]
            parts = urlparse(other)
            if parts.netloc in HOSTS:
                fetch(other)
            if parts.scheme in ("https",):
                fetch(other)
            name = request.args["n"]
            if name not in ("a", "b"):
                sys.exit(1)
            fetch(name)
            if name is None:
                fetch(name)
    """
    spec = LibrarySpec(name="net", imports=("web",), sinks=(Sink("net", "url", "web.fetch", args=(0,)),))
    assert one(code, build_index([SPEC, spec])) == {(18, "remote_input", "url")}


def test_a_chain_of_helpers_written_top_down_is_followed_to_its_end():
    """Helpers are walked callee first: a chain of any depth settles in one round, instead of one level per
    round (a seven-deep chain used to be dropped silently when the rounds ran out)."""
    from secreview import api
    from secreview.config import Config

    lines = ["import os", "from flask import Flask, request", "app = Flask(__name__)", "", "@app.route('/x')",
             "def view():", "    return h1(request.args['c'])", ""]
    for i in range(1, 7):
        lines += [f"def h{i}(v):", f"    return h{i + 1}(v)", ""]
    lines += ["def h7(v):", "    return os.system('ls ' + v)", ""]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "chain.py").write_text("\n".join(lines))
        report = api.review(["chain.py"], Config(jobs=1, cache=False, select=("SR104",)), cwd=Path(tmp))
    (finding,) = report.findings
    assert (finding.line, finding.rule) == (7, "SR104")
    assert finding.trace[-1].line == 28 and "os.system" in finding.trace[-1].note
