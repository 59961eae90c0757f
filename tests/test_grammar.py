"""secreview parses the code under review with the grammar of the Python running it. A file in newer
grammar gets a precise message (which version, which feature, what to do), a Python 2 file a hint, any
other syntax error Python's own message; and no cached result crosses interpreter versions (issue 15)."""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from secreview import api, cache
from secreview.api import review
from secreview.cli import main
from secreview.config import Config
from secreview.grammar import explain
from secreview.ruleindex import INDEX_FILE
from secreview.source import parse

GRAMMAR = FIXTURES / "grammar"
RUNNING = (sys.version_info[0], sys.version_info[1])
# fixture -> (the Python that added its grammar, the feature as the message names it, its line)
NEWER = {
    "except_star.py": ((3, 11), "an `except*` clause for exception groups, PEP 654", 11),
    "star_subscript.py": ((3, 11), "a starred expression in a subscript such as `tuple[*Ts]`, PEP 646", 8),
    "star_annotation.py": ((3, 11), "a starred annotation such as `*args: *Ts`, PEP 646", 8),
    "fstring_quotes.py": ((3, 12), "an f-string reusing its quotes inside a replacement field, PEP 701", 5),
    "fstring_backslash.py": ((3, 12), "a backslash inside an f-string's replacement field, PEP 701", 5),
    "fstring_comment.py": ((3, 12), "a comment inside an f-string's replacement field, PEP 701", 6),
    "fstring_newline.py": ((3, 12), "a line break inside a replacement field of a single-quoted f-string, PEP 701", 5),
    "fstring_nesting.py": ((3, 12), "an f-string format specification nested two levels deep, PEP 701", 5),
    "type_alias.py": ((3, 12), "a `type` alias statement, PEP 695", 3),
    "generic_function.py": ((3, 12), "a function with type parameters such as `def name[T](...)`, PEP 695", 4),
    "generic_class.py": ((3, 12), "a class with type parameters such as `class Name[T]`, PEP 695", 4),
    "typeparam_default.py": ((3, 13), "a type parameter with a default such as `[T = int]`, PEP 696", 4),
    "except_comma.py": ((3, 14), "an `except` clause naming several exceptions without parentheses, PEP 758", 9),
    "template_string.py": ((3, 14), "a template string literal such as `t\"...\"`, PEP 750", 5),
}
OLDER = ("match_statement.py", "parenthesized_with.py")  # 3.10: every Python secreview runs on parses them
QUOTES_312 = "uses Python 3.12 syntax (an f-string reusing its quotes inside a replacement field, PEP 701)"
PY2_TAIL = "; secreview reviews Python 3 only — port the file to Python 3 or exclude it)"
PYTHON2 = {"python2.py": (7, "python2.py:7: multiple exception types must be parenthesized (this looks like Python 2 "
                             "code: `except X, name:`" + PY2_TAIL)}


def _expected(name: str, running: tuple[int, int]) -> tuple[int, str] | None:
    """(line, message) a review on Python `running` gives the fixture, or None: it parses."""
    if name in PYTHON2:
        return PYTHON2[name]
    if name in OLDER or NEWER[name][0] <= running:
        return None
    (major, minor), what, line = NEWER[name]
    return line, (f"{name}:{line}: uses Python {major}.{minor} syntax ({what}); secreview is running on Python "
                  f"{running[0]}.{running[1]} — run it with Python {major}.{minor} or newer to review this file")


def test_every_fixture_is_in_a_table():
    assert sorted(p.name for p in GRAMMAR.glob("*.py")) == sorted([*NEWER, *OLDER, *PYTHON2])


@pytest.mark.parametrize("name", sorted([*NEWER, *OLDER, *PYTHON2]))
def test_each_feature_on_this_python(name):
    _, error = parse((GRAMMAR / name).read_text(encoding="utf-8"), name)
    assert (error and (error.line, error.message)) == _expected(name, RUNNING)
    assert error is None or error.kind == "syntax"


