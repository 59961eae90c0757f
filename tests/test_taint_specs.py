"""The taint spec loader: every built-in spec loads, every mistake is rejected with
an exact message, and the index answers the questions the engine asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from secreview.taint.loader import (
    SPECS_DIR,
    SpecError,
    build_index,
    load_builtin_specs,
    load_spec,
    load_spec_dir,
    merge_specs,
    sanitizer_clears,
)
from secreview.taint.spec import SINK_KINDS, SOURCE_KINDS, LibrarySpec, Propagator, Sink, Source, TypeRule

HEADER = 'library = { name = "demo", imports = ["demo"] }\n'


def write(tmp_path: Path, body: str, header: str = HEADER, name: str = "demo.toml") -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def rejection(tmp_path: Path, body: str, header: str = HEADER) -> str:
    path = write(tmp_path, body, header)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    prefix = f"{path}: "
    message = str(info.value)
    assert message.startswith(prefix), message
    return message[len(prefix):]


# -- the shipped specs ------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(SPECS_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_every_builtin_spec_loads(path: Path) -> None:
    spec = load_spec(path)
    assert spec.imports
    assert spec.sources or spec.sinks or spec.sanitizers or spec.propagators


def test_builtin_specs_cover_the_required_libraries_and_every_sink_kind() -> None:
    specs = load_builtin_specs()
    assert load_builtin_specs() is specs  # cached
    names = {spec.name for spec in specs}
    assert {"python", "stdlib-os", "stdlib-data", "stdlib-net", "flask", "django", "fastapi", "aiohttp", "webob",
            "sqlalchemy", "psycopg", "pymysql", "jinja2", "requests", "httpx", "pyyaml", "lxml", "paramiko",
            "ldap3", "python-ldap", "markupsafe"} <= names
    assert {sink.kind for spec in specs for sink in spec.sinks} == set(SINK_KINDS)
    assert {source.kind for spec in specs for source in spec.sources} == set(SOURCE_KINDS)


def test_every_builtin_name_belongs_to_its_library() -> None:
    """A name outside the library's own modules (or the built-in types) is a typo or an
    entry filed in the wrong spec: the engine only trusts a spec where it is imported."""
    builtin_roots = {"builtins", "str", "bytes", "bytearray", "list", "dict", "set", "io"}
    stray = []
    for spec in load_builtin_specs():
        names = [d for s in spec.sources for d in s.decorated] + [s.call or s.attribute for s in spec.sources]
        names += [s.call for s in spec.sinks] + [s.call for s in spec.sanitizers] + [p.call for p in spec.propagators]
        names += [t.call or t.attribute for t in spec.types if not t.parameter]  # a type may be another library's
        stray += [(spec.name, n) for n in names if n and n.split(".")[0] not in {*spec.imports, *builtin_roots}]
    assert stray == []


def test_index_finds_key_entries() -> None:
    index = build_index(load_builtin_specs())
    (quote,) = index.sanitizers_by_call["shlex.quote"]
    assert sanitizer_clears(quote, "command") and not sanitizer_clears(quote, "sql")
    (integer,) = index.sanitizers_by_call["builtins.int"]
    assert all(sanitizer_clears(integer, kind) for kind in SINK_KINDS)
    (run,) = index.sinks_by_call["subprocess.run"]
    assert (run.kind, run.args, run.keywords, run.when) == ("command", (0,), ("args",), (("shell", True),))
    (execute,) = index.sinks_by_call["sqlite3.Cursor.execute"]
    assert (execute.kind, execute.args) == ("sql", (0,))
    assert [s.kind for s in index.sinks_by_call["requests.get"]] == ["url"]
    assert [s.kind for s in index.sinks_by_call["flask.redirect"]] == ["redirect"]
    assert index.sinks_by_call["str.format"][0].receiver
    assert index.types_by_attribute["flask.request"] == "flask.Request"
    assert index.types_by_call["sqlite3.connect"] == "sqlite3.Connection"
    assert index.types_by_call["sqlite3.Connection.cursor"] == "sqlite3.Cursor"
    assert [rule.type for rule in index.types_by_parameter["request"]] == [
        "aiohttp.web.Request", "django.http.HttpRequest", "starlette.requests.Request"]
    assert index.library_imports["django"] == ("django", "rest_framework")
    assert [s.kind for s in index.sources_by_attribute["flask.Request.args"]] == ["remote_input"]
    assert [s.kind for s in index.sources_by_attribute["sys.argv"]] == ["cli_input"]
    assert [s.kind for s in index.sources_by_call["os.getenv"]] == ["env_input"]
    assert [s.library for s in index.sources_by_decorator["flask.Flask.route"]] == ["flask"]
    assert [s.library for s in index.sources_by_decorator["pecan.expose"]] == ["webob"]
    (join,) = index.propagators_by_call["str.join"]
    assert (join.frm, join.to) == (("receiver", "args"), "return")
    (append,) = index.propagators_by_call["list.append"]
    assert (append.frm, append.to) == ((0,), "receiver")
    (yaml_load,) = index.sinks_by_call["yaml.load"]
    assert yaml_load.unless == (("Loader", ("yaml.SafeLoader", "yaml.CSafeLoader", "yaml.BaseLoader")),)


def test_a_full_spec_is_read_into_the_dataclasses(tmp_path: Path) -> None:
    path = write(tmp_path, """
