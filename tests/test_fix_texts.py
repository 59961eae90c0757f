"""Each finding's fix is the one for the very call it flags: a command run on this machine is fixed with an
argument list (not shlex.quote, which is for commands sent over SSH), tainted YAML with yaml.safe_load (not
pickle's HMAC), a leaked requests.Session with `with requests.Session()` (not socket.create_connection)."""

from __future__ import annotations

from pathlib import Path

import pytest

from secreview import api
from secreview.config import Config
from secreview.engine import review_text
from secreview.rules import _deserializers as deserializers
from secreview.rules import (
    code_injection,
    connection_not_closed,
    file_not_closed,
    remote_command_injection,
    socket_not_closed,
    temp_dir_not_removed,
    template_injection,
    untrusted_xml_parse,
    xpath_injection,
)
from secreview.ruleset import load_rules

RULES = load_rules()


def findings(source: str) -> dict[tuple[int, str], tuple[str, str]]:
    """(line, rule) -> (fix, suggestion) of every finding of one file."""
    result = review_text("app.py", source, RULES)
    assert not result.errors, result.errors
    return {(f.line, f.rule): (f.fix, f.suggestion) for f in result.findings}


def fixes(source: str) -> dict[tuple[int, str], str]:
    return {key: fix for key, (fix, _) in findings(source).items()}


# -- commands -----------------------------------------------------------------------------------

COMMANDS = '''\
import os
import subprocess

import paramiko
from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    name = request.args["name"]
    subprocess.run("tar czf /backups/a.tgz " + name, shell=True)
    os.system("tar czf /backups/a.tgz " + name)
    os.execv(request.args["tool"], ["tool", name])
    client = paramiko.SSHClient()
    client.exec_command("du -sh " + name)
    return "ok"
'''


def test_local_commands_get_an_argument_list_and_remote_ones_quoting():
    got = fixes(COMMANDS)
    local = remote_command_injection.LOCAL_SHELL_FIX
    assert got[(13, "SR104")] == local and got[(14, "SR104")] == local
    assert local.startswith("Pass the program and its arguments as a list without a shell")
    assert "shlex.quote() only where a shell cannot be avoided" in local
    assert got[(15, "SR104")] == remote_command_injection.PROGRAM_FIX
    assert got[(17, "SR104")] == remote_command_injection.REMOTE_SHELL_FIX
    assert remote_command_injection.REMOTE_SHELL_FIX.startswith("The remote side runs the command in a shell: quote")
    # the pattern rule for local shells says the same
    assert got[(13, "SR101")].startswith("Pass the program and its arguments as a list without a shell")


def test_a_command_sink_inside_a_helper_gets_the_fix_of_that_sink():
    source = (
        "import subprocess\n"
        "from flask import Flask, request\n"
        "\n"
        "app = Flask(__name__)\n"
        "\n"
        "\n"
        "def sh(line):\n"
        "    return subprocess.check_output(line, shell=True)\n"
        "\n"
        "\n"
        "@app.route('/ls')\n"
        "def ls():\n"
        "    return sh('ls ' + request.args['d'])\n"
    )
    assert fixes(source)[(13, "SR104")] == remote_command_injection.LOCAL_SHELL_FIX


def test_fabric_local_is_a_local_shell():
    source = "from fabric.api import local\n\n\ndef build(tag):\n    local('git tag ' + tag)\n"
    assert fixes(source)[(5, "SR104")] == remote_command_injection.FABRIC_LOCAL_FIX


@pytest.mark.parametrize(("sink", "fix"), [
    ("os.system", remote_command_injection.LOCAL_SHELL_FIX),
    ("subprocess.getoutput", remote_command_injection.LOCAL_SHELL_FIX),
    ("asyncio.create_subprocess_shell", remote_command_injection.LOCAL_SHELL_FIX),
    ("os.execlp", remote_command_injection.PROGRAM_FIX),
    ("os.spawnv", remote_command_injection.PROGRAM_FIX),
    ("pty.spawn", remote_command_injection.PROGRAM_FIX),
    ("paramiko.Channel.exec_command", remote_command_injection.REMOTE_SHELL_FIX),
])
def test_every_command_sink_of_the_specs_has_its_fix(sink, fix):
    assert remote_command_injection.fix_for_sink(sink) == fix


# -- deserialization ----------------------------------------------------------------------------

YAML = '''\
import pickle

import torch
import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/import", methods=["POST"])
def import_config():
    config = yaml.load(request.data)
    more = yaml.unsafe_load(request.data)
    safe = yaml.load(request.data, yaml.SafeLoader)
    state = pickle.loads(request.data)
    model = torch.load(request.files["model"])
    return str((config, more, safe, state, model))
'''