@functools.cache
def _interpreters() -> dict[tuple[int, int], str]:
    """Other Pythons on this machine that secreview supports (>= 3.10), by version."""
    found: dict[tuple[int, int], str] = {}
    candidates = sorted(Path("/root/.pyenv/versions").glob("3.*/bin/python3")) if Path("/root/.pyenv").is_dir() else []
    for path in [*map(str, candidates), *(f"python3.{minor}" for minor in range(10, 16))]:
        try:
            out = subprocess.run([path, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True,
                                 text=True, timeout=30).stdout.split()
        except (OSError, subprocess.TimeoutExpired):
            continue
        version = (int(out[0]), int(out[1])) if len(out) == 2 else None
        if version and version >= (3, 10) and version != RUNNING:
            found.setdefault(version, path)
    return found


_PARSE_ALL = """
import json, pathlib, sys
from secreview.source import parse
out = {}
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.py")):
    _, error = parse(path.read_text(encoding="utf-8"), path.name)
    out[path.name] = error and [error.line, error.message]
print(json.dumps(out))
"""


def test_each_feature_on_every_other_python():
    """The same fixtures parsed by secreview on each other interpreter present: a file parses from the
    version its table names on, and below it gets that version's exact message."""
    if not _interpreters():
        pytest.skip("no other Python >= 3.10 on this machine (looked in /root/.pyenv/versions and PATH)")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    for version, python in sorted(_interpreters().items()):
        run = subprocess.run([python, "-c", _PARSE_ALL, str(GRAMMAR)], capture_output=True, text=True, env=env,
                             timeout=120)
        assert run.returncode == 0, (python, run.stderr)
        got = {name: error and tuple(error) for name, error in json.loads(run.stdout).items()}
        assert got == {name: _expected(name, version) for name in got}, python


def test_python2_fixture_is_python2():
    python2 = Path("/root/.pyenv/versions/2.7.18/bin/python")
    if not python2.is_file():
        pytest.skip(f"no Python 2 interpreter at {python2}")
    run = subprocess.run([str(python2), "-c", "import sys; compile(open(sys.argv[1]).read(), 'f', 'exec')",
                          str(GRAMMAR / "python2.py")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


def _explain(text: str) -> tuple[int | None, str] | None:
    try:
        ast.parse(text)
    except SyntaxError as exc:
        return explain(text, exc)
    return None


def _syntax_error(text: str) -> SyntaxError:
    with pytest.raises(SyntaxError) as caught:
        ast.parse(text)
    return caught.value


@pytest.mark.parametrize(("text", "construct"), [
    ('print "hello"\n', "a print statement"),
    ('import sys\nprint >>sys.stderr, "hello"\nprint "x"\n', "a print statement"),
    ('exec "x = 1"\n', "an exec statement"),
    ("x = `1`\n", "backquotes"),
    ("import os\nos.chmod('p', 0755)\n", "an octal literal without `0o`"),
    ("x = 10L\n", "a long integer literal"),
    ("x = ur'a'\n", "a `ur` string prefix"),
    ("if 1 <> 2:\n    pass\n", "the `<>` operator"),
    ("def f(x):\n    if not x: raise ValueError, 'empty'\n", "`raise E, value`"),
    ("try:\n    pass\nexcept ValueError, e:\n    pass\n", "`except X, name:`"),
    ("try:\n    pass\nexcept os.error, (errno, text):\n    pass\n", "`except X, name:`"),
])
def test_python2_constructs_get_the_hint(text, construct):
    error = _syntax_error(text)
    assert explain(text, error) == (error.lineno, f"{error.msg} (this looks like Python 2 code: {construct}"
                                                  + PY2_TAIL)


@pytest.mark.parametrize("text", [
    # the old hint searched the whole file: backquotes in an rst docstring, a date or a mode in a string
    '"""Run ``make check``; released 2024-01-05 with mode 0755."""\n\n\ndef f(:\n    pass\n',
    '"""Use ``print "x"`` in Python 2."""\nx = (\n',
    "# except ValueError, e:\nx = [1,\n",
    "def f():\n    return `x\n",  # a lone backquote is a typo, not Python 2
    "x = 'abc\nprint 'x'\n",  # a literal that does not end is no Python 2 file
])
def test_python3_syntax_errors_get_no_python2_hint(text):
    error = _syntax_error(text)
    assert explain(text, error) == (error.lineno, error.msg)


def test_except_with_exception_types_is_python_314_not_python2():
    text = "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n"
    if RUNNING < (3, 14):
        assert _explain(text) == (3, "uses Python 3.14 syntax (an `except` clause naming several exceptions "
                                     f"without parentheses, PEP 758); secreview is running on Python {RUNNING[0]}."
                                     f"{RUNNING[1]} — run it with Python 3.14 or newer to review this file")


@pytest.mark.parametrize("text", [
    'x = f"{d["k"]}"\n\n\ndef f(:\n    pass\n',  # newer grammar, and an error no Python accepts
    'x = f"{d["k"] +}"\n',  # PEP 701 quotes around an expression that parses nowhere
    'x = f"{d["k"]} {}"\n',  # an empty field
    "class Box[T: int int]:\n    pass\n",  # a type parameter list that is not one
    "def first[](x):\n    return x\n",
    "def f[T = ](x: T) -> T:\n    return x\n",
    'x = f"{d["k"]:{w:{p:{q}}}}"\n',  # format specs nested three levels: 3.12 allows two
])
def test_newer_grammar_is_claimed_only_when_it_explains_the_error(text):
    error = _syntax_error(text)
    assert explain(text, error) == (error.lineno, error.msg)


@pytest.mark.skipif(RUNNING >= (3, 13), reason="parses from Python 3.13 on")
def test_the_newest_feature_the_file_needs_is_named_at_its_line():
    text = 'name = f"{user["name"]}"\n\n\nclass Box[T = int]:\n    pass\n'
    assert _explain(text) == (4, "uses Python 3.13 syntax (a type parameter with a default such as `[T = int]`, "
                                 f"PEP 696); secreview is running on Python {RUNNING[0]}.{RUNNING[1]} — run it with "
                                 "Python 3.13 or newer to review this file")


@pytest.mark.skipif(RUNNING >= (3, 12), reason="parses from Python 3.12 on")
@pytest.mark.parametrize(("text", "what"), [
    ('type Row = dict[str, str]\nname = f"{row["name"]}"\n', "a `type` alias statement, PEP 695"),
    ('name = f"{row["name"]}"\ntype Row = dict[str, str]\n', QUOTES_312.split("(")[1][:-1]),
    ('type Name = f"{row["name"]}"\n', "a `type` alias statement, PEP 695"),  # one line: the first by position
])
def test_of_two_features_of_one_version_the_first_is_named(text, what):
    assert _explain(text) == (1, f"uses Python 3.12 syntax ({what}); secreview is running on Python "
                                 f"{RUNNING[0]}.{RUNNING[1]} — run it with Python 3.12 or newer to review this file")


@pytest.mark.skipif(RUNNING >= (3, 12), reason="parses from Python 3.12 on")
def test_f_string_features_are_read_as_python_312_reads_them():
    for text, line in [
        ('a = f"{x!r}" f"{y=}" f\'{z:>{w}}\'\nb = f"{{literal}} {d["k"]=}"\n', 2),  # older forms, then one newer
        ('a = f"{x = # the value\n}"\n', 1),  # a debug field with a comment
        ('a = rf"\\d{d["k"]}"\n', 1),  # a raw f-string
        ('a = f"\\N{BULLET} {d["k"]}"\n', 1),  # a named character's braces are no field
        ('a = f"{f"{x}"}"\n', 1),  # a nested f-string reusing the outer quotes
    ]:
        result = _explain(text)
        assert result is not None and result[0] == line and "uses Python 3.12 syntax" in result[1], text




def test_review_of_a_newer_file_is_incomplete_and_says_what_to_do(tmp_path, monkeypatch, capsys):
    if RUNNING >= (3, 12):
        pytest.skip("Python 3.12 parses the fixture")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text((GRAMMAR / "fstring_quotes.py").read_text(encoding="utf-8"))
    code = main(["scan", ".", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2
    assert [(e["path"], e["kind"], e["line"]) for e in out["errors"]] == [("app.py", "syntax", 5)]
    assert out["errors"][0]["message"].startswith(f"app.py:5: {QUOTES_312}; secreview is running on")
    assert main(["scan", ".", "--allow-incomplete", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] != "clean"


VULN = 'import os\n\n\ndef run(user: dict) -> None:\n    os.system(f"ls {user["home"]}")\n'


def test_cache_keys_hold_the_interpreter_version(monkeypatch):
    assert cache.interpreter() == f"{RUNNING[0]}.{RUNNING[1]}"
    assert f"rule-index-py{RUNNING[0]}.{RUNNING[1]}.json" == INDEX_FILE
    monkeypatch.setattr(cache, "interpreter", lambda: "3.11")
    cache.code_signature.cache_clear()
    try:
        on_311 = cache.code_signature(), cache.file_key("app.py", b"x = 1\n", ("SR101",))
        monkeypatch.setattr(cache, "interpreter", lambda: "3.12")
        cache.code_signature.cache_clear()
        on_312 = cache.code_signature(), cache.file_key("app.py", b"x = 1\n", ("SR101",))
    finally:
        cache.code_signature.cache_clear()
    assert on_311[0].endswith("-py3.11") and on_312[0].endswith("-py3.12")
    assert on_311[0][:-7] == on_312[0][:-7]  # the same code
    assert on_311[1] != on_312[1]


def test_results_and_summaries_cached_on_one_python_are_not_served_to_another(tmp_path, monkeypatch):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "helpers.py").write_text("import os\n\n\ndef run(command):\n    os.system(command)\n")
    (tmp_path / "app" / "views.py").write_text("import sys\n\nfrom app.helpers import run\n\nrun(sys.argv[1])\n")
    (tmp_path / "app" / "newer.py").write_text(VULN)
    config = Config(jobs=1, cache_dir=str(tmp_path / "cache"))
    reviewed: list[str] = []
    summarised: list[str] = []
    real_review, engine = api.review_bytes, __import__("secreview.taint.engine", fromlist=["build_project"])
    real_build = engine.build_project
    monkeypatch.setattr(api, "review_bytes", lambda display, *a, **k: reviewed.append(display) or
                        real_review(display, *a, **k))
    monkeypatch.setattr(engine, "build_project", lambda modules, *a, **k: summarised.extend(modules) or
                        real_build(modules, *a, **k))

    def scan(version: str):
        monkeypatch.setattr(cache, "interpreter", lambda: version)
        cache.code_signature.cache_clear()
        reviewed.clear()
        summarised.clear()
        try:
            return review([str(tmp_path / "app")], config, cwd=tmp_path)
        finally:
            cache.code_signature.cache_clear()

    first = scan("3.11")
    assert sorted(reviewed) and sorted(summarised) == ["app.helpers"]
    scan("3.11")
    assert reviewed == [] and summarised == []  # the same Python: everything from the cache
    other = scan("3.12")
    assert sorted(reviewed) == sorted(f"app/{n}.py" for n in ("__init__", "helpers", "newer", "views"))
    assert summarised == ["app.helpers"]
    assert (other.findings, other.errors) == (first.findings, first.errors)  # one real interpreter parsed both


def _secreview_env(cache_dir: Path) -> dict[str, str]:
    """Another interpreter runs this checkout's secreview with the dependencies of this environment
    (pure Python ones import anywhere) and the given cache directory."""
    paths = [str(ROOT / "src"), sysconfig.get_paths()["purelib"]]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1", "SECREVIEW_CACHE_DIR": str(cache_dir)}


def test_a_tree_reviewed_on_this_python_then_on_a_newer_one_gets_the_newer_result(tmp_path, monkeypatch):
    """Issue 15: after a review on Python 3.11, the same tree reviewed on 3.12 was reported with 3.11's
    cached syntax error. Here with real interpreters: this one, then the first newer one present that
    parses the file (then this one again, which must not get the newer one's result either)."""
    newer = next(((v, p) for v, p in sorted(_interpreters().items()) if v >= (3, 12) and v > RUNNING), None)
    if RUNNING >= (3, 12) or newer is None:
        pytest.skip("needs this Python below 3.12 and a Python >= 3.12 on this machine")
    version, python = newer
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.py").write_text(VULN)
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(cache_dir))
    config = Config(cache_dir=str(cache_dir))
    before = review([str(tree)], config, cwd=tree)
    assert [e.message.split(";")[0] for e in before.errors] == [f"app.py:5: {QUOTES_312}"]
    run = subprocess.run([python, "-m", "secreview", "scan", ".", "--format", "json"], cwd=tree, capture_output=True,
                         text=True, env=_secreview_env(cache_dir), timeout=600)
    if run.returncode not in (0, 1) and re.search(r"ModuleNotFoundError|ImportError", run.stderr):
        pytest.skip(f"{python} cannot import secreview's dependencies from this environment: "
                    f"{run.stderr.strip().splitlines()[-1]}")
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert report["errors"] == []
    assert [(f["path"], f["line"], f["rule"]) for f in report["findings"]] == [("app.py", 5, "SR101")]
    assert (cache_dir / f"rule-index-py{version[0]}.{version[1]}.json").is_file()
    after = review([str(tree)], config, cwd=tree)
    assert (after.findings, after.errors) == (before.findings, before.errors)