[[type]]
attribute = "demo.request"
type = "demo.Request"
[[type]]
parameter = "req"
type = "demo.Request"
[[source]]
kind = "remote_input"
attribute = "demo.Request.args"
note = "query string"
[[source]]
kind = "remote_input"
decorated = "demo.route"
[[sink]]
kind = "command"
call = "demo.run"
args = [0, 2]
keywords = ["cmd"]
when = { shell = true }
unless = { mode = ["safe", "list"] }
[[sanitizer]]
call = "demo.clean"
clears = ["*"]
[[propagator]]
call = "demo.Buffer.add"
from = [0, "receiver"]
to = "receiver"
""")
    spec = load_spec(path)
    assert spec == LibrarySpec(
        name="demo", imports=("demo",),
        sources=(Source("demo", "remote_input", attribute="demo.Request.args", note="query string"),
                 Source("demo", "remote_input", decorated=("demo.route",))),
        sinks=(Sink("demo", "command", "demo.run", args=(0, 2), keywords=("cmd",), when=(("shell", True),),
                    unless=(("mode", ("safe", "list")),)),),
        sanitizers=spec.sanitizers,
        propagators=(Propagator("demo", "demo.Buffer.add", (0, "receiver"), "receiver"),),
        types=(TypeRule("demo", "demo.Request", attribute="demo.request"),
               TypeRule("demo", "demo.Request", parameter="req")),
    )
    assert spec.sanitizers[0].clears == frozenset({"*"})


# -- rejections: every message exactly --------------------------------------------------

REJECTIONS = [
    ('[[sinks]]\nkind = "sql"\ncall = "x.y"\nargs = [0]\n',
     "unknown table 'sinks' (allowed: [library], [[type]], [[source]], [[sink]], [[sanitizer]], [[propagator]])"),
    ('[[sink]]\nkind = "sql"\ncall = "x.y"\nargs = [0]\nargz = [1]\n',
     "sink #1: unknown key 'argz' (allowed: all_args, args, call, keywords, kind, note, positional, receiver, "
     "returned, unless, unless_keywords, when)"),
    ('[[sink]]\nkind = "sql"\ncall = "x.y"\nargs = [0]\n[[sink]]\nkind = "sqli"\ncall = "x.z"\nargs = [0]\n',
     "sink #2: unknown sink kind 'sqli' (known: " + ", ".join(SINK_KINDS) + ")"),
    ('[[source]]\nkind = "remote"\ncall = "x.y"\n',
     "source #1: unknown source kind 'remote' (known: " + ", ".join(SOURCE_KINDS) + ")"),
    ('[[source]]\nkind = "remote_input"\n',
     "source #1: has no target: give exactly one of call, attribute, decorated"),
    ('[[source]]\nkind = "remote_input"\ncall = "x.y"\nattribute = "x.z"\n',
     "source #1: has several targets (call, attribute): give exactly one of call, attribute, decorated"),
    ('[[source]]\nkind = "remote_input"\ndecorated = []\n',
     "source #1: 'decorated' must name at least one decorator"),
    ('[[type]]\ncall = "x.y"\nparameter = "req"\ntype = "x.T"\n',
     "type #1: has several targets (call, parameter): give exactly one of attribute, call, parameter"),
    ('[[type]]\ncall = "x.y"\n', "type #1: missing key 'type'"),
    ('[[sink]]\nkind = "sql"\ncall = "x.y"\nargs = ["0"]\n',
     "sink #1: 'args' must be a list of argument indexes (integers >= 0)"),
    ('[[sink]]\nkind = "sql"\ncall = "x.y"\nargs = [-1]\n',
     "sink #1: 'args' must be a list of argument indexes (integers >= 0)"),
    ('[[sink]]\nkind = "sql"\ncall = "x.y"\nargs = [true]\n',
     "sink #1: 'args' must be a list of argument indexes (integers >= 0)"),
    ('[[sink]]\nkind = "sql"\ncall = "x.y"\nargs = 0\n',
     "sink #1: 'args' must be a list of argument indexes (integers >= 0)"),
    ('[[sink]]\nkind = "sql"\ncall = "x.y"\n',
     "sink #1: has no target: give 'args', 'keywords', 'all_args', 'receiver' or 'returned'"),
    ('[[sink]]\nkind = "html"\ncall = "x.route"\nreturned = true\nargs = [0]\n',
     "sink #1: 'returned' makes the decorated function's return value the sink: drop the argument targets"),
    ('[[sink]]\nkind = "html"\ncall = "x.y"\nargs = [0]\nunless_keywords = ["template"]\n',
     "sink #1: 'positional' and 'unless_keywords' describe a decorator: they need 'returned = true'"),
    ('[[sink]]\nkind = "html"\ncall = "x.route"\nreturned = true\npositional = "no"\n',
     "sink #1: 'positional' must be true or false, not a string"),
    ('[[sink]]\nkind = "sql"\ncall = "x.y"\nall_args = true\nargs = [0]\n',
     "sink #1: 'all_args' already covers every argument: drop 'args' and 'keywords'"),
    ('[[sink]]\nkind = "sql"\nargs = [0]\n', "sink #1: missing key 'call'"),
    ('[[sink]]\nkind = "sql"\ncall = "x.y("\nargs = [0]\n', "sink #1: 'call' is not a qualified name: 'x.y('"),
    ('[[sink]]\nkind = "command"\ncall = "x.y"\nargs = [0]\nwhen = { shell = [] }\n',
     "sink #1: 'when'.shell must be a boolean, number or string (or a list of them), not a list"),
    ('[[sink]]\nkind = "command"\ncall = "x.y"\nargs = [0]\nwhen = "shell"\n',
     "sink #1: 'when' must be a table of keyword = literal value"),
    ('[[sanitizer]]\ncall = "shlex.quote"\nclears = ["command", "shell"]\n',
     "sanitizer #1: unknown sink kind 'shell' in 'clears' (known: *, " + ", ".join(SINK_KINDS) + ")"),
    ('[[sanitizer]]\ncall = "shlex.quote"\nclears = []\n',
     "sanitizer #1: 'clears' must list the sink kinds it makes safe (or \"*\")"),
    ('[[propagator]]\ncall = "str.join"\nfrom = ["argz"]\n',
     "propagator #1: 'from' holds 'argz': use argument indexes (integers >= 0), \"args\" or \"receiver\""),
    ('[[propagator]]\ncall = "str.join"\nfrom = [1.5]\n',
     "propagator #1: 'from' holds 1.5: use argument indexes (integers >= 0), \"args\" or \"receiver\""),
    ('[[propagator]]\ncall = "str.join"\n', "propagator #1: missing key 'from'"),
    ('[[propagator]]\ncall = "str.join"\nfrom = ["args"]\nto = "self"\n',
     "propagator #1: 'to' must be \"return\" or \"receiver\", not 'self'"),
    ('[[sanitizer]]\ncall = "a.b"\nclears = ["sql"]\n[[sanitizer]]\ncall = "a.b"\nclears = ["sql"]\n',
     "sanitizer #2: repeats sanitizer #1"),
    ('sink = { kind = "sql" }\n', "'sink' must be an array of tables: write [[sink]]"),
    ('sink = ["x"]\n', "sink #1: must be a table, not a string"),
]


@pytest.mark.parametrize(("body", "message"), REJECTIONS, ids=[m for _, m in REJECTIONS])
def test_each_mistake_is_rejected_with_its_exact_message(tmp_path: Path, body: str, message: str) -> None:
    assert rejection(tmp_path, body) == message


@pytest.mark.parametrize(("header", "message"), [
    ("", "missing [library] table"),
    ('library = { name = "demo" }\n',
     "[library]: 'imports' must list the top-level modules that mean the library is in use"),
    ('library = { imports = ["demo"] }\n', "[library]: missing key 'name'"),
    ('library = { name = "demo", imports = ["demo"], version = 2 }\n',
     "[library]: unknown key 'version' (allowed: imports, name, note)"),
    ('library = { name = "demo", imports = ["de mo"] }\n',
     "[library]: 'imports' holds something that is not a qualified name: 'de mo'"),
])
def test_library_header_mistakes(tmp_path: Path, header: str, message: str) -> None:
    assert rejection(tmp_path, '[[sanitizer]]\ncall = "a.b"\nclears = ["sql"]\n', header) == message


def test_invalid_toml_and_unreadable_files_are_spec_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "[[sink]\n")
    with pytest.raises(SpecError, match=r"not valid TOML"):
        load_spec(path)
    with pytest.raises(SpecError, match=r"cannot read"):
        load_spec(tmp_path / "missing.toml")


def test_two_files_may_not_declare_the_same_library(tmp_path: Path) -> None:
    body = '[[sanitizer]]\ncall = "a.b"\nclears = ["sql"]\n'
    write(tmp_path, body, name="a.toml")
    second = write(tmp_path, body, name="b.toml")
    with pytest.raises(SpecError) as info:
        load_spec_dir(tmp_path)
    assert str(info.value) == f"{second}: library 'demo' is already declared in {tmp_path / 'a.toml'}"


# -- merging and the index --------------------------------------------------------------

def test_a_project_spec_replaces_the_builtin_library_of_the_same_name(tmp_path: Path) -> None:
    path = write(tmp_path, '[[sink]]\nkind = "sql"\ncall = "shlex.quote"\nargs = [0]\n',
                 header='library = { name = "stdlib-os", imports = ["shlex"] }\n')
    merged = merge_specs(load_builtin_specs(), [load_spec(path)])
    index = build_index(merged)
    assert "shlex.quote" not in index.sanitizers_by_call  # the built-in stdlib-os is gone
    assert [s.kind for s in index.sinks_by_call["shlex.quote"]] == ["sql"]
    assert "sqlite3.Cursor.execute" in index.sinks_by_call  # other libraries stay
    assert len(merged) == len(load_builtin_specs())


def test_index_keeps_every_entry_for_a_name_and_the_last_type_wins() -> None:
    one = LibrarySpec("one", ("one",), sinks=(Sink("one", "sql", "db.run", args=(0,)),),
                      types=(TypeRule("one", "one.Conn", call="db.connect"),))
    two = LibrarySpec("two", ("two",), sinks=(Sink("two", "command", "db.run", args=(1,)),),
                      types=(TypeRule("two", "two.Conn", call="db.connect"),))
    index = build_index([one, two])
    assert [(s.kind, s.args) for s in index.sinks_by_call["db.run"]] == [("sql", (0,)), ("command", (1,))]
    assert index.types_by_call["db.connect"] == "two.Conn"