def test_tainted_yaml_is_one_finding_with_the_yaml_fix_and_the_safe_load_rewrite(tmp_path: Path):
    got = findings(YAML)
    assert got[(12, "SR512")] == (deserializers.YAML_FIX, "    config = yaml.safe_load(request.data)")
    assert got[(13, "SR512")] == (deserializers.YAML_FIX, "")  # unsafe_load: asked for on purpose, no rewrite
    assert deserializers.YAML_FIX.startswith("Load with yaml.safe_load()")
    assert "hmac" not in deserializers.YAML_FIX.lower() and "pickle" not in deserializers.YAML_FIX
    # a SafeLoader given by position: no flow into a loader that builds objects
    assert (14, "SR512") not in got
    assert got[(15, "SR512")][0] == deserializers.PICKLE_FIX
    assert got[(16, "SR511")][0] == deserializers.TORCH_FIX
    # The whole review reports the line once: SR510's finding restates SR512's traced one.
    (tmp_path / "app.py").write_text(YAML, encoding="utf-8")
    report = api.review(["app.py"], Config(jobs=1, cache=False), cwd=tmp_path)
    assert [(f.rule, f.fix, f.suggestion, bool(f.trace)) for f in report.findings if f.line == 12] == [
        ("SR512", deserializers.YAML_FIX, "    config = yaml.safe_load(request.data)", True)]


def test_yaml_rewrites_keep_the_module_alias_and_the_c_loader():
    source = (
        "import yaml as y\n"
        "\n"
        "\n"
        "def read(fh, text):\n"
        "    a = y.load(fh, Loader=y.CLoader)\n"
        "    b = y.load_all(text)\n"
        "    return a, b\n"
    )
    got = findings(source)
    assert got[(5, "SR510")] == (deserializers.YAML_FIX, "    a = y.load(fh, Loader=y.CSafeLoader)")
    assert got[(6, "SR510")] == (deserializers.YAML_FIX, "    b = y.safe_load_all(text)")


@pytest.mark.parametrize(("call", "fix"), [
    ("pickle.loads", deserializers.PICKLE_FIX),
    ("dill.load", deserializers.PICKLE_FIX),
    ("marshal.loads", deserializers.MARSHAL_FIX),
    ("shelve.open", deserializers.SHELVE_FIX),
    ("jsonpickle.decode", deserializers.JSONPICKLE_FIX),
    ("joblib.load", deserializers.JOBLIB_FIX),
    ("torch.load", deserializers.TORCH_FIX),
    ("numpy.load", deserializers.NUMPY_FIX),
    ("pandas.read_pickle", deserializers.PANDAS_FIX),
    ("yaml.full_load", deserializers.YAML_FIX),
    ("ruamel.yaml.load", deserializers.YAML_FIX),
])
def test_each_deserializer_has_its_own_fix(call, fix):
    assert deserializers.deserializer_fix(call) == fix


def test_every_deserialize_sink_of_the_specs_has_a_fix():
    from secreview.taint.rules import spec_index

    sinks = {s.call for group in spec_index().sinks_by_call.values() for s in group if s.kind == "deserialize"}
    assert sinks and all(deserializers.deserializer_fix(call) for call in sinks), sorted(sinks)


def test_pickle_from_a_file_keeps_the_pickle_fix():
    source = ("import pickle\n\n\ndef load(path):\n    with open(path, 'rb') as fh:\n        blob = fh.read()\n"
              "    return pickle.loads(blob)\n")
    assert fixes(source)[(7, "SR512")] == deserializers.PICKLE_FIX


# -- resources ---------------------------------------------------------------------------------

LEAKS = '''\
import http.client
import os
import poplib
import socket
import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool

import requests


def work(host, url, path):
    session = requests.Session()
    session.get(url, timeout=5)
    sock = socket.create_connection((host, 80), timeout=5)
    sock.sendall(b"x")
    conn = http.client.HTTPSConnection(host, timeout=5)
    conn.request("GET", "/")
    pop = poplib.POP3(host, timeout=5)
    pop.user("me")
    db = sqlite3.connect(path)
    db.execute("SELECT 1")
    pool = ThreadPoolExecutor()
    pool.submit(print)
    procs = Pool()
    procs.map(print, [1])
    fd = os.open(path, os.O_RDONLY)
    os.read(fd, 10)
    scratch = tempfile.mkdtemp()
    print(scratch)
'''


def test_leak_fixes_name_what_was_opened():
    got = fixes(LEAKS)
    assert got[(14, "SR421")] == (
        "Use it as a context manager (`with requests.Session(...) as session:`) or call `session.close()` in a "
        "`finally:` block.")
    assert got[(16, "SR421")] == (
        "Use it as a context manager (`with socket.create_connection(...) as sock:`) or call `sock.close()` in a "
        "`finally:` block.")
    assert got[(18, "SR421")] == (
        "Close the connection in a `finally:` block (`conn.close()`), or wrap it: `with "
        "contextlib.closing(http.client.HTTPSConnection(host)) as conn:` (it is not a context manager itself).")
    assert got[(20, "SR421")] == socket_not_closed.fix_for("poplib.POP3")
    assert "not a context manager" in got[(20, "SR421")]
    assert got[(22, "SR424")] == connection_not_closed.fix_for("sqlite3.connect")
    assert "contextlib.closing(sqlite3.connect(...))" in got[(22, "SR424")]
    assert got[(24, "SR424")] == (
        "Use the pool as a context manager (`with concurrent.futures.ThreadPoolExecutor() as pool:`), which waits "
        "for its work and shuts it down, or call `pool.shutdown()` in a `finally:` block.")
    assert got[(26, "SR424")].startswith("Call `pool.close()` then `pool.join()` in a `finally:` block")
    assert got[(28, "SR420")] == file_not_closed.DESCRIPTOR_FIX
    assert got[(30, "SR422")] == temp_dir_not_removed.MKDTEMP_FIX
    assert not any("socket.create_connection" in fix for (_, rule), fix in got.items() if rule != "SR421")


def test_every_socket_and_connection_creator_has_a_fix():
    assert all(socket_not_closed.fix_for(name) for name in socket_not_closed._CREATORS)
    assert all(connection_not_closed.fix_for(name) for name in connection_not_closed._CREATORS)


def test_a_file_stays_with_the_with_statement_fix():
    source = "def read(path):\n    fh = open(path)\n    return fh.read()\n"
    assert fixes(source)[(2, "SR420")].startswith("Open the file in a `with` statement")


def test_mkstemp_fix_closes_the_descriptor_and_removes_the_file():
    source = "import tempfile\n\n\ndef scratch():\n    fd, path = tempfile.mkstemp()\n    return 1\n"
    assert fixes(source)[(5, "SR422")] == temp_dir_not_removed.MKSTEMP_FIX


# -- templates, XML, XPath, code ----------------------------------------------------------------

TEMPLATES = '''\
from django.http import HttpResponse
from django.template import Context, Template
from flask import Flask, render_template_string, request
from lxml import etree
from xml.dom import minidom

app = Flask(__name__)
TREE = etree.parse("users.xml")


@app.route("/t")
def flask_view():
    return render_template_string("<p>" + request.args["t"] + "</p>")


def django_view(request):
    page = Template("<p>" + request.GET["t"] + "</p>").render(Context({}))
    doc = minidom.parseString(request.body)
    root = etree.fromstring(request.body)
    users = TREE.xpath("//user[@name='" + request.GET["n"] + "']")
    found = TREE.getroot().findall("user[@name='" + request.GET["n"] + "']")
    plugin = __import__(request.GET["plugin"])
    return HttpResponse(str((page, doc, root, users, found, plugin)), content_type="text/plain")
'''


def test_template_xml_xpath_and_import_fixes_follow_the_library():
    got = fixes(TEMPLATES)
    assert got[(13, "SR120")] == template_injection.JINJA_FIX
    assert got[(17, "SR120")] == template_injection.DJANGO_FIX
    assert "render_template_string" not in template_injection.DJANGO_FIX
    assert got[(18, "SR509")] == (
        "Parse with defusedxml's drop-in replacement: `defusedxml.minidom.parseString(...)` instead of "
        "`xml.dom.minidom.parseString(...)`; it rejects entity declarations and external references.")
    assert got[(19, "SR509")] == untrusted_xml_parse.LXML_FIX
    assert got[(20, "SR115")] == xpath_injection.XPATH_FIX
    assert got[(21, "SR115")] == xpath_injection.ELEMENTPATH_FIX
    assert got[(22, "SR105")] == code_injection.IMPORT_FIX


def test_eval_keeps_the_literal_eval_fix():
    source = "from flask import request\n\n\ndef calc():\n    return eval(request.args['x'])\n"
    assert fixes(source)[(5, "SR105")].startswith("Never evaluate client data as code")


@pytest.mark.parametrize(("engine", "fix"), [
    ("mako.template.Template", template_injection.MAKO_FIX),
    ("tornado.template.Template", template_injection.TORNADO_FIX),
    ("jinja2.Environment.from_string", template_injection.JINJA_FIX),
    ("django.template.Engine.from_string", template_injection.DJANGO_FIX),
])
def test_template_engines_have_their_fix(engine, fix):
    assert template_injection.fix_for_engine(engine) == fix
